//! The shared corpus of 40 real maps (`../shared/corpus`, or `$XMINDCONV_CORPUS`), when present:
//! every readable file converts with every emitter, each broken one gives its one-line error,
//! and maps saved by both XMind 8 and XMind 2024/2025 read the same. Skipped (with a note) when
//! the corpus is absent, so the test suite stays self-contained, unless
//! `XMINDCONV_REQUIRE_CORPUS` is set: then a missing corpus fails.

use std::path::PathBuf;

use xmindconv::{WRITERS, WriteOptions, read_path, write};

mod common;

fn corpus() -> Option<PathBuf> {
    common::corpus_dir()
}

/// Files broken on purpose, and a piece of the error each must give.
const BROKEN: &[(&str, &str)] = &[
    ("arnehaber-xmind2latex__jms-7zip.xmind", "7-Zip archive"),
    (
        "mab-go-xmind-mcp__kitchen-sink-lfs-pointer.xmind",
        "Git LFS pointer",
    ),
    (
        "xmindltd-xmind-sdk-swift__example1-encrypted.xmind",
        "password-protected",
    ),
];

#[test]
fn every_corpus_file_converts_or_gives_its_error() {
    let Some(dir) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xmind"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "expected the 40-file corpus");
    let mut converted = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let broken = BROKEN.iter().find(|(f, _)| *f == name);
        match (read_path(path), broken) {
            (Ok(doc), None) => {
                assert!(!doc.sheets.is_empty(), "{name}: no sheets");
                for e in WRITERS {
                    let mut out = Vec::new();
                    match e.write(&doc, &WriteOptions::default(), &mut out) {
                        Ok(()) => assert!(!out.is_empty(), "{name}: empty {}", e.name()),
                        // Mermaid holds one sheet and refuses several; each sheet must convert.
                        Err(_) if doc.sheets.len() > 1 => {
                            for sheet in &doc.sheets {
                                let one = xmindconv::Document {
                                    sheets: vec![sheet.clone()],
                                    ..doc.clone()
                                };
                                let out =
                                    write::to_string(*e, &one, &WriteOptions::default()).unwrap();
                                assert!(!out.is_empty(), "{name}: empty {}", e.name());
                            }
                        }
                        Err(err) => panic!("{name}: {}: {err}", e.name()),
                    }
                }
                // The decoy content.xml of JSON-generation files must never be what we read.
                let root = &doc.sheets[0].root().title;
                assert!(
                    !root.starts_with("Warning\n警告"),
                    "{name}: read the decoy map"
                );
                converted += 1;
            }
            (Err(err), Some((_, expected))) => {
                let msg = err.to_string();
                assert!(msg.contains(expected), "{name}: {msg}");
                assert!(!msg.contains('\n'), "{name}: more than one line: {msg}");
            }
            (Ok(_), Some(_)) => panic!("{name} is broken on purpose but was read"),
            (Err(err), None) => panic!("{name}: {err}"),
        }
    }
    assert_eq!(converted, files.len() - BROKEN.len());
}

/// The same map saved by XMind 7.5/6 (content.xml) and by XMind 2025/2024 (content.json).
#[test]
fn old_and_new_saves_of_one_map_read_the_same() {
    let Some(dir) = corpus() else { return };
    let text = write::by_name("text").unwrap();
    for (old, new) in [
        (
            "docrazyg-xmind-converter__example_v7-5.xmind",
            "docrazyg-xmind-converter__example_v8.xmind",
        ),
        (
            "docrazyg-xmind-converter__sports_v6.xmind",
            "docrazyg-xmind-converter__sports_v8.xmind",
        ),
    ] {
        let mut opts = WriteOptions::default();
        opts.titles_only();
        let render = |f: &str| {
            let mut doc = read_path(dir.join(f)).unwrap();
            doc.name = None;
            // XMind 2024/2025 appends U+200B to some titles it re-saves; the reader keeps it (it
            // is what the file holds), so the comparison looks past it.
            write::to_string(text, &doc, &opts)
                .unwrap()
                .replace('\u{200B}', "")
        };
        assert_eq!(render(old), render(new), "{old} vs {new}");
    }
}

/// `--extract-media` on a real XMind 2025 map: its three images are read, and the Markdown
/// links to them in the extraction folder.
#[test]
fn stored_images_of_a_real_map_are_extracted_and_linked() {
    let Some(dir) = corpus() else { return };
    let mut options = xmindconv::ReadOptions::default();
    options.media = true;
    let doc = xmindconv::read::read_path_with(
        dir.join("tobyqin-xmindparser__xmind_2026.xmind"),
        &options,
    )
    .unwrap();
    let names: Vec<&str> = doc.media.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.iter().all(|n| n.starts_with("resources/")));
    let mut opts = WriteOptions::default();
    opts.media_dir = Some("media".into());
    let md = write::to_string(write::by_name("markdown").unwrap(), &doc, &opts).unwrap();
    for n in names {
        assert!(md.contains(&format!("(media/{n})")), "{n} not linked");
        assert!(!doc.media[n].is_empty());
    }
}
