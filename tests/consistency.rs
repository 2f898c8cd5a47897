//! Every writer writes the same topics for the same options: each fixture, its titles replaced
//! by tokens (`q<sheet>x<index>z`) that no format escapes, goes through every writer with
//! `--depth 0..3`, `--titles-only` and `--without floating`; the tokens in each output must be
//! exactly the topics its plan walks, and writers that carry the same kinds of topics must agree.
//! Test-case formats (`Writer::writes_test_cases`) write a part of what the plan walks, by
//! xmind2testcase's rules, and never anything else; `tests/consumers.rs` checks which part
//! against xmind2testcase itself.

use std::collections::BTreeSet;
use std::path::PathBuf;

use xmindconv::write::{Event, Plan};
use xmindconv::{Document, Extra, WRITERS, WriteOptions, Writer, read_path};

/// The tokens `q<digits>x<digits>z` in `text`.
fn tokens(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let mut out = BTreeSet::new();
    let digits = |mut i: usize| {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > start).then_some(i)
    };
    for (i, _) in text.match_indices('q') {
        let Some(x) = digits(i + 1) else { continue };
        if b.get(x) != Some(&b'x') {
            continue;
        }
        let Some(z) = digits(x + 1) else { continue };
        if b.get(z) == Some(&b'z') {
            out.insert(text[i..=z].to_string());
        }
    }
    out
}

fn token(s: usize, i: usize) -> String {
    format!("q{s}x{i}z")
}

/// The document with every title a token.
fn tokenised(mut doc: Document) -> Document {
    for (s, sheet) in doc.sheets.iter_mut().enumerate() {
        for (i, t) in sheet.topics.iter_mut().enumerate() {
            t.title = token(s, i).into();
        }
    }
    doc
}

/// What the plan of `writer` walks, as tokens.
fn planned(writer: &dyn Writer, doc: &Document, opts: &WriteOptions) -> BTreeSet<String> {
    let plan = Plan::new(doc, opts, writer);
    let mut out = BTreeSet::new();
    for s in 0..doc.sheets.len() {
        for e in plan.walk(s) {
            if let Event::Enter(e) = e {
                out.insert(token(s, e.id.index()));
            }
        }
    }
    out
}

/// What `writer` writes, as tokens; a writer that holds one sheet writes each sheet alone.
fn written(writer: &dyn Writer, doc: &Document, opts: &WriteOptions) -> BTreeSet<String> {
    let mut out = Vec::new();
    if writer.write(doc, opts, &mut out).is_ok() {
        if writer.binary() && writer.name() == "xlsx" {
            // A workbook: the text of every entry (the cells are in sharedStrings.xml).
            use std::io::Read;
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(out)).unwrap();
            let mut text = String::new();
            for i in 0..zip.len() {
                zip.by_index(i).unwrap().read_to_string(&mut text).unwrap();
            }
            return tokens(&text);
        }
        if writer.binary() {
            // An archive: what our reader finds in it, as JSON.
            let back = xmindconv::read::read_bytes(&out).unwrap();
            let json = xmindconv::write::by_name("json").unwrap();
            let text = xmindconv::write::to_string(json, &back, &WriteOptions::default()).unwrap();
            return tokens(&text);
        }
        return tokens(&String::from_utf8(out).unwrap());
    }
    assert!(doc.sheets.len() > 1, "{} refused one sheet", writer.name());
    let mut all = BTreeSet::new();
    for (s, sheet) in doc.sheets.iter().enumerate() {
        let mut one = doc.clone();
        one.sheets = vec![sheet.clone()];
        // Tokens name the sheet they came from.
        for (i, t) in one.sheets[0].topics.iter_mut().enumerate() {
            t.title = token(s, i).into();
        }
        let text = xmindconv::write::to_string(writer, &one, opts).unwrap();
        all.extend(tokens(&text));
    }
    all
}

/// The option sets: links and relationships off (their text names topics the output may not
/// hold), floating, summary and callout topics on, then each variant.
fn option_sets() -> Vec<(String, WriteOptions)> {
    let mut out = Vec::new();
    for depth in [None, Some(0), Some(1), Some(2), Some(3)] {
        for variant in [
            "all topics",
            "titles only",
            "without floating",
            "test-case tables",
        ] {
            let mut o = WriteOptions::default();
            o.depth = depth;
            for e in [Extra::Floating, Extra::Summaries, Extra::Callouts] {
                o.set(e, true);
            }
            o.set(Extra::Links, false).set(Extra::Relationships, false);
            match variant {
                "titles only" => {
                    o.titles_only();
                }
                "without floating" => {
                    o.set(Extra::Floating, false);
                }
                // CSV and xlsx write test cases: a part of the plan, as the test-case formats.
                "test-case tables" => {
                    o.table_style = xmindconv::write::TableStyle::TestCase;
                }
                _ => {}
            }
            out.push((format!("depth {depth:?}, {variant}"), o));
        }
    }
    out
}

#[test]
fn every_writer_writes_the_topics_its_plan_walks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xmind"))
        .collect();
    fixtures.sort();
    let mut checked = 0;
    for path in &fixtures {
        let Ok(doc) = read_path(path) else { continue };
        let doc = tokenised(doc);
        let name = path.file_name().unwrap().to_string_lossy();
        for (label, opts) in option_sets() {
            // Writers that carry the same kinds of topics write the same set.
            let mut by_kinds: Vec<(Vec<Extra>, BTreeSet<String>, &str)> = Vec::new();
            for w in WRITERS {
                let want = planned(*w, &doc, &opts);
                let got = written(*w, &doc, &opts);
                if w.writes_test_cases(&opts) {
                    // Test cases: xmind2testcase's choice of the planned topics, nothing else.
                    assert!(
                        got.is_subset(&want),
                        "{name}, {label}: {} wrote unplanned topics {:?}",
                        w.name(),
                        got.difference(&want).collect::<Vec<_>>()
                    );
                    continue;
                }
                assert_eq!(
                    got,
                    want,
                    "{name}, {label}: {} wrote other topics",
                    w.name()
                );
                assert!(got.contains(&token(0, 0)), "{name}, {label}: no root");
                let kinds: Vec<Extra> = [Extra::Floating, Extra::Summaries, Extra::Callouts]
                    .into_iter()
                    .filter(|e| w.carries().contains(e))
                    .collect();
                match by_kinds.iter().find(|(k, ..)| *k == kinds) {
                    Some((_, set, first)) => assert_eq!(
                        &got,
                        set,
                        "{name}, {label}: {} and {first} differ",
                        w.name()
                    ),
                    None => by_kinds.push((kinds, got, w.name())),
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 8 * 20, "only {checked} fixture runs");
}

#[test]
fn depth_zero_is_the_root_alone_in_every_format() {
    let doc = tokenised(
        read_path(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/features-xmind2024.xmind"),
        )
        .unwrap(),
    );
    // Every extra at each writer's default, but links and relationships, whose text names
    // topics that are not written.
    let mut o = WriteOptions::default();
    o.depth = Some(0);
    o.set(Extra::Links, false).set(Extra::Relationships, false);
    for w in WRITERS {
        let roots: BTreeSet<String> = (0..doc.sheets.len()).map(|s| token(s, 0)).collect();
        if w.writes_test_cases(&o) {
            // No suites below the root, so no test cases: the header only.
            assert!(written(*w, &doc, &o).is_empty(), "{}", w.name());
            continue;
        }
        assert_eq!(written(*w, &doc, &o), roots, "{}", w.name());
    }
}
