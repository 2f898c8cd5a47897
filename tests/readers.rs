//! The readers of issue 14 and `-f json`: every format read back into the model, format
//! detection, and the one-line errors. Corpus tests read `../shared/corpus`; with
//! `XMINDCONV_REQUIRE_CORPUS` set, a missing corpus fails them instead of passing empty.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use xmindconv::read::{self, ReadOptions};
use xmindconv::{Document, WriteOptions, read_path, write};

const BIN: &str = env!("CARGO_BIN_EXE_xmindconv");

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every readable `.xmind` in fixtures/ and in the shared corpus; with
/// `XMINDCONV_REQUIRE_CORPUS` set, the corpus must be there.
pub fn maps() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    if !corpus.is_dir() {
        if std::env::var_os("XMINDCONV_REQUIRE_CORPUS").is_some() {
            panic!("no corpus at {}", corpus.display());
        }
        eprintln!("note: no corpus at {}; fixtures only", corpus.display());
    }
    let mut out = Vec::new();
    for dir in [root.join("fixtures"), corpus] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "xmind") && read_path(&p).is_ok() {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() > 5, "too few maps: {out:?}");
    out
}

fn json_of(doc: &Document) -> String {
    write::to_string(
        write::by_name("json").unwrap(),
        doc,
        &WriteOptions::default(),
    )
    .unwrap()
}

fn with_format(name: &str) -> ReadOptions {
    let mut o = ReadOptions::default();
    o.format = Some(name.into());
    o
}

#[test]
fn our_json_reads_back_to_the_same_json() {
    let mut failed = Vec::new();
    for map in maps() {
        let first = json_of(&read_path(&map).unwrap());
        match read::read_bytes_with(first.as_bytes(), &with_format("json")) {
            Ok(doc) if json_of(&doc) == first => {}
            Ok(_) => failed.push(format!("{}: differs", map.display())),
            Err(e) => failed.push(format!("{}: {e}", map.display())),
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn json_round_trips_through_the_binary_pipe() {
    let map = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/features-xmind2024.xmind");
    let first = Command::new(BIN)
        .args(["-t", "json"])
        .arg(&map)
        .output()
        .unwrap();
    assert!(first.status.success());
    let second = run_stdin(&["-f", "json", "-t", "json"], &first.stdout);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(first.stdout, second.stdout);
    // Detected from the content too.
    let third = run_stdin(&["-t", "json"], &first.stdout);
    assert_eq!(first.stdout, third.stdout, "{}", stderr(&third));
}

#[test]
fn bad_json_is_one_line_with_a_position_or_a_path() {
    let o = run_stdin(&["-f", "json"], b"{\"sheets\": [\n  {\"title\": tru}]}");
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.starts_with("xmindconv: <stdin>: invalid json at line 2, column"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
    let o = run_stdin(
        &["-f", "json"],
        br#"{"sheets":[{"title":"S","root":{"title":"R","children":[{"title":"a","children":{}}]}}]}"#,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "xmindconv: <stdin>: json: at sheets[0].root.children[0].children: expected an array\n"
    );
}

#[test]
fn empty_and_non_utf8_input_get_a_clear_line() {
    let o = run_stdin(&["-f", "json"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "xmindconv: <stdin>: the input is empty: there is no map to read\n"
    );
    let o = run_stdin(&["-f", "json"], b"{\"sheets\":\xff}");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not UTF-8: invalid byte at offset 10 (line 1)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn list_formats_says_which_read_and_which_write() {
    let o = Command::new(BIN).arg("--list-formats").output().unwrap();
    let s = String::from_utf8(o.stdout).unwrap();
    let line = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {s}"))
            .to_string()
    };
    assert!(line("json ").contains("read, write"), "{s}");
    assert!(line("xmind ").contains("read, write"), "{s}");
    assert!(line("xmind8 ").contains(" write "), "{s}");
    assert!(line("csv ").contains(" write "), "{s}");
}

#[test]
fn unknown_input_format_is_a_usage_error() {
    let o = run_stdin(&["-f", "docx"], b"x");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown input format"),
        "{}",
        stderr(&o)
    );
}

fn titles_tree(doc: &Document) -> String {
    let mut opts = WriteOptions::default();
    opts.titles_only();
    let text = write::to_string(write::by_name("text").unwrap(), doc, &opts).unwrap();
    // The first line names the input. Trailing white space is not compared: a blank line inside
    // a multi-line title comes back with one space more (a known gap).
    let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
    rest.lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}

/// Every map written as list-only Markdown (which keeps multi-line titles) reads back to the
/// same sheets and tree of titles.
#[test]
fn our_markdown_reads_back_to_the_same_tree() {
    let mut failed = Vec::new();
    let mut md_opts = WriteOptions::default();
    md_opts.titles_only();
    md_opts.heading_levels = Some(0);
    for map in maps() {
        let doc = read_path(&map).unwrap();
        let md = write::to_string(write::by_name("markdown").unwrap(), &doc, &md_opts).unwrap();
        let back = read::read_bytes_with(md.as_bytes(), &with_format("markdown")).unwrap();
        if titles_tree(&doc) != titles_tree(&back) {
            failed.push(map.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn text_without_a_known_signature_is_read_as_markdown() {
    let o = run_stdin(&["-t", "text"], b"# Root\n\n- a\n  - b\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "<stdin>\nRoot\n\n  • a\n    • b\n"
    );
}

/// Every map written as OPML (our writer, its defaults) reads back to the same sheets, tree of
/// titles (floating topics included) and notes. The one gap is the writer's: a sheet without a title is
/// written as "Sheet N", which the reader cannot tell from a sheet so named.
#[test]
fn our_opml_reads_back_to_the_same_tree() {
    let mut failed = Vec::new();
    let mut titles = WriteOptions::default();
    titles.titles_only();
    let text = write::by_name("text").unwrap();
    let opml = write::by_name("opml").unwrap();
    let mut n = 0;
    for map in maps() {
        let mut doc = read_path(&map).unwrap();
        for (i, s) in doc.sheets.iter_mut().enumerate() {
            if s.title.is_empty() {
                s.title = format!("Sheet {}", i + 1);
            }
        }
        let out = write::to_string(opml, &doc, &WriteOptions::default()).unwrap();
        let back = read::read_bytes_with(out.as_bytes(), &with_format("opml")).unwrap();
        let tree = |d: &Document| {
            let t = write::to_string(text, d, &titles).unwrap();
            t.split_once('\n')
                .map_or(String::new(), |(_, r)| r.to_string())
        };
        if tree(&doc) != tree(&back) {
            failed.push(format!("{}: tree differs", map.display()));
        } else if notes_of(&doc) != notes_of(&back) {
            failed.push(format!("{}: notes differ", map.display()));
        }
        n += 1;
    }
    assert!(n > 5);
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The sheets and tree of titles as the text writer prints them with `--titles-only`, without
/// its first line (the input's name).
fn titles_text(d: &Document) -> String {
    let mut titles = WriteOptions::default();
    titles.titles_only();
    let t = write::to_string(write::by_name("text").unwrap(), d, &titles).unwrap();
    t.split_once('\n')
        .map_or(String::new(), |(_, r)| r.to_string())
}

/// Every map, its untitled sheets named "Sheet N" as writers that need a title name them.
fn maps_with_sheet_titles() -> Vec<(PathBuf, Document)> {
    maps()
        .into_iter()
        .map(|map| {
            let mut doc = read_path(&map).unwrap();
            for (i, s) in doc.sheets.iter_mut().enumerate() {
                if s.title.is_empty() {
                    s.title = format!("Sheet {}", i + 1);
                }
            }
            (map, doc)
        })
        .collect()
}

/// Every note of a document with its topic's title, white space folded (FreeMind shows notes as
/// HTML, where runs of white space are one space), sorted.
fn notes_of(doc: &Document) -> Vec<(String, String)> {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: Vec<(String, String)> = doc
        .sheets
        .iter()
        .flat_map(|s| s.topics.iter())
        .filter_map(|t| {
            let n = fold(&t.notes.as_ref()?.plain);
            (!n.is_empty()).then(|| (fold(&t.title), n))
        })
        .collect();
    out.sort();
    out
}

/// Every map written as FreeMind (our writer, its defaults) reads back to the same sheets, tree
/// of titles and notes.
#[test]
fn our_freemind_reads_back_to_the_same_tree_and_notes() {
    let mm = write::by_name("freemind").unwrap();
    let mut failed = Vec::new();
    let mut n = 0;
    for (map, doc) in maps_with_sheet_titles() {
        let out = write::to_string(mm, &doc, &WriteOptions::default()).unwrap();
        let back = match read::read_bytes_with(out.as_bytes(), &with_format("freemind")) {
            Ok(b) => b,
            Err(e) => {
                failed.push(format!("{}: {e}", map.display()));
                continue;
            }
        };
        if titles_text(&doc) != titles_text(&back) {
            failed.push(format!("{}: tree differs", map.display()));
        } else if notes_of(&doc) != notes_of(&back) {
            failed.push(format!("{}: notes differ", map.display()));
        }
        n += 1;
    }
    assert!(n > 5);
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Every sheet of every map written as Mermaid (our writer, its defaults, one sheet at a time)
/// reads back to the same tree of titles: the writer's classes bring floating, summary and
/// callout topics back as such.
#[test]
fn our_mermaid_reads_back_to_the_same_tree() {
    let mermaid = write::by_name("mermaid").unwrap();
    let mut failed = Vec::new();
    let mut n = 0;
    for map in maps() {
        let doc = read_path(&map).unwrap();
        for i in 0..doc.sheets.len() {
            let mut one = doc.clone();
            one.select_sheets(&[i]);
            one.sheets[0].title.clear();
            let out = write::to_string(mermaid, &one, &WriteOptions::default()).unwrap();
            match read::read_bytes_with(out.as_bytes(), &with_format("mermaid")) {
                Ok(back) if titles_text(&one) == titles_text(&back) => {}
                Ok(_) => failed.push(format!("{} sheet {}: tree differs", map.display(), i + 1)),
                Err(e) => failed.push(format!("{} sheet {}: {e}", map.display(), i + 1)),
            }
            n += 1;
        }
    }
    assert!(n > 5);
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Every map written as text (our writer, its defaults: floating topics after the tree) reads
/// back to the same sheets and tree of titles.
#[test]
fn our_text_reads_back_to_the_same_tree() {
    let text = write::by_name("text").unwrap();
    let mut failed = Vec::new();
    let mut n = 0;
    for map in maps() {
        let doc = read_path(&map).unwrap();
        let out = write::to_string(text, &doc, &WriteOptions::default()).unwrap();
        match read::read_bytes_with(out.as_bytes(), &with_format("text")) {
            Ok(back) if titles_text(&doc) == titles_text(&back) => {}
            Ok(back) => failed.push(format!(
                "{}: tree differs\n{}",
                map.display(),
                first_difference(&titles_text(&doc), &titles_text(&back))
            )),
            Err(e) => failed.push(format!("{}: {e}", map.display())),
        }
        n += 1;
    }
    assert!(n > 5);
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The first line where two texts differ.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    format!(
        "line {}: expected {:?}, read {:?}",
        i + 1,
        w.get(i).unwrap_or(&"<end>"),
        g.get(i).unwrap_or(&"<end>")
    )
}

/// The FreeMind, Mermaid and text readers are chosen by `-f` (name or alias), by the extension,
/// and (FreeMind and Mermaid) from the content of standard input.
#[test]
fn outline_readers_are_chosen_by_name_alias_extension_or_content() {
    let mm = b"<?xml version=\"1.0\"?>\n<map version=\"1.0.1\"><node TEXT=\"R\"><node TEXT=\"a\"/></node></map>";
    let mmd = b"%% a comment\nmindmap\n  R\n    a\n";
    let txt = b"R\n\ta\n";
    let tree = "<stdin>\nR\n\n  \u{2022} a\n";
    for (args, input) in [
        (&["-t", "text"][..], &mm[..]),
        (&["-f", "mm", "-t", "text"], mm),
        (&["-f", "freemind", "-t", "text"], mm),
        (&["-t", "text"], mmd),
        (&["-f", "mmd", "-t", "text"], mmd),
        (&["-f", "txt", "-t", "text"], txt),
        (&["-f", "text", "-t", "text"], txt),
    ] {
        let o = run_stdin(args, input);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_eq!(String::from_utf8(o.stdout).unwrap(), tree, "{args:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, input) in [
        ("m.mm", &mm[..]),
        ("m.mmd", mmd),
        ("m.mermaid", mmd),
        ("m.txt", txt),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, input).unwrap();
        let o = Command::new(BIN)
            .args(["-t", "text"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(
            String::from_utf8(o.stdout)
                .unwrap()
                .ends_with("R\n\n  \u{2022} a\n"),
            "{name}"
        );
    }
}

#[test]
fn bad_freemind_and_mermaid_are_one_line_with_a_position() {
    let o = run_stdin(&["-f", "mm"], b"<map>\n  <node TEXT=\"a\">\n</map>\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("xmindconv: <stdin>: invalid freemind at line 3, column 1: "),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).lines().count(), 1);
    let o = run_stdin(&["-f", "mermaid"], b"graph TD\n  A-->B\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "xmindconv: <stdin>: invalid mermaid at line 1, column 1: not a Mermaid mindmap: \
         the diagram starts with \"graph TD\", not \"mindmap\"\n"
    );
}

#[test]
fn list_formats_shows_the_outline_readers() {
    let o = Command::new(BIN).arg("--list-formats").output().unwrap();
    let s = String::from_utf8(o.stdout).unwrap();
    for name in ["freemind, mm ", "mermaid, mmd ", "text, txt "] {
        let line = s
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {s}"));
        assert!(line.contains("read, write"), "{line}");
    }
}

/// The seed's text, read as text, is written again byte for byte (with the final line break the
/// file leaves out), and it has the tree of the seed map.
#[test]
fn the_seed_text_reads_back_to_itself_and_to_the_seed_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let txt = root.join("大模型发展.txt");
    let o = Command::new(BIN)
        .args(["-t", "text"])
        .arg(&txt)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let mut want = std::fs::read(&txt).unwrap();
    want.push(b'\n');
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(want).unwrap()
    );
    let from_text = read_path(&txt).unwrap();
    let from_map = read_path(root.join("大模型发展.xmind")).unwrap();
    assert_eq!(titles_text(&from_text), titles_text(&from_map));
}

/// A map read from another format says which, in the model and in our JSON, and our JSON reads
/// that back.
#[test]
fn a_map_from_another_format_names_it_as_its_source() {
    let o = run_stdin(&["-f", "markdown", "-t", "json"], b"# Trip\n\n- Book\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let json = String::from_utf8(o.stdout).unwrap();
    assert!(json.contains("\"source\":\"markdown\""), "{json}");
    let mut opts = ReadOptions::default();
    opts.format = Some("json".into());
    let back = read::read_bytes_with(json.as_bytes(), &opts).unwrap();
    assert_eq!(back.source, xmindconv::model::Source::Format("markdown"));
    for (input, name) in [
        (
            &b"<opml version=\"2.0\"><body><outline text=\"a\"/></body></opml>"[..],
            "opml",
        ),
        (b"<map><node TEXT=\"a\"/></map>", "freemind"),
        (b"mindmap\n  root\n", "mermaid"),
    ] {
        let doc = read::read_bytes(input).unwrap();
        assert_eq!(doc.source, xmindconv::model::Source::Format(name));
    }
}

/// One line per sheet and per topic of a map, as far as our Markdown writer carries it (issue
/// 14 item 2): titles, notes, labels, markers, links, images and floating topics, in order,
/// with their depth. What the writer cannot carry is folded away on both sides, each for a
/// stated reason: a single sheet's title (written only when there are several sheets); white
/// space runs (a heading holds one line, a note's blank lines and trailing line ends are not
/// kept); `xap:` (written as the archive path); a custom marker's id (written as its legend
/// name); where a floating topic hangs (every one is written in the `# Floating topics`
/// section, so all count as the root's); and a note's plain text where its rich text, which is
/// what is written, says something else.
fn carried(doc: &Document) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&json_of(doc)).unwrap();
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let html_text = |h: &str| {
        let mut out = String::new();
        let mut in_tag = false;
        for c in h.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", " ")
            .replace("&amp;", "&")
    };
    let legend = v["marker_names"].as_object().cloned().unwrap_or_default();
    let sheets = v["sheets"].as_array().unwrap();
    let mut out = Vec::new();
    for s in sheets {
        let title = if sheets.len() > 1 {
            s["title"].as_str().unwrap()
        } else {
            ""
        };
        out.push(format!("sheet {title}"));
        let mut floating = Vec::new();
        let mut stack = vec![(&s["root"], 0usize)];
        let mut rows = Vec::new();
        while let Some((t, d)) = stack.pop() {
            // The note's text without any white space: its rich text when it has some (the
            // writer writes that), else its plain text.
            let bare = |s: &str| s.split_whitespace().collect::<String>();
            let note = match t.get("notes") {
                Some(n) => match n.get("html").and_then(|h| h.as_str()).map(html_text) {
                    Some(h) if !bare(&h).is_empty() => bare(&h),
                    _ => bare(n["plain"].as_str().unwrap_or("")),
                },
                None => String::new(),
            };
            let markers: Vec<String> = t["markers"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .map(|x| {
                            let id = x.as_str().unwrap();
                            // As written: the table's word (two ids share some), else the
                            // legend's name, else the id.
                            match xmindconv::markers::word(id) {
                                Some(w) => w.into_owned(),
                                None => legend
                                    .get(id)
                                    .and_then(|n| n.as_str())
                                    .unwrap_or(id)
                                    .to_string(),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            rows.push((
                d,
                format!(
                    "{d} {:?} labels={} markers={markers:?} link={:?} image={:?} note={note:?}",
                    fold(t["title"].as_str().unwrap()),
                    t["labels"],
                    t["link"]["href"].as_str().map(|h| h.replace("xap:", "")),
                    t["image"]["src"].as_str().map(|h| h.replace("xap:", "")),
                ),
            ));
            if let Some(f) = t["floating"].as_array() {
                floating.extend(f.iter());
            }
            if let Some(c) = t["children"].as_array() {
                stack.extend(c.iter().rev().map(|c| (c, d + 1)));
            }
        }
        out.extend(rows.into_iter().map(|(_, r)| r));
        // Floating topics, each with its subtree, in no particular order.
        let mut subtrees = Vec::new();
        for f in floating {
            let mut one = String::new();
            let mut stack = vec![(f, 1usize)];
            while let Some((t, d)) = stack.pop() {
                one.push_str(&format!(
                    "floating {d} {:?}\n",
                    fold(t["title"].as_str().unwrap())
                ));
                if let Some(c) = t["children"].as_array() {
                    stack.extend(c.iter().rev().map(|c| (c, d + 1)));
                }
            }
            subtrees.push(one);
        }
        subtrees.sort();
        out.extend(subtrees);
    }
    out
}

/// Every map written as Markdown (headings, and `--list-only`), with the extras that writer
/// can carry, reads back to the same map as far as it carries it (see `carried`).
#[test]
fn our_markdown_reads_back_to_the_same_map() {
    use xmindconv::Extra;
    let markdown = write::by_name("markdown").unwrap();
    let mut failed = Vec::new();
    let mut n = 0;
    for list_only in [false, true] {
        let mut opts = WriteOptions::default();
        for e in [
            Extra::Comments,
            Extra::Relationships,
            Extra::Boundaries,
            Extra::Summaries,
            Extra::Callouts,
        ] {
            opts.set(e, false);
        }
        if list_only {
            opts.heading_levels = Some(0);
        }
        for map in maps() {
            let mut doc = read_path(&map).unwrap();
            // Only what is written is compared: the same options on the original.
            let plan_doc =
                read::read_bytes_with(json_of_with(&doc, &opts).as_bytes(), &with_format("json"))
                    .unwrap();
            doc = plan_doc;
            let md = write::to_string(markdown, &doc, &opts).unwrap();
            let back = read::read_bytes_with(md.as_bytes(), &with_format("markdown")).unwrap();
            let (want, got) = (carried(&doc), carried(&back));
            if want != got {
                let i = want.iter().zip(&got).take_while(|(a, b)| a == b).count();
                failed.push(format!(
                    "{} (list only: {list_only}) at line {i}:\n  want {:?}\n  got  {:?}",
                    map.display(),
                    want.get(i),
                    got.get(i)
                ));
            }
            n += 1;
        }
    }
    assert!(n > 20, "{n} maps");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

fn json_of_with(doc: &Document, opts: &WriteOptions) -> String {
    write::to_string(write::by_name("json").unwrap(), doc, opts).unwrap()
}
