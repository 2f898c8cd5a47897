//! Hostile and broken input: more than forty malformed inputs built here by code, each run
//! through the real binary in every format, under a 1 GiB address-space limit and a time limit.
//! Each must end with exit 0 or 1; a failure must be exactly one line naming the file; nothing may
//! panic, die of a signal or hang. The message of every error kind is snapshotted.

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::{RawEntry, deep_json, deep_xml, deflated_spaces, raw_zip, run, zip};

/// What a case must do.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    Converts,
    Fails,
    /// Truncated and corrupted archives: whichever, as long as it is clean.
    Either,
}

struct Case {
    name: String,
    /// Builds the input; called just before the case runs, so that the test process stays
    /// small (a child's peak memory as the kernel reports it includes its parent's at spawn).
    bytes: Box<dyn Fn() -> Vec<u8>>,
    expect: Expect,
    /// Extra arguments (limits).
    args: Vec<&'static str>,
    /// Only these formats (deep chains: indented formats are quadratic in depth by nature).
    only: Option<&'static [&'static str]>,
}

/// A function that builds an input.
type Build = fn() -> Vec<u8>;

fn case(name: &str, bytes: impl Fn() -> Vec<u8> + 'static, expect: Expect) -> Case {
    Case {
        name: name.to_string(),
        bytes: Box::new(bytes),
        expect,
        args: Vec::new(),
        only: None,
    }
}

fn json_map(content: &str) -> Vec<u8> {
    zip(&[("content.json", content.as_bytes())])
}

fn xml_map(content: &str) -> Vec<u8> {
    zip(&[("content.xml", content.as_bytes())])
}

/// A small, valid XMind 8 file with several entries, to cut and corrupt.
fn victim() -> Vec<u8> {
    let content = "<xmap-content xmlns=\"urn:xmind:xmap:xmlns:content:2.0\" version=\"2.0\"><sheet id=\"s\">\
        <topic id=\"r\"><title>Root</title><children><topics type=\"attached\">\
        <topic id=\"a\"><title>Alpha</title><notes><plain>note</plain></notes></topic>\
        <topic id=\"b\"><title>Beta</title></topic></topics></children></topic>\
        <title>Sheet</title></sheet></xmap-content>";
    let comments = "<comments><comment author=\"x\" object-id=\"a\" time=\"1\"><content>hi</content></comment></comments>";
    zip(&[
        ("meta.xml", b"<meta/>"),
        ("content.xml", content.as_bytes()),
        ("comments.xml", comments.as_bytes()),
    ])
}

fn cases() -> Vec<Case> {
    use Expect::*;
    let mut v = vec![
        // Not a zip at all.
        case("empty-file", Vec::new, Fails),
        case(
            "random-bytes",
            move || (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
            Fails,
        ),
        case(
            "7zip-magic",
            move || b"7z\xbc\xaf\x27\x1c\x00\x04junk".to_vec(),
            Fails,
        ),
        case(
            "lfs-pointer",
            move || b"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n".to_vec(),
            Fails,
        ),
        case("zip-magic-only", move || b"PK\x03\x04".to_vec(), Fails),
        case(
            "gzip",
            move || b"\x1f\x8b\x08\x00\x00\x00\x00\x00".to_vec(),
            Fails,
        ),
        // Containers that are zips but hold no map.
        case("empty-archive", move || raw_zip(&[]), Fails),
        case(
            "directory-named-content-json",
            move || raw_zip(&[RawEntry::stored("content.json/", b"")]),
            Fails,
        ),
        case(
            "dot-dot-entry-name",
            move || {
                raw_zip(&[RawEntry::stored(
                    "../content.json",
                    b"[{\"rootTopic\":{\"title\":\"x\"}}]",
                )])
            },
            Fails,
        ),
        case(
            "absolute-entry-name",
            move || raw_zip(&[RawEntry::stored("/etc/passwd", b"root:x:0:0")]),
            Fails,
        ),
        case(
            "duplicate-entries",
            move || {
                raw_zip(&[
                    RawEntry::stored("content.json", b"not json"),
                    RawEntry::stored(
                        "content.json",
                        b"[{\"rootTopic\":{\"title\":\"last copy\"}}]",
                    ),
                ])
            },
            Converts,
        ),
        case(
            "unsupported-compression-method",
            move || {
                raw_zip(&[RawEntry {
                    method: 12,
                    ..RawEntry::stored("content.json", b"BZh91AY&SY")
                }])
            },
            Fails,
        ),
        case(
            "zip-level-encryption-flag",
            move || {
                raw_zip(&[RawEntry {
                    flags: 1,
                    ..RawEntry::stored("content.json", &[0x55; 64])
                }])
            },
            Fails,
        ),
        case(
            "crc-mismatch",
            move || {
                raw_zip(&[RawEntry {
                    crc: 0xDEAD_BEEF,
                    ..RawEntry::stored("content.json", b"[{\"rootTopic\":{\"title\":\"x\"}}]")
                }])
            },
            Fails,
        ),
        case(
            "encrypted-manifest",
            move || {
                zip(&[
                ("content.json", &[0xA5; 128]),
                (
                    "manifest.json",
                    br#"{"file-entries":{"content.json":{"encryption-data":{"iv":"x"}}},"password-hint":"hint"}"#,
                ),
            ])
            },
            Fails,
        ),
        case(
            "too-many-entries",
            move || {
                raw_zip(
                    &(0..10_001)
                        .map(|i| RawEntry::stored(&format!("f{i}"), b""))
                        .collect::<Vec<_>>(),
                )
            },
            Fails,
        ),
        // Wrong JSON.
        case("json-empty-entry", move || json_map(""), Fails),
        case("json-empty-array", move || json_map("[]"), Fails),
        case("json-empty-object", move || json_map("{}"), Fails),
        case("json-null", move || json_map("null"), Fails),
        case("json-number", move || json_map("42"), Fails),
        case("json-string", move || json_map("\"map\""), Fails),
        case("json-null-sheet", move || json_map("[null]"), Fails),
        case("json-array-sheet", move || json_map("[[]]"), Fails),
        case(
            "json-truncated",
            move || json_map("[{\"rootTopic\":{\"title\":\"a\""),
            Fails,
        ),
        case(
            "json-numbers-where-strings-belong",
            move || {
                json_map(
                    r#"[{"id":1,"title":2,"rootTopic":{"id":3,"title":4.5,"labels":[6],"href":7}}]"#,
                )
            },
            Converts,
        ),
        case(
            "json-objects-where-arrays-belong",
            move || {
                json_map(
                    r#"[{"rootTopic":{"title":"r","children":{"attached":{"title":"one"}},"labels":{"a":1},"markers":{"markerId":"x"}}}]"#,
                )
            },
            Converts,
        ),
        case(
            "json-arrays-where-objects-belong",
            move || {
                json_map(
                    r#"[{"rootTopic":{"title":"r","notes":[1,2],"image":[],"children":[{"title":"c"}]}}]"#,
                )
            },
            Converts,
        ),
        case(
            "json-nulls-everywhere",
            move || {
                json_map(
                    r#"[{"id":null,"title":null,"rootTopic":{"id":null,"title":null,"notes":null,"labels":null,"markers":null,"children":null,"summaries":null,"boundaries":null},"relationships":null}]"#,
                )
            },
            Converts,
        ),
        case(
            "json-raw-control-character-in-string",
            move || json_map("[{\"rootTopic\":{\"title\":\"a\u{1}b\"}}]"),
            Converts,
        ),
        case(
            "json-escaped-control-characters",
            move || json_map(r#"[{"rootTopic":{"title":"\u0008B树 \u0000 \u001f end"}}]"#),
            Converts,
        ),
        case(
            "json-invalid-utf8",
            move || {
                zip(&[(
                    "content.json",
                    b"[{\"rootTopic\":{\"title\":\"caf\xe9 \xff\"}}]",
                )])
            },
            Converts,
        ),
        case(
            "json-bom",
            move || json_map("\u{feff}[{\"rootTopic\":{\"title\":\"bom\"}}]"),
            Converts,
        ),
        case(
            "json-deep-junk-under-unknown-key",
            move || {
                zip_stored(
                    "content.json",
                    &format!(
                        "[{{\"rootTopic\":{{\"title\":\"r\",\"junk\":{}{}}}}}]",
                        "[".repeat(1_000_000),
                        "]".repeat(1_000_000)
                    ),
                )
            },
            Converts,
        ),
        case(
            "json-huge-range-numbers",
            move || {
                json_map(
                    r#"[{"rootTopic":{"title":"r","children":{"attached":[{"title":"a"}],"summary":[{"id":"z","title":"s"}]},"summaries":[{"range":"(99999999999999999999,-5)","topicId":"z"}],"boundaries":[{"range":"(,)"},{"range":""},{"range":"master"}]}}]"#,
                )
            },
            Converts,
        ),
        // XML.
        case(
            "xml-xxe",
            move || {
                xml_map(
                    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xmap-content><sheet><topic><title>&xxe;</title></topic></sheet></xmap-content>",
                )
            },
            Fails,
        ),
        case(
            "xml-billion-laughs",
            move || xml_map(&billion_laughs()),
            Fails,
        ),
        case(
            "xml-doctype-without-entities",
            move || {
                xml_map(
                    "<!DOCTYPE xmap-content><xmap-content><sheet><topic><title>ok</title></topic></sheet></xmap-content>",
                )
            },
            Converts,
        ),
        case(
            "xml-invalid-utf8",
            move || {
                zip(&[("content.xml", b"<xmap-content><sheet><topic><title>caf\xe9 \xff</title></topic></sheet></xmap-content>")])
            },
            Converts,
        ),
        case(
            "xml-control-characters",
            move || {
                xml_map(
                    "<xmap-content><sheet><topic><title>jre\u{8}bin \u{1}\u{1f}</title></topic></sheet></xmap-content>",
                )
            },
            Converts,
        ),
        case("xml-empty-entry", move || xml_map(""), Fails),
        case(
            "xml-wrong-root",
            move || xml_map("<html><body>hello</body></html>"),
            Fails,
        ),
        case(
            "xml-unclosed",
            move || xml_map("<xmap-content><sheet><topic><title>x</title>"),
            Fails,
        ),
        case(
            "xml-deep-unknown-elements",
            move || {
                zip_stored(
                    "content.xml",
                    &format!(
                        "<xmap-content><sheet><topic><title>r</title><x>{}{}</x></topic></sheet></xmap-content>",
                        "<a>".repeat(500_000),
                        "</a>".repeat(500_000)
                    ),
                )
            },
            Converts,
        ),
        case(
            "xml-deep-note-html",
            move || {
                zip_stored(
                    "content.xml",
                    &format!(
                        "<xmap-content><sheet><topic><title>r</title><notes><html>{}deep{}</html></notes></topic></sheet></xmap-content>",
                        "<xhtml:p>".repeat(300_000),
                        "</xhtml:p>".repeat(300_000)
                    ),
                )
            },
            Converts,
        ),
        case(
            "xml-broken-comments",
            move || {
                zip(&[
                ("content.xml", b"<xmap-content><sheet><topic id=\"a\"><title>r</title></topic></sheet></xmap-content>"),
                ("comments.xml", b"<comments><comment object-id=\"a\"><content>unclosed"),
            ])
            },
            Converts,
        ),
        // Big, deep and wide.
        case(
            "title-20-mb",
            move || {
                zip_stored(
                    "content.json",
                    &format!(
                        "[{{\"rootTopic\":{{\"title\":\"{}\"}}}}]",
                        text_of_len(20 << 20)
                    ),
                )
            },
            Fails,
        ),
        case(
            "flat-1000000-topics",
            move || zip_stored("content.json", &flat_json(1_000_000)),
            Converts,
        ),
    ];
    const JSON_ONLY: &[&str] = &["json"];
    for (name, bytes, expect) in [
        (
            "chain-100000-levels-json",
            (|| json_map(&deep_json(100_000))) as fn() -> Vec<u8>,
            Converts,
        ),
        (
            "chain-100000-levels-xml",
            || xml_map(&deep_xml(100_000)),
            Converts,
        ),
        (
            "chain-100001-levels-json",
            || json_map(&deep_json(100_001)),
            Fails,
        ),
        (
            "chain-100001-levels-xml",
            || xml_map(&deep_xml(100_001)),
            Fails,
        ),
    ] {
        v.push(Case {
            only: Some(JSON_ONLY),
            ..case(name, bytes, expect)
        });
    }
    let title = case(
        "title-20-mb-allowed",
        move || {
            zip_stored(
                "content.json",
                &format!(
                    "[{{\"rootTopic\":{{\"title\":\"{}\"}}}}]",
                    text_of_len(20 << 20)
                ),
            )
        },
        Converts,
    );
    v.push(Case {
        args: vec!["--max-text", "32"],
        ..title
    });
    // A rich note of 1.5 MB of tags that never end, which once cost the note reader (Markdown,
    // HTML) quadratic time: hours instead of milliseconds.
    v.push(case(
        "note-unclosed-tags-1-mb",
        || {
            let html = format!(
                "{}{}{}",
                "<script>x</script>".repeat(30_000),
                "<p x ".repeat(100_000),
                "<a b=\"".repeat(100_000)
            );
            let map = serde_json::json!([{"rootTopic": {"title": "r",
                "notes": {"realHTML": {"content": html}}}}]);
            zip_stored("content.json", &map.to_string())
        },
        Converts,
    ));
    // Crowds: many things that share one id, one topic or one pair of ends. Each of these once
    // cost, or could cost, an emitter time quadratic in their number (unique FreeMind, DOT and
    // Org ids counted up from `_2` again for every topic; every topic rebuilt the sheet's
    // relationships; DOT drew every summary from every child it covers; Org deduplicated tags
    // in a list): at 200,000, minutes instead of a second.
    const N: usize = 200_000;
    let crowds: [(&str, Build); 5] = [
        ("crowd-topics-sharing-one-id-and-linking-it", || {
            let kids: Vec<_> = (0..N)
                .map(|i| serde_json::json!({"id": "x", "title": format!("t{i}"), "href": "xmind:#x"}))
                .collect();
            let map = serde_json::json!([{"rootTopic": {"id": "x", "title": "r",
                "children": {"attached": kids}}}]);
            zip(&[("content.json", map.to_string().as_bytes())])
        }),
        ("crowd-relationships-between-one-pair", || {
            let rels: Vec<_> = (0..N)
                .map(|i| serde_json::json!({"id": format!("r{i}"), "end1Id": "a", "end2Id": "b", "title": "rel"}))
                .collect();
            let map = serde_json::json!([{"rootTopic": {"id": "r", "title": "r",
                "children": {"attached": [{"id": "a", "title": "a"}, {"id": "b", "title": "b"}]}},
                "relationships": rels}]);
            zip(&[("content.json", map.to_string().as_bytes())])
        }),
        ("crowd-summaries-each-over-every-child", || {
            let n = N / 4;
            let kids: Vec<_> = (0..n)
                .map(|i| serde_json::json!({"id": format!("k{i}"), "title": "t"}))
                .collect();
            let sums: Vec<_> = (0..n)
                .map(|i| serde_json::json!({"id": format!("u{i}"), "title": "s"}))
                .collect();
            let ranges: Vec<_> = (0..n)
                .map(|i| serde_json::json!({"id": format!("m{i}"), "range": format!("(0,{})", n - 1), "topicId": format!("u{i}")}))
                .collect();
            let map = serde_json::json!([{"rootTopic": {"id": "r", "title": "r",
                "children": {"attached": kids, "summary": sums}, "summaries": ranges}}]);
            zip(&[("content.json", map.to_string().as_bytes())])
        }),
        ("crowd-labels-and-markers-on-one-topic", || {
            let labels: Vec<_> = (0..N).map(|i| format!("l{i}")).collect();
            let markers: Vec<_> = (0..N)
                .map(|i| serde_json::json!({"markerId": format!("priority-{}", i % 9 + 1)}))
                .collect();
            let map = serde_json::json!([{"rootTopic": {"id": "r", "title": "r",
                "labels": labels, "markers": markers}}]);
            zip(&[("content.json", map.to_string().as_bytes())])
        }),
        ("crowd-comments-on-one-topic-xml", || {
            let content = "<xmap-content xmlns=\"urn:xmind:xmap:xmlns:content:2.0\" version=\"2.0\">\
                <sheet id=\"s\"><topic id=\"x\"><title>r</title></topic></sheet></xmap-content>";
            let mut comments = String::from("<comments>");
            for i in 0..N {
                let _ = write!(
                    comments,
                    "<comment object-id=\"x\" author=\"a\" time=\"{i}\"><content>c{i}</content></comment>"
                );
            }
            comments.push_str("</comments>");
            zip(&[
                ("content.xml", content.as_bytes()),
                ("comments.xml", comments.as_bytes()),
            ])
        }),
    ];
    for (name, bytes) in crowds {
        v.push(case(name, bytes, Converts));
    }
    // Mermaid refuses several sheets (README), so the crowd of sheets goes to the others.
    let (name, bytes): (&str, Build) = ("crowd-sheets-sharing-one-id", || {
        let sheets: Vec<_> = (0..N / 4)
            .map(|_| {
                serde_json::json!({"id": "s", "title": "same",
                    "rootTopic": {"id": "x", "title": "r", "href": "xmind:#x"}})
            })
            .collect();
        zip_stored("content.json", &serde_json::Value::from(sheets).to_string())
    });
    let several_sheets: Vec<&'static str> =
        formats().into_iter().filter(|&f| f != "mermaid").collect();
    v.push(Case {
        only: Some(several_sheets.leak()),
        ..case(name, bytes, Converts)
    });
    // Zip bombs: 1 GiB of spaces in about 1 MiB, with honest and with lying headers, and a
    // smaller one that only the ratio catches.
    let bomb = |mib: usize, declared: u32| {
        move || {
            let (data, crc) = deflated_spaces(mib);
            raw_zip(&[RawEntry {
                name: b"content.json".to_vec(),
                method: 8,
                flags: 0,
                compressed_size: data.len() as u32,
                uncompressed_size: declared,
                crc,
                data,
            }])
        }
    };
    v.push(case("zip-bomb", bomb(1024, u32::MAX), Fails));
    v.push(case("zip-bomb-lying-header", bomb(1024, 1000), Fails));
    v.push(case(
        "zip-bomb-under-size-limit",
        bomb(200, 200 << 20),
        Fails,
    ));
    // Cut and corrupted copies of a valid map.
    let good = victim();
    for i in 0..24 {
        let at = good.len() * i / 24;
        let cut = good[..at].to_vec();
        v.push(case(
            &format!("truncated-at-{at}"),
            move || cut.clone(),
            Either,
        ));
    }
    for i in 0..24 {
        let at = (good.len() * i / 24 + 7) % good.len();
        let mut bad = good.clone();
        bad[at] ^= 0x5A;
        v.push(case(
            &format!("flipped-byte-{at}"),
            move || bad.clone(),
            Either,
        ));
    }
    v
}

fn billion_laughs() -> String {
    let mut s = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        let _ = write!(s, "<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10));
    }
    s.push_str(
        "]><xmap-content><sheet><topic><title>&lol9;</title></topic></sheet></xmap-content>",
    );
    s
}

/// Text that does not compress well, so only the text-length limit can refuse it.
fn text_of_len(n: usize) -> String {
    let mut x: u32 = 12345;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (b'a' + ((x >> 16) % 26) as u8) as char
        })
        .collect()
}

fn flat_json(n: usize) -> String {
    let mut s = String::from(
        "[{\"title\":\"Flat\",\"rootTopic\":{\"title\":\"root\",\"children\":{\"attached\":[",
    );
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{{\"id\":\"t{i}\",\"title\":\"topic {i}\"}}");
    }
    s.push_str("]}}}]");
    s
}

fn zip_stored(name: &str, content: &str) -> Vec<u8> {
    raw_zip(&[RawEntry::stored(name, content.as_bytes())])
}

fn formats() -> Vec<&'static str> {
    xmindconv::WRITERS.iter().map(|e| e.name()).collect()
}

#[test]
fn malformed_inputs_end_cleanly_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    // Every input is written first (each built and dropped in turn, so the test process stays
    // small), then the runs go on all cores; results keep the order of the cases.
    let mut jobs = Vec::new();
    for (n, c) in cases.iter().enumerate() {
        let path = dir.path().join(format!("{}.xmind", c.name));
        std::fs::write(&path, (c.bytes)()).unwrap();
        for format in c.only.map_or_else(formats, |f| f.to_vec()) {
            jobs.push((n, format, path.clone()));
        }
    }
    let plain: Vec<(&str, Expect, &[&str])> = cases
        .iter()
        .map(|c| (c.name.as_str(), c.expect, c.args.as_slice()))
        .collect();
    let results: Vec<std::sync::Mutex<Option<common::Run>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..cores {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((n, format, path)) = jobs.get(i) else {
                        break;
                    };
                    let r = run(path, format, plain[*n].2, 4 << 20, Duration::from_secs(120));
                    *results[i].lock().unwrap() = Some(r);
                }
            });
        }
    });
    let mut report = String::new();
    let mut problems = Vec::new();
    for ((n, format, path), r) in jobs.iter().zip(results) {
        let (name, expect, _) = plain[*n];
        let r = r.into_inner().unwrap().expect("every job ran");
        let lines = r.stderr.lines().count();
        let ok = match r.code {
            Some(0) => expect != Expect::Fails && r.stderr.is_empty() && r.stdout_len > 0,
            Some(1) => {
                expect != Expect::Converts
                    && lines == 1
                    && r.stderr
                        .starts_with(&format!("xmindconv: {}: ", path.display()))
                    && r.stdout_len == 0
            }
            _ => false,
        } && r.max_rss_kib < 1 << 20;
        if !ok {
            problems.push(format!(
                "{name} -t {format}: expected {expect:?}, got exit {:?} after {:?} (peak {} MiB): {}",
                r.code,
                r.elapsed,
                r.max_rss_kib >> 10,
                r.stderr
            ));
        }
        // One line per named case (not the cut/corrupted families) for the error catalogue.
        if *format == "json" && expect != Expect::Either {
            let msg = r
                .stderr
                .trim_end()
                .replace(&dir.path().display().to_string(), "DIR");
            let _ = writeln!(report, "{name:<40} exit {:?}  {msg}", r.code.unwrap_or(-1));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    insta::assert_snapshot!("hostile-inputs", report);
}

/// One hostile input for the FreeMind, Mermaid and text readers: its file name (the extension
/// picks the reader), its bytes, what it must do, extra arguments, and a piece the error must
/// contain.
type ReaderCase = (
    &'static str,
    Vec<u8>,
    Expect,
    &'static [&'static str],
    &'static str,
);

fn deep_mm(depth: usize) -> Vec<u8> {
    let mut s = String::from("<map version=\"1.0.1\">");
    for i in 0..depth {
        let _ = write!(s, "<node TEXT=\"{i}\">");
    }
    s.push_str(&"</node>".repeat(depth));
    s.push_str("</map>");
    s.into_bytes()
}

/// An indented outline `depth` levels deep, one `unit` a level: indented formats grow with the
/// square of their depth, so 100,000 levels (5 GB of spaces) would pass `--max-size`; 5,000
/// levels are 12 MB.
fn deep_indented(head: &str, unit: &str, depth: usize) -> Vec<u8> {
    let mut s = String::from(head);
    for i in 0..depth {
        s.push_str(&unit.repeat(i));
        let _ = writeln!(s, "n{i}");
    }
    s.into_bytes()
}

fn reader_cases() -> Vec<ReaderCase> {
    use Expect::*;
    let laughs = billion_laughs().replace(
        "<xmap-content><sheet><topic><title>&lol9;</title></topic></sheet></xmap-content>",
        "<map><node TEXT=\"&lol9;\"/></map>",
    );
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE map [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<map><node TEXT=\"a\">&x;</node></map>";
    let mut wide = String::from("mindmap\n  root\n");
    for i in 0..100_000 {
        let _ = writeln!(wide, "    n{i}[\"topic {i}\"]");
    }
    vec![
        ("deep.mm", deep_mm(100_000), Converts, &[], ""),
        (
            "deep-limited.mm",
            deep_mm(2_000),
            Fails,
            &["--max-depth", "1000"],
            "--max-depth",
        ),
        (
            "laughs.mm",
            laughs.into_bytes(),
            Fails,
            &[],
            "line 1, column",
        ),
        (
            "xxe.mm",
            xxe.as_bytes().to_vec(),
            Fails,
            &[],
            "line 3, column",
        ),
        (
            "unclosed.mm",
            b"<map>\n<node TEXT=\"a\">\n<node TEXT=\"b\">\n</map>\n".to_vec(),
            Fails,
            &[],
            "line 4, column",
        ),
        (
            "no-map.mm",
            b"<opml><body/></opml>".to_vec(),
            Fails,
            &[],
            "not <map>",
        ),
        (
            "latin1.mm",
            b"<map><node TEXT=\"caf\xe9\"/></map>".to_vec(),
            Fails,
            &[],
            "not UTF-8",
        ),
        (
            "long.mm",
            format!("<map><node TEXT=\"{}\"/></map>", text_of_len(2 << 20)).into_bytes(),
            Fails,
            &["--max-text", "1"],
            "--max-text",
        ),
        ("empty.mm", Vec::new(), Fails, &[], "empty"),
        (
            "deep.mmd",
            deep_indented("mindmap\n", " ", 5_000),
            Converts,
            &[],
            "",
        ),
        (
            "deep-limited.mmd",
            deep_indented("mindmap\n", " ", 2_000),
            Fails,
            &["--max-depth", "1000"],
            "--max-depth",
        ),
        ("wide.mmd", wide.into_bytes(), Converts, &[], ""),
        (
            "flowchart.mmd",
            b"graph TD\n  A-->B\n".to_vec(),
            Fails,
            &[],
            "line 1, column 1: not a Mermaid mindmap",
        ),
        (
            "unclosed.mmd",
            b"mindmap\n  root[\"open\n".to_vec(),
            Fails,
            &[],
            "line 2, column",
        ),
        (
            "two-roots.mmd",
            b"mindmap\n  a\n  b\n".to_vec(),
            Fails,
            &[],
            "line 3, column 3",
        ),
        (
            "long.mmd",
            format!("mindmap\n  r[{}]\n", text_of_len(2 << 20)).into_bytes(),
            Fails,
            &["--max-text", "1"],
            "--max-text",
        ),
        (
            "deep.txt",
            deep_indented("", "\t", 5_000),
            Converts,
            &[],
            "",
        ),
        (
            "deep-limited.txt",
            deep_indented("", "  ", 2_000),
            Fails,
            &["--max-depth", "1000"],
            "--max-depth",
        ),
        (
            "cr-only.txt",
            b"a\r  b\r    c\r".to_vec(),
            Converts,
            &[],
            "",
        ),
        ("latin1.txt", b"caf\xe9\n".to_vec(), Fails, &[], "not UTF-8"),
        ("deep.opml", deep_opml(100_000), Converts, &[], ""),
        (
            "deep-limited.opml",
            deep_opml(2_000),
            Fails,
            &["--max-depth", "1000"],
            "--max-depth",
        ),
        ("flat.opml", flat_opml(1_000_000), Converts, &[], ""),
        (
            "laughs.opml",
            billion_laughs()
                .replace(
                    "<xmap-content><sheet><topic><title>&lol9;</title></topic></sheet></xmap-content>",
                    "<opml version=\"2.0\"><body><outline text=\"&lol9;\"/></body></opml>",
                )
                .into_bytes(),
            Fails,
            &[],
            "line 1, column",
        ),
        (
            "xxe.opml",
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n\
              <opml version=\"2.0\"><body><outline text=\"&x;\"/></body></opml>"
                .to_vec(),
            Fails,
            &[],
            "line 3, column",
        ),
        (
            "unclosed.opml",
            b"<opml version=\"2.0\">\n<body>\n<outline text=\"a\">\n</body></opml>\n".to_vec(),
            Fails,
            &[],
            "line 4, column",
        ),
        (
            "latin1.opml",
            b"<opml><body><outline text=\"caf\xe9\"/></body></opml>".to_vec(),
            Fails,
            &[],
            "not UTF-8",
        ),
        ("empty.opml", Vec::new(), Fails, &[], "empty"),
        (
            "deep-list.md",
            deep_indented("", "  ", 3_000)
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .flat_map(|l| {
                    let indent = l.iter().take_while(|&&b| b == b' ').count();
                    let mut v = l[..indent].to_vec();
                    v.extend_from_slice(b"- ");
                    v.extend_from_slice(&l[indent..]);
                    v.push(b'\n');
                    v
                })
                .collect(),
            Converts,
            &[],
            "",
        ),
        (
            "quotes.md",
            (">".repeat(100_000) + " deep\n").into_bytes(),
            Converts,
            &[],
            "",
        ),
        ("latin1.md", b"# caf\xe9\n".to_vec(), Fails, &[], "not UTF-8"),
        ("empty.md", Vec::new(), Fails, &[], "empty"),
    ]
}

/// An OPML outline `depth` levels deep.
fn deep_opml(depth: usize) -> Vec<u8> {
    let mut s = String::from("<opml version=\"2.0\"><body>");
    for i in 0..depth {
        let _ = write!(s, "<outline text=\"{i}\">");
    }
    s.push_str(&"</outline>".repeat(depth));
    s.push_str("</body></opml>");
    s.into_bytes()
}

/// An OPML outline of `n` topics side by side.
fn flat_opml(n: usize) -> Vec<u8> {
    let mut s = String::from("<opml version=\"2.0\"><head><title>t</title></head><body>");
    for i in 0..n {
        let _ = write!(s, "<outline text=\"topic {i} &amp; more\"/>");
    }
    s.push_str("</body></opml>");
    s.into_bytes()
}

/// The new readers' hostile inputs, through the binary under the same memory and time limits:
/// deep input reads without the stack, entities beyond XML's five are refused, and every error is
/// one line naming the file, with its line and column where it has one.
#[test]
fn hostile_inputs_to_the_outline_readers_end_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (name, bytes, expect, args, wanted) in reader_cases() {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        drop(bytes);
        let r = run(&path, "json", args, 4 << 20, Duration::from_secs(120));
        let ok = match (r.code, expect) {
            (Some(0), Expect::Converts) => r.stderr.is_empty() && r.stdout_len > 0,
            (Some(1), Expect::Fails) => {
                r.stderr.lines().count() == 1
                    && r.stderr
                        .starts_with(&format!("xmindconv: {}: ", path.display()))
                    && r.stderr.contains(wanted)
                    && r.stdout_len == 0
            }
            _ => false,
        } && r.max_rss_kib < 1 << 20;
        if !ok {
            problems.push(format!(
                "{name}: expected {expect:?}, got exit {:?} after {:?} (peak {} MiB): {}",
                r.code,
                r.elapsed,
                r.max_rss_kib >> 10,
                r.stderr
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
