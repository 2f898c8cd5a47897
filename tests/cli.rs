//! The real binary: byte-exact text output, format selection, sheets, stdin, batch mode, exit
//! codes, error lines, atomic output, closed pipes, deep maps.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_xmindconv");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn text_output_of_the_example_equals_the_seed_file() {
    let o = run(&["-t", "text", "fixtures/大模型发展.xmind"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let seed = fs::read(fixture("大模型发展.txt")).unwrap();
    // The only allowed difference is our final newline.
    assert_eq!(o.stdout, [seed.as_slice(), b"\n"].concat());
    assert_eq!(stderr(&o), "");
}

#[test]
fn txt_is_an_alias_and_markdown_is_the_default() {
    let a = run(&["-t", "txt", "fixtures/大模型发展.xmind"]);
    let b = run(&["-t", "text", "fixtures/大模型发展.xmind"]);
    assert_eq!(a.stdout, b.stdout);
    let md = run(&["-t", "md", "fixtures/大模型发展.xmind"]);
    let default = run(&["fixtures/大模型发展.xmind"]);
    assert!(default.status.success(), "{}", stderr(&default));
    assert_eq!(md.stdout, default.stdout);
    assert!(
        stdout(&default).starts_with("# 大模型\n"),
        "{}",
        stdout(&default)
    );
    // An -o extension that names no format is still an error, not Markdown.
    let o = run(&["fixtures/大模型发展.xmind", "-o", "/tmp/xmindconv-out.docx"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn list_formats_names_every_format() {
    let o = run(&["--list-formats"]);
    assert!(o.status.success());
    let s = stdout(&o);
    for name in ["json", "text, txt"] {
        assert!(s.contains(name), "{s}");
    }
}

#[test]
fn format_is_inferred_from_the_output_extension() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("map.json");
    let o = run(&["fixtures/大模型发展.xmind", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["sheets"][0]["root"]["title"], "大模型");
    assert_eq!(o.stdout, b"");
}

#[test]
fn unknown_format_and_unknown_extension_are_usage_errors() {
    let o = run(&["-t", "docx", "fixtures/大模型发展.xmind"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown format \"docx\"; known formats: markdown, json"),
        "{}",
        stderr(&o)
    );
    let o = run(&["fixtures/大模型发展.xmind", "-o", "/tmp/xmindconv-out.docx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot tell the format from"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_file_is_one_line_naming_it() {
    let o = run(&["no-such-map.xmind"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o), "xmindconv: no-such-map.xmind: no such file\n");
}

#[test]
fn broken_inputs_give_one_line_and_exit_1() {
    let cases = [
        ("err-7zip.xmind", "7-Zip archive"),
        ("err-lfs-pointer.xmind", "Git LFS pointer"),
        ("err-encrypted.xmind", "password-protected"),
        ("err-no-content.xmind", "no content.json or content.xml"),
        (
            "err-bad-json.xmind",
            "content.json: invalid JSON at line 1, column 28",
        ),
        ("err-bad-xml.xmind", "content.xml: invalid XML at byte"),
        ("err-empty.xmind", "the file is empty"),
        ("err-warning-stub-only.xmind", "\"Warning\" placeholder"),
        ("err-xxe.xmind", "undefined entity &xxe;"),
    ];
    for (file, expected) in cases {
        let path = format!("fixtures/{file}");
        let o = run(&["-t", "json", &path]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{file}: {err}");
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
        assert!(err.starts_with(&format!("xmindconv: {path}: ")), "{err}");
        assert!(err.contains(expected), "{file}: {err}");
        assert_eq!(o.stdout, b"", "{file}");
    }
}

#[test]
fn stdin_is_read_with_a_dash_or_from_a_pipe() {
    let bytes = fs::read(fixture("大模型发展.xmind")).unwrap();
    let a = run_stdin(&["-t", "text", "-"], &bytes);
    let b = run_stdin(&["-t", "text"], &bytes);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    assert!(stdout(&a).starts_with("<stdin>\n大模型\n\n  • RNN"));
    // Text that is not a zip is read as another format (Markdown, by default); `-f xmind`
    // insists on an XMind file.
    let bad = run_stdin(&["-f", "xmind", "-t", "json"], b"hello");
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).starts_with("xmindconv: <stdin>: not an XMind file"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn sheets_are_selected_by_number_or_title() {
    let by_number = run(&[
        "-t",
        "text",
        "--sheet",
        "2",
        "fixtures/features-xmind8.xmind",
    ]);
    let by_title = run(&[
        "-t",
        "text",
        "--sheet",
        "Second sheet",
        "fixtures/features-xmind8.xmind",
    ]);
    assert!(by_number.status.success());
    assert_eq!(by_number.stdout, by_title.stdout);
    assert_eq!(
        stdout(&by_number),
        "features-xmind8.xmind\nOther root\n\n  • One\n  • Two 😢\n"
    );
    let o = run(&["--sheet", "9", "fixtures/features-xmind8.xmind"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "xmindconv: fixtures/features-xmind8.xmind: no sheet \"9\"; the map has: 1 \"Plan\", 2 \"Second sheet\"\n"
    );
}

#[test]
fn depth_and_titles_only_limit_the_output() {
    let o = run(&[
        "-t",
        "text",
        "--depth",
        "1",
        "--titles-only",
        "--sheet",
        "1",
        "fixtures/features-xmind8.xmind",
    ]);
    assert_eq!(
        stdout(&o),
        "features-xmind8.xmind\nTrip\n\n  • Book\n    flights\n  • Hotel\n  • Visa\n  • ticket.txt\n  • C# (v2) [beta] {x} \"q\" <b> & * _ % :::\n"
    );
}

#[test]
fn extras_can_be_switched_on_in_text() {
    let o = run(&[
        "-t",
        "text",
        "--with",
        "notes,labels,links",
        "fixtures/大模型发展.xmind",
    ]);
    let s = stdout(&o);
    assert!(
        s.contains(
            "\n    Labels: RNN, 1990\n    Note: Elman, J. L. (1990). Cognitive Science 14(2).\n"
        ),
        "{s}"
    );
    assert!(
        s.contains("\n    Link: https://arxiv.org/abs/1706.03762\n"),
        "{s}"
    );
    assert!(!s.contains("Markers:"), "{s}");
    let o = run(&["--with", "nonsense", "fixtures/大模型发展.xmind"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn batch_mode_writes_one_file_per_input_and_reports_failures() {
    let dir = tempfile::tempdir().unwrap();
    let out = format!("{}/", dir.path().join("out").display());
    let o = run(&[
        "-t",
        "json",
        "-o",
        &out,
        "fixtures/大模型发展.xmind",
        "fixtures/err-bad-json.xmind",
        "fixtures/features-xmind8.xmind",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(
        err,
        "xmindconv: fixtures/err-bad-json.xmind: content.json: invalid JSON at line 1, column 28: trailing comma\n\
         xmindconv: 1 of 3 inputs failed\n"
    );
    let mut written: Vec<String> = fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["features-xmind8.json", "大模型发展.json"]);
}

#[test]
fn several_inputs_to_one_file_is_a_usage_error() {
    let o = run(&[
        "-o",
        "/tmp/x.json",
        "fixtures/大模型发展.xmind",
        "fixtures/features-xmind8.xmind",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn output_files_get_the_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("map.md");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022; exec '{BIN}' fixtures/大模型发展.xmind -o '{}'",
            out.display()
        ))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

#[test]
fn a_failed_run_leaves_an_existing_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("map.json");
    fs::write(&out, "precious").unwrap();
    let o = run(&["fixtures/err-bad-xml.xmind", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(fs::read_to_string(&out).unwrap(), "precious");
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "a temporary file was left behind");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.xmind");
    let mut json = String::from("[{\"rootTopic\":{\"title\":\"wide\",\"children\":{\"attached\":[");
    for i in 0..200_000 {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!("{{\"title\":\"topic number {i}\"}}"));
    }
    json.push_str("]}}}]");
    fs::write(&path, common::zip(&[("content.json", json.as_bytes())])).unwrap();
    let mut child = Command::new(BIN)
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
}

/// Markdown of the 10,000-level chain: the last topic is a list item indented two spaces for
/// every level below the last heading.
fn deep_markdown(s: &str, headings: usize) {
    let last = s.lines().last().unwrap();
    assert_eq!(last.trim_start(), "- level 10000");
    assert_eq!(
        last.len() - last.trim_start().len(),
        2 * (10_000 - headings)
    );
}

/// A 10,000-level chain (within `--max-depth`) through every writer: each row is the arguments,
/// whether the content.xml flavour runs too, and what the output must hold. The rows run on all
/// cores; a writer without a row fails the test.
#[test]
fn a_10000_level_chain_converts_with_every_writer() {
    type Check = fn(&str);
    let rows: &[(&[&str], bool, Check)] = &[
        (&["-t", "json"], true, |s| {
            assert!(s.contains("level 10000"))
        }),
        (&["-t", "text"], true, |s| {
            assert!(s.contains("level 10000"))
        }),
        (&["-t", "markdown"], true, |s| deep_markdown(s, 2)),
        (&["-t", "markdown", "--list-only"], false, |s| {
            deep_markdown(s, 0)
        }),
        (&["-t", "markdown", "--heading-levels", "6"], false, |s| {
            deep_markdown(s, 6)
        }),
        (&["-t", "opml"], false, |s| {
            let pad = " ".repeat(2 * 10_002);
            assert!(s.contains(&format!("\n{pad}<outline text=\"level 10000\"/>\n")));
            assert!(s.ends_with("    </outline>\n  </body>\n</opml>\n"));
        }),
        (&["-t", "mermaid"], false, |s| {
            let pad = " ".repeat(2 * 10_001);
            assert!(s.ends_with(&format!("\n{pad}n10000[\"level 10000\"]\n")));
        }),
        (&["-t", "freemind"], false, |s| {
            assert_eq!(s.matches("<node ").count(), 10_001);
            assert_eq!(s.matches("</node>").count(), 10_001);
            assert!(s.contains("<node ID=\"ID_1_10000\" TEXT=\"level 10000\">\n</node>\n"));
            assert!(s.starts_with("<map version=\"1.0.1\">\n") && s.ends_with("</node>\n</map>\n"));
        }),
        (&["-t", "org"], false, |s| {
            assert_eq!(s.lines().count(), 10_001);
            assert_eq!(
                s.lines().last().unwrap(),
                format!("{} level 10000", "*".repeat(10_001))
            );
        }),
        (&["-t", "plantuml"], false, |s| {
            let lines: Vec<&str> = s.lines().collect();
            assert_eq!(lines.len(), 10_003);
            assert_eq!(lines[0], "@startmindmap");
            assert_eq!(lines[10_001], format!("{} level 10000", "*".repeat(10_001)));
            assert_eq!(lines[10_002], "@endmindmap");
        }),
        (&["-t", "dot"], false, |s| {
            assert_eq!(s.matches(" -> ").count(), 10_000);
            assert!(s.contains(
                "  \"s1-10000\" [label=\"level 10000\"];\n  \"s1-9999\" -> \"s1-10000\";\n"
            ));
            assert!(s.ends_with("}\n"));
        }),
        // Nested as far as browsers nest, then flat (see src/write/html.rs).
        (&["-t", "html"], false, |s| {
            assert_eq!(s.matches("<details").count(), 64);
            assert!(s.contains("<span class=\"t\">level 10000</span></div></div>\n</details>"));
        }),
        (&["-t", "csv"], false, |s| {
            assert!(s.starts_with("Level 1,Level 2,"));
            assert!(s.contains(",Level 10001,Note,Labels,Markers\r\nroot,level 1,level 2,"));
        }),
        (&["-t", "csv", "--csv-style", "paths"], false, |s| {
            assert_eq!(s.matches("\r\n").count(), 2, "a header and one row");
            assert!(s.contains("level 9999"));
        }),
        // The archive is deflated: tests/xmind_writer.rs reads the chain back.
        (&["-t", "xmind"], true, |s| {
            assert!(s.starts_with("PK\u{3}\u{4}"))
        }),
        (&["-t", "xmind8"], true, |s| {
            assert!(s.starts_with("PK\u{3}\u{4}"))
        }),
        // 10,001 level columns and a header: within Excel's 16,384 columns. The workbook is
        // read back in tests/consumers.rs.
        (&["-t", "xlsx"], false, |s| {
            assert!(s.starts_with("PK\u{3}\u{4}"))
        }),
        (&["-t", "csv", "--csv-style", "testcase"], false, |s| {
            assert_eq!(s.matches("\r\n").count(), 2, "a header and one row");
            assert!(s.contains("level 9999"));
        }),
        // The chain is one test case: level 1 the suite, the case named by the levels below.
        (&["-t", "testlink"], false, |s| {
            assert_eq!(s.matches("<testcase ").count(), 1);
            assert!(s.contains("<testsuite name=\"level 1\">"));
            assert!(s.contains("<testcase name=\"level 2 level 3 "));
            assert!(s.contains(" level 9999 level 10000\">"));
        }),
        (&["-t", "zentao"], false, |s| {
            assert_eq!(s.matches("\r\n").count(), 2, "a header and one row");
            assert!(s.contains("\r\nlevel 1,level 2 level 3 "));
            assert!(s.contains(" level 10000,无,,,,中,手动,迭代测试\r\n"));
        }),
    ];
    for w in xmindconv::WRITERS {
        assert!(
            rows.iter().any(|(args, _, _)| args[1] == w.name()),
            "no 10,000-level row for -t {}",
            w.name()
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("deep-json.xmind");
    let xml = dir.path().join("deep-xml.xmind");
    fs::write(
        &json,
        common::zip(&[("content.json", common::deep_json(10_000).as_bytes())]),
    )
    .unwrap();
    fs::write(
        &xml,
        common::zip(&[("content.xml", common::deep_xml(10_000).as_bytes())]),
    )
    .unwrap();
    let mut jobs = Vec::new();
    for &(args, both, check) in rows {
        jobs.push((args, json.as_path(), check));
        if both {
            jobs.push((args, xml.as_path(), check));
        }
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..cores {
            scope.spawn(|| {
                while let Some(&(args, path, check)) =
                    jobs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let mut all = args.to_vec();
                    all.push(path.to_str().unwrap());
                    let o = run(&all);
                    assert!(o.status.success(), "{all:?}: {}", stderr(&o));
                    // Lossy for the binary formats, whose rows check only the start.
                    let out = String::from_utf8_lossy(&o.stdout).into_owned();
                    // A failed check names its row.
                    let shown = format!("{all:?}");
                    let result = std::panic::catch_unwind(|| check(&out));
                    assert!(result.is_ok(), "{shown}: output check failed");
                }
            });
        }
    });
}

#[test]
fn max_depth_is_checked_while_reading() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("deep-json.xmind");
    fs::write(
        &json,
        common::zip(&[("content.json", common::deep_json(10_000).as_bytes())]),
    )
    .unwrap();
    let o = run(&["--max-depth", "500", json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).ends_with(
            "content.json: nesting depth of topics exceeds the limit of 500 levels (--max-depth raises it)\n"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn markdown_is_listed_first_and_its_options_are_checked() {
    let o = run(&["--list-formats"]);
    let s = stdout(&o);
    assert!(s.starts_with("markdown, md "), "{s}");
    assert!(s.lines().next().unwrap().contains(".md .markdown"), "{s}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("map.markdown");
    let o = run(&["fixtures/deep-outline.xmind", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        fs::read_to_string(&out)
            .unwrap()
            .contains("\n# Deep root\n")
    );
    let o = run(&["--heading-levels", "7", "fixtures/deep-outline.xmind"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "--list-only",
        "--heading-levels",
        "3",
        "fixtures/deep-outline.xmind",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--list-only", "--sheet", "2", "fixtures/deep-outline.xmind"]);
    assert_eq!(stdout(&o), "- Second sheet root\n  - only child\n");
    let o = run(&[
        "--heading-levels",
        "6",
        "--depth",
        "7",
        "--sheet",
        "1",
        "fixtures/deep-outline.xmind",
    ]);
    let s = stdout(&o);
    assert!(
        s.contains(
            "\n###### a level 5\n\n- a level 6\n  - a level 7\n  - a sibling at level 7\n\
             - a sibling at level 6\n\n###### a sibling at level 5\n"
        ),
        "{s}"
    );
    assert!(!s.contains("level 8"), "{s}");
}

#[test]
fn markers_can_be_words_or_emoji() {
    let words = stdout(&run(&["--sheet", "1", "fixtures/features-xmind2024.xmind"]));
    assert!(words.contains("> **Markers:** P1, 50%\n"), "{words}");
    let emoji = stdout(&run(&[
        "--marker-style",
        "emoji",
        "--sheet",
        "1",
        "fixtures/features-xmind2024.xmind",
    ]));
    assert!(emoji.contains("> **Markers:** 1️⃣ ◑\n"), "{emoji}");
    let titles = stdout(&run(&[
        "--titles-only",
        "--sheet",
        "1",
        "fixtures/features-xmind2024.xmind",
    ]));
    assert!(
        titles.lines().all(|l| !l.trim_start().starts_with('>')),
        "{titles}"
    );
}

#[test]
fn extract_media_writes_stored_files_and_links_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let media = dir.path().join("media");
    let o = run(&[
        "-t",
        "markdown",
        "--extract-media",
        media.to_str().unwrap(),
        "fixtures/features-xmind2024.xmind",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read(media.join("resources/0000.png")).unwrap(),
        b"\x89PNG\r\n\x1a\n"
    );
    assert_eq!(
        fs::read_to_string(media.join("resources/ticket.txt")).unwrap(),
        "a ticket\n"
    );
    let md = stdout(&o);
    let prefix = media.to_str().unwrap();
    assert!(
        md.contains(&format!("![image]({prefix}/resources/0000.png)")),
        "{md}"
    );
    assert!(
        md.contains(&format!("[ticket.txt]({prefix}/resources/ticket.txt)")),
        "{md}"
    );
}

#[test]
fn hostile_media_names_cannot_escape_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("evil.xmind");
    let json = r#"[{"rootTopic":{"title":"r","children":{"attached":[
        {"title":"a","image":{"src":"xap:../../escaped.png"}},
        {"title":"b","href":"xap:/etc/abs.txt"},
        {"title":"c","href":"xap:..\\..\\win.txt"}]}}}]"#;
    fs::write(
        &map,
        common::zip(&[
            ("content.json", json.as_bytes()),
            ("../../escaped.png", b"png"),
            ("/etc/abs.txt", b"abs"),
            ("..\\..\\win.txt", b"win"),
        ]),
    )
    .unwrap();
    let media = dir.path().join("deep/inside/media");
    let o = run(&[
        "--extract-media",
        media.to_str().unwrap(),
        map.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut written = Vec::new();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                written.push(
                    p.strip_prefix(dir.path())
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    written.sort();
    assert_eq!(
        written,
        [
            "deep/inside/media/escaped.png",
            "deep/inside/media/etc/abs.txt",
            "deep/inside/media/win.txt",
            "evil.xmind"
        ]
    );
}

#[test]
fn extract_media_works_in_batch_mode() {
    let dir = tempfile::tempdir().unwrap();
    let out = format!("{}/", dir.path().join("out").display());
    let media = dir.path().join("media");
    let o = run(&[
        "-t",
        "md",
        "-o",
        &out,
        "--extract-media",
        media.to_str().unwrap(),
        "fixtures/features-xmind2024.xmind",
        "fixtures/features-xmind8.xmind",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(media.join("resources/0000.png").is_file());
    assert!(media.join("attachments/0000.png").is_file());
    let md = fs::read_to_string(dir.path().join("out/features-xmind8.md")).unwrap();
    assert!(md.contains("/media/attachments/0000.png)"), "{md}");
}

#[test]
fn opml_and_mermaid_are_chosen_by_name_alias_or_extension() {
    let s = stdout(&run(&["--list-formats"]));
    assert!(s.contains("opml") && s.contains("mermaid, mmd"), "{s}");
    let map = "fixtures/大模型发展.xmind";
    let opml = run(&["-t", "opml", map]);
    assert!(opml.status.success(), "{}", stderr(&opml));
    assert!(stdout(&opml).contains("<opml version=\"2.0\">"));
    let mermaid = run(&["-t", "mermaid", map]);
    assert!(stdout(&mermaid).starts_with("mindmap\n  n0[\"大模型\"]\n"));
    assert_eq!(run(&["-t", "mmd", map]).stdout, mermaid.stdout);
    let dir = tempfile::tempdir().unwrap();
    for (name, expected) in [
        ("map.opml", &opml.stdout),
        ("map.mmd", &mermaid.stdout),
        ("map.mermaid", &mermaid.stdout),
    ] {
        let out = dir.path().join(name);
        let o = run(&[map, "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(&fs::read(&out).unwrap(), expected, "{name}");
    }
}

#[test]
fn mermaid_of_a_map_with_several_sheets_asks_for_one() {
    let map = "fixtures/features-xmind2024.xmind";
    let o = run(&["-t", "mermaid", map]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "xmindconv: {map}: a Mermaid mindmap holds one sheet and this map has 2 \
             (1 \"Plan\", 2 \"Second sheet\"); choose one with --sheet N\n"
        )
    );
    assert_eq!(o.stdout, b"");
    let o = run(&["-t", "mermaid", "--sheet", "Second sheet", map]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "mindmap\n  n0[\"Other root\"]\n    n1[\"One\"]\n    n2[\"Two 😢\"]\n"
    );
    // A failed conversion leaves no file behind.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("map.mmd");
    let o = run(&[map, "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.exists());
}

#[test]
fn the_mermaid_example_in_the_readme_is_current() {
    let o = run(&[
        "-t",
        "mermaid",
        "--sheet",
        "1",
        "fixtures/features-xmind2024.xmind",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/mermaid-example.mmd");
    assert_eq!(stdout(&o), fs::read_to_string(example).unwrap());
}

#[test]
fn password_protected_maps_open_with_the_password() {
    let map = "fixtures/encrypted-password-123456.xmind";
    let o = run(&["-t", "text", "--password", "123456", map]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "encrypted-password-123456.xmind\nCentral Topic\n\n  • asasdasdasd\n  • Main Topic 2\n  • Main Topic 3\n"
    );
    let with_env = Command::new(BIN)
        .args(["-t", "text", map])
        .env("XMINDCONV_PASSWORD", "123456")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(with_env.stdout, o.stdout);
    let wrong = run(&["--password", "654321", map]);
    assert_eq!(wrong.status.code(), Some(1));
    assert_eq!(
        stderr(&wrong),
        format!("xmindconv: {map}: wrong password: content.json does not decrypt\n")
    );
    let none = run(&[map]);
    assert_eq!(
        stderr(&none),
        format!(
            "xmindconv: {map}: the map is password-protected (content.json is encrypted), \
             password hint: \"654321\"; give the password with --password\n"
        )
    );
}

#[test]
fn batch_mode_is_deterministic_whatever_the_timing() {
    // Inputs of very different sizes (so that conversions end out of order), good and bad,
    // a missing one, one given twice, and two with the same file name in different folders.
    let dir = tempfile::tempdir().unwrap();
    let wide = |n: usize| {
        let mut json =
            String::from("[{\"rootTopic\":{\"title\":\"wide\",\"children\":{\"attached\":[");
        for i in 0..n {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&format!(
                "{{\"title\":\"topic {i}\",\"labels\":[\"l{i}\"]}}"
            ));
        }
        json.push_str("]}}}]");
        common::zip(&[("content.json", json.as_bytes())])
    };
    let mut inputs: Vec<String> = Vec::new();
    for (i, n) in [40_000, 10, 20_000, 1].into_iter().enumerate() {
        let p = dir.path().join(format!("wide{i}.xmind"));
        fs::write(&p, wide(n)).unwrap();
        inputs.push(p.display().to_string());
    }
    for sub in ["a", "b"] {
        fs::create_dir(dir.path().join(sub)).unwrap();
        let p = dir.path().join(sub).join("same.xmind");
        fs::write(&p, wide(if sub == "a" { 30_000 } else { 3 })).unwrap();
        inputs.push(p.display().to_string());
    }
    let mut fixtures: Vec<String> = fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xmind"))
        .map(|p| format!("fixtures/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    fixtures.sort();
    assert!(fixtures.iter().any(|f| f.contains("err-")));
    let mixed: Vec<String> = fixtures
        .iter()
        .cloned()
        .chain(["no-such-map.xmind".to_string(), fixtures[0].clone()])
        .collect();
    // Interleave big and small, good and bad.
    let mut all = Vec::new();
    for i in 0..inputs.len().max(mixed.len()) {
        all.extend(inputs.get(i).cloned());
        all.extend(mixed.get(i).cloned());
    }

    for format in ["json", "text"] {
        let mut args = vec!["-v", "-t", format];
        args.extend(all.iter().map(String::as_str));
        let first = run(&args);
        assert_eq!(first.status.code(), Some(1));
        // The same as converting the inputs one at a time, concatenated in input order.
        let (mut out, mut err, mut failed) = (Vec::new(), String::new(), 0);
        for input in &all {
            let o = run(&["-v", "-t", format, input]);
            out.extend_from_slice(&o.stdout);
            err.push_str(&stderr(&o));
            failed += (o.status.code() != Some(0)) as usize;
        }
        err.push_str(&format!(
            "xmindconv: {failed} of {} inputs failed\n",
            all.len()
        ));
        assert!(
            first.stdout == out,
            "{format}: batch output differs from one-by-one output"
        );
        assert_eq!(stderr(&first), err, "{format}");
        for _ in 0..4 {
            let again = run(&args);
            assert_eq!(again.status.code(), first.status.code());
            assert!(
                again.stdout == first.stdout,
                "{format}: output changed between runs"
            );
            assert_eq!(stderr(&again), stderr(&first));
        }
    }

    // One file per input: the same files every time, and of two inputs with one output name the
    // later one wins, as when run one at a time.
    let mut previous: Option<Vec<(String, Vec<u8>)>> = None;
    for run_no in 0..4 {
        let out_dir = dir.path().join(format!("out{run_no}"));
        let out_arg = format!("{}/", out_dir.display());
        let mut args = vec!["-t", "json", "-o", &out_arg];
        args.extend(all.iter().map(String::as_str));
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1));
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        let same = &files.iter().find(|(n, _)| n == "same.json").unwrap().1;
        let b = run(&["-t", "json", &inputs[5]]);
        assert!(
            *same == b.stdout,
            "the later of two inputs named same.xmind wins"
        );
        if let Some(p) = &previous {
            assert!(*p == files, "output files changed between runs");
        }
        previous = Some(files);
    }
}

/// The four formats of issue 6 are listed with their aliases and extensions, and `-o` picks
/// them from the extension.
#[test]
fn freemind_org_plantuml_and_dot_are_listed_and_inferred() {
    let s = stdout(&run(&["--list-formats"]));
    for name in ["freemind, mm", "org", "plantuml, puml", "dot, graphviz"] {
        assert!(s.contains(name), "{s}");
    }
    let dir = tempfile::tempdir().unwrap();
    for (ext, start) in [
        ("mm", "<map version=\"1.0.1\">"),
        ("org", "* Deep root"),
        ("puml", "@startmindmap"),
        ("plantuml", "@startmindmap"),
        ("dot", "digraph "),
        ("gv", "digraph "),
    ] {
        let out = dir.path().join(format!("map.{ext}"));
        let o = run(&[
            "--sheet",
            "1",
            "fixtures/deep-outline.xmind",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{ext}: {}", stderr(&o));
        assert!(
            fs::read_to_string(&out).unwrap().starts_with(start),
            "{ext}"
        );
    }
}

#[test]
fn html_embeds_the_maps_files_or_links_to_extracted_ones() {
    let page = stdout(&run(&["-t", "html", "fixtures/features-xmind2024.xmind"]));
    assert!(
        page.contains("<img class=\"image\" src=\"data:image/png;base64,iVBORw0KGgo=\""),
        "{page}"
    );
    assert!(page.contains(
        "<a class=\"t\" href=\"data:text/plain;base64,YSB0aWNrZXQK\" download=\"ticket.txt\">"
    ));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("map.htm");
    let media = dir.path().join("media");
    let o = run(&[
        "--extract-media",
        media.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "fixtures/features-xmind2024.xmind",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = fs::read_to_string(&out).unwrap();
    let prefix = media.to_str().unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "format from .htm");
    assert!(page.contains(&format!("src=\"{prefix}/resources/0000.png\"")));
    assert!(page.contains(&format!("href=\"{prefix}/resources/ticket.txt\"")));
    assert!(!page.contains("base64,"));
    assert!(media.join("resources/0000.png").is_file());
}

#[test]
fn csv_options_select_shape_bom_and_formula_guard() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("map.csv");
    let o = run(&[
        "--csv-bom",
        "-o",
        out.to_str().unwrap(),
        "--sheet",
        "2",
        "fixtures/features-xmind2024.xmind",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "\u{feff}Level 1,Level 2,Note,Labels,Markers\r\nOther root,One,,,\r\nOther root,Two 😢,,,\r\n"
    );
    let guarded = stdout(&run(&["-t", "csv", "fixtures/escaping.xmind"]));
    assert!(guarded.contains(",'- dash,"), "{guarded}");
    let raw = stdout(&run(&[
        "-t",
        "csv",
        "--csv-keep-formulas",
        "fixtures/escaping.xmind",
    ]));
    assert!(raw.contains(",- dash,"), "{raw}");
    let cases = stdout(&run(&[
        "-t",
        "csv",
        "--csv-style",
        "testcase",
        "fixtures/deep-outline.xmind",
    ]));
    assert!(
        cases.starts_with("Sheet,Suite,Case,Preconditions,Steps,Expected,Priority\r\n"),
        "{cases}"
    );
    let o = run(&[
        "-t",
        "csv",
        "--csv-style",
        "zentao",
        "fixtures/escaping.xmind",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Item 6: an indented format whose output would pass `--max-output` stops before writing, with
/// one line naming the depth and the remedy; `-o` leaves no file, and an existing one untouched.
#[test]
fn output_past_max_output_is_refused_without_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.xmind");
    fs::write(
        &path,
        common::zip(&[("content.json", common::deep_json(10_000).as_bytes())]),
    )
    .unwrap();
    let out = dir.path().join("deep.md");
    let o = run(&[
        "--max-output",
        "1",
        "-o",
        out.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("deep.xmind") && err.contains("10000"), "{err}");
    assert!(err.contains("--depth") && err.contains("-t json"), "{err}");
    assert!(!out.exists(), "a partial file was left");
    fs::write(&out, "keep me").unwrap();
    let o = run(&[
        "--max-output",
        "1",
        "-t",
        "mermaid",
        "-o",
        out.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(fs::read_to_string(&out).unwrap(), "keep me");
    // The same map within the limit, and as JSON, which is not indented.
    let o = run(&["--max-output", "1", "-t", "json", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&[
        "--max-output",
        "1",
        "--depth",
        "100",
        path.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Test-case formats: `--table-style` (and its old name `--csv-style`) picks the rows of CSV
/// and xlsx; `-o cases.xlsx` and `-o cases.xml` pick xlsx and TestLink, `.csv` stays -t csv; a
/// map without test cases gives the header only, with a `-v` warning and exit 0.
#[test]
fn test_case_formats_options_and_a_map_without_cases() {
    let new = stdout(&run(&[
        "-t",
        "csv",
        "--table-style",
        "testcase",
        "fixtures/deep-outline.xmind",
    ]));
    let old = stdout(&run(&[
        "-t",
        "csv",
        "--csv-style",
        "testcase",
        "fixtures/deep-outline.xmind",
    ]));
    assert_eq!(new, old);
    assert!(new.starts_with("Sheet,Suite,Case,"), "{new}");
    let dir = tempfile::tempdir().unwrap();
    for (name, starts) in [
        ("cases.xlsx", &b"PK\x03\x04"[..]),
        (
            "cases.xml",
            &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite>\n"[..],
        ),
        ("cases.csv", &b"Level 1,"[..]),
    ] {
        let out = dir.path().join(name);
        let o = run(&["-o", out.to_str().unwrap(), "fixtures/大模型发展.xmind"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(fs::read(&out).unwrap().starts_with(starts), "{name}");
    }
    // A root alone: no suites, no cases.
    let lone = dir.path().join("lone.xmind");
    fs::write(
        &lone,
        common::zip(&[(
            "content.json",
            br#"[{"title":"S","rootTopic":{"title":"Only the root"}}]"#,
        )]),
    )
    .unwrap();
    let lone = lone.to_str().unwrap();
    for (format, want) in [
        (
            "zentao",
            "所属模块,用例标题,前置条件,步骤,预期,关键词,优先级,用例类型,适用阶段\r\n",
        ),
        (
            "testlink",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite>\n</testsuite>\n",
        ),
    ] {
        let o = run(&["-t", format, lone]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), want);
        assert_eq!(stderr(&o), "", "warnings only with -v");
        let o = run(&["-v", "-t", format, lone]);
        assert!(o.status.success());
        let err = stderr(&o);
        assert!(
            err.contains("lone.xmind: warning: sheet 1: the root topic has no subtopics")
                && err.contains("warning: the map has no test cases"),
            "{err}"
        );
    }
    let o = run(&["-v", "-t", "csv", "--table-style", "testcase", lone]);
    assert_eq!(
        stdout(&o),
        "Suite,Case,Preconditions,Steps,Expected,Priority\r\n"
    );
    assert!(stderr(&o).contains("the map has no test cases"));
}
