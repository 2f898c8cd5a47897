//! Snapshot tests: every fixture through every emitter with its defaults, and also with every
//! extra turned on and with titles only where those differ from the defaults; broken fixtures
//! snapshot their error message.

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

#[test]
fn every_fixture_through_every_emitter() {
    insta::glob!("../fixtures", "*.xmind", |path| {
        match read_path(path) {
            Ok(doc) => {
                let mut all = WriteOptions::default();
                for extra in xmindconv::Extra::ALL {
                    all.set(extra, true);
                }
                let mut titles = WriteOptions::default();
                titles.titles_only();
                for e in WRITERS {
                    let default = render(*e, &doc, &WriteOptions::default());
                    for (variant, opts) in [("with-all", &all), ("titles-only", &titles)] {
                        let out = render(*e, &doc, opts);
                        if out != default {
                            insta::assert_snapshot!(format!("{}-{variant}", e.name()), out);
                        }
                    }
                    insta::assert_snapshot!(e.name(), default);
                }
            }
            Err(err) => insta::assert_snapshot!("error", err.to_string()),
        }
    });
}
