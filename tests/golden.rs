//! Snapshot tests: every fixture through every emitter with its defaults, and also with every
//! extra turned on and with titles only where those differ from the defaults; broken fixtures
//! snapshot their error message. Every reader fixture (`fixtures/read/`) as the JSON of what it
//! reads to.

use xmindconv::{WRITERS, WriteOptions, read_path, write};

fn render(
    emitter: &dyn xmindconv::Writer,
    doc: &xmindconv::Document,
    opts: &WriteOptions,
) -> String {
    let mut bytes = Vec::new();
    if let Err(err) = emitter.write(doc, opts, &mut bytes) {
        // An emitter whose output holds one sheet (Mermaid) refuses a map with several: the
        // snapshot is its message, then each sheet on its own, as `--sheet N` writes it.
        let mut out = format!("error: {err}\n");
        for (i, sheet) in doc.sheets.iter().enumerate() {
            let one = xmindconv::Document {
                sheets: vec![sheet.clone()],
                ..doc.clone()
            };
            out.push_str(&format!("\n== --sheet {} ==\n", i + 1));
            out.push_str(&write::to_string(emitter, &one, opts).unwrap());
        }
        return out;
    }
    if emitter.binary() {
        return archive_listing(&bytes);
    }
    let out = String::from_utf8(bytes).expect("emitters write UTF-8");
    if emitter.name() == "json" {
        // Compact on output; pretty here so that snapshots can be reviewed.
        let value: serde_json::Value = serde_json::from_str(&out).expect("our JSON parses");
        serde_json::to_string_pretty(&value).unwrap()
    } else if emitter.name() == "html" {
        without_page_assets(&out)
    } else {
        out
    }
}

/// A written archive as text, for a snapshot that can be reviewed: each entry's name, method and
/// size in order, then its content (JSON pretty-printed, other text as it is, binary files as
/// their size only).
fn archive_listing(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        out.push_str(&format!(
            "== {} ({:?}, {} bytes, {:?})\n",
            name,
            entry.compression(),
            content.len(),
            entry.last_modified()
        ));
        match String::from_utf8(content) {
            Ok(text) if name.ends_with(".json") => {
                let value: serde_json::Value = serde_json::from_str(&text).expect("JSON parses");
                out.push_str(&serde_json::to_string_pretty(&value).unwrap());
                out.push('\n');
            }
            // The Office theme of a workbook is the same 7 KB in every one.
            Ok(text) if name.ends_with(".xml") && !name.starts_with("xl/theme/") => {
                out.push_str(&text);
                out.push('\n');
            }
            _ => {}
        }
    }
    out
}

/// An HTML page without its style sheet, script and their hashes, which are the same on every
/// page (and tested in `src/emit/html.rs`), so that snapshots show what the map put there.
fn without_page_assets(page: &str) -> String {
    let mut out = page.to_string();
    for (open, close) in [
        ("<style>", "</style>"),
        ("<script>", "</script>"),
        ("'sha256-", "'"),
    ] {
        let mut from = 0;
        while let Some(i) = out[from..].find(open) {
            let start = from + i + open.len();
            let Some(len) = out[start..].find(close) else {
                break;
            };
            out.replace_range(start..start + len, "…");
            from = start + "…".len() + close.len();
        }
    }
    out
}

/// The snapshots of one fixture, named as `insta` names them: each writer's default output, and
/// its output with every extra and with titles only where those differ; the error of a broken
/// fixture.
fn snapshots(path: &std::path::Path) -> Vec<(String, String)> {
    let doc = match read_path(path) {
        Ok(doc) => doc,
        Err(err) => return vec![("error".into(), err.to_string())],
    };
    let mut all = WriteOptions::default();
    for extra in xmindconv::Extra::ALL {
        all.set(extra, true);
    }
    let mut titles = WriteOptions::default();
    titles.titles_only();
    let mut out = Vec::new();
    for e in WRITERS {
        let default = render(*e, &doc, &WriteOptions::default());
        for (variant, opts) in [("with-all", &all), ("titles-only", &titles)] {
            let text = render(*e, &doc, opts);
            if text != default {
                out.push((format!("{}-{variant}", e.name()), text));
            }
        }
        out.push((e.name().to_string(), default));
    }
    out
}

#[test]
fn every_fixture_through_every_emitter() {
    insta::glob!("../fixtures", "*.xmind", |path| {
        for (name, text) in snapshots(path) {
            insta::assert_snapshot!(name, text);
        }
    });
}

/// Every reader fixture (`fixtures/read/`: each input format's features, and broken files) read
/// into the model and written as our JSON, pretty: what each reader makes of its format; a
/// broken file snapshots its one-line error.
#[test]
fn every_reader_fixture_reads_to_its_tree() {
    insta::glob!("../fixtures/read", "*.*", |path| {
        insta::assert_snapshot!("read", read_snapshot(path));
    });
}

fn read_snapshot(path: &std::path::Path) -> String {
    match read_path(path) {
        Ok(doc) => render(
            write::by_name("json").unwrap(),
            &doc,
            &WriteOptions::default(),
        ),
        Err(err) => format!("error: {err}"),
    }
}

/// No snapshot file is left over from a writer, variant or fixture that no longer exists (an
/// unreferenced `.snap` would be reviewed by nobody and checked by nothing).
#[test]
fn every_snapshot_file_is_one_the_suite_writes() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut expected = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(root.join("fixtures")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "xmind") {
            let file = path.file_name().unwrap().to_str().unwrap().to_string();
            for (name, _) in snapshots(&path) {
                expected.insert(format!("golden__{name}@{file}.snap"));
            }
        }
    }
    let mut readers = 0;
    for e in std::fs::read_dir(root.join("fixtures/read")).unwrap() {
        let file = e.unwrap().file_name().into_string().unwrap();
        expected.insert(format!("golden__read@{file}.snap"));
        readers += 1;
    }
    assert!(readers >= 12, "{readers} reader fixtures");
    assert!(expected.len() > 100, "{} snapshots", expected.len());
    let mut found = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(root.join("tests/snapshots")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.starts_with("golden__") && name.ends_with(".snap") {
            found.insert(name);
        }
    }
    let stale: Vec<_> = found.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    assert!(
        stale.is_empty(),
        "snapshots nothing writes any more: {stale:?}"
    );
    assert!(
        missing.is_empty(),
        "snapshots not yet accepted: {missing:?}"
    );
}
