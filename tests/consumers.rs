//! Real consumers read our output back: the scripts in `../shared/clients` (or
//! `$XMINDCONV_CLIENTS`) run check-jsonschema, pandoc, Mermaid's parser and friends. Skipped with
//! a note when the scripts are absent; `XMINDCONV_REQUIRE_CLIENTS=1` (set by `.ci/run` when they
//! are there) turns the skip into a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use xmindconv::{Document, EmitOptions, TopicId, emit, read_path};

fn clients() -> Option<PathBuf> {
    let dir = std::env::var_os("XMINDCONV_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/clients"));
    if dir.join("validate-json").is_file() {
        return Some(dir);
    }
    if std::env::var_os("XMINDCONV_REQUIRE_CLIENTS").is_some() {
        panic!("no consumer scripts at {}", dir.display());
    }
    eprintln!("note: no consumer scripts at {}; skipped", dir.display());
    None
}

/// Every readable `.xmind` in fixtures/ and in the shared corpus.
fn maps() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [root.join("fixtures"), root.join("../shared/corpus")] {
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
    out
}

/// The tree of attached topics of sheet `sheet` (0-based) as the `*-tree` scripts print a tree:
/// one line per topic, two spaces of indent per level, root at the margin. Titles go through
/// [`fold`], as should the consumer's output before comparing.
#[allow(dead_code)]
fn expected_tree(doc: &Document, sheet: usize) -> String {
    let s = &doc.sheets[sheet];
    let mut out = String::new();
    s.walk(TopicId::ROOT, |id, depth| {
        out.push_str(&"  ".repeat(depth));
        out.push_str(&fold(&s.topic(id).title));
        out.push('\n');
        true
    });
    out
}

/// Folds every run of white space (line breaks included) into one space and trims: consumers
/// turn a multi-line title into one line with spaces or soft breaks.
#[allow(dead_code)]
fn fold(title: &str) -> String {
    title.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Applies [`fold`] to the title part of every line of a printed tree, keeping the indent.
#[allow(dead_code)]
fn fold_tree(tree: &str) -> String {
    let mut out = String::new();
    for line in tree.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        out.push_str(&line[..indent]);
        out.push_str(&fold(&line[indent..]));
        out.push('\n');
    }
    out
}

/// Runs `tool args…`; returns its output on failure.
fn check(tool: &Path, args: &[&Path]) -> Result<(), String> {
    let o = Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {:?} failed ({}):\n{}{}",
            tool.display(),
            args,
            o.status,
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

/// Runs `f` over `items` on two threads and collects the failures.
fn in_parallel<T: Sync>(items: &[T], f: impl Fn(&T) -> Result<(), String> + Sync) -> Vec<String> {
    let (a, b) = items.split_at(items.len() / 2);
    std::thread::scope(|s| {
        let h = s.spawn(|| a.iter().filter_map(|i| f(i).err()).collect::<Vec<_>>());
        let mut errs: Vec<String> = b.iter().filter_map(|i| f(i).err()).collect();
        errs.extend(h.join().unwrap());
        errs
    })
}

#[test]
fn json_output_validates_against_the_schema() {
    let Some(clients) = clients() else { return };
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/xmindconv.schema.json");
    let dir = tempfile::tempdir().unwrap();
    let json = emit::by_name("json").unwrap();
    let maps = maps();
    let errors = in_parallel(&maps, |path| {
        let doc = read_path(path).map_err(|e| e.to_string())?;
        let out = dir.path().join(format!(
            "{}.json",
            path.file_stem().unwrap().to_string_lossy()
        ));
        std::fs::write(
            &out,
            emit::to_string(json, &doc, &EmitOptions::default()).unwrap(),
        )
        .unwrap();
        check(&clients.join("validate-json"), &[&out, &schema])
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Runs `tool args…` and returns its standard output, or a message on failure.
fn output_of(tool: &Path, args: &[&Path]) -> Result<String, String> {
    let o = Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(format!(
            "{} {:?} failed ({}):\n{}",
            tool.display(),
            args,
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ))
    }
}

/// The first line where two trees differ, for a short failure message.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    format!(
        "line {}: expected {:?}, the consumer read {:?} ({} vs {} lines)",
        i + 1,
        w.get(i).unwrap_or(&"<end>"),
        g.get(i).unwrap_or(&"<end>"),
        w.len(),
        g.len()
    )
}

/// `tree` without the anchors (`<a id="topic-…"></a>`) that start some titles.
fn without_anchors(tree: &str) -> String {
    let mut out = String::new();
    for line in tree.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let title = &line[indent..];
        let title = title
            .strip_prefix("<a id=\"topic-")
            .and_then(|rest| rest.split_once("\"></a>"))
            .map_or(title, |(_, t)| t);
        out.push_str(&line[..indent]);
        out.push_str(title);
        out.push('\n');
    }
    out
}

/// For every readable map and every sheet, the Markdown of `--titles-only --sheet N` is accepted
/// by pandoc (`validate-markdown`), and the tree pandoc reads (`md-tree`) is the sheet's tree of
/// attached topics, titles compared after folding white space (pandoc turns a line break in a
/// title into a space or soft break; an empty title, written `&nbsp;`, folds to nothing as in
/// `expected_tree`). The fixtures are also checked in the list-only style,
/// with six heading levels, and with every extra on (extras live in block quotes, which must not
/// add or hide topics).
#[test]
fn markdown_is_read_back_by_pandoc_as_the_same_tree() {
    let Some(clients) = clients() else { return };
    let dir = tempfile::tempdir().unwrap();
    let markdown = emit::by_name("markdown").unwrap();
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let maps = maps();
    let checked = std::sync::atomic::AtomicUsize::new(0);
    let errors = in_parallel(&maps, |path| {
        let doc = read_path(path).map_err(|e| e.to_string())?;
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut styles: Vec<(&str, EmitOptions)> = Vec::new();
        let mut titles = EmitOptions::default();
        titles.titles_only();
        styles.push(("titles-only", titles.clone()));
        if path.starts_with(&fixtures) {
            let mut list = titles.clone();
            list.heading_levels = Some(0);
            styles.push(("list-only", list));
            let mut six = titles.clone();
            six.heading_levels = Some(6);
            styles.push(("heading-levels-6", six));
            let mut all = EmitOptions::default();
            for e in xmindconv::Extra::ALL {
                all.set(e, e != xmindconv::Extra::Floating);
            }
            styles.push(("all-extras", all));
        }
        let mut errors = Vec::new();
        for i in 0..doc.sheets.len() {
            let mut one = doc.clone();
            one.sheets = vec![doc.sheets[i].clone()];
            for (style, opts) in &styles {
                let out = dir.path().join(format!("{stem}-{}-{style}.md", i + 1));
                std::fs::write(&out, emit::to_string(markdown, &one, opts).unwrap()).unwrap();
                let result = check(&clients.join("validate-markdown"), &[&out])
                    .and_then(|()| output_of(&clients.join("md-tree"), &[&out]));
                checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                match result {
                    Err(e) => errors.push(e),
                    Ok(tree) => {
                        // md-tree prints raw HTML verbatim: the `<a id>` anchors that links and
                        // relationships give their targets (all-extras style only) are dropped.
                        let tree = without_anchors(&tree);
                        let (want, got) = (expected_tree(&doc, i), fold_tree(&tree));
                        if want != got {
                            errors.push(format!(
                                "{} sheet {} ({style}): {}",
                                path.display(),
                                i + 1,
                                first_difference(&want, &got)
                            ));
                        }
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    eprintln!(
        "markdown: {} files, {} outputs read back by pandoc",
        maps.len(),
        checked.into_inner()
    );
}

/// The titles of `escaping.xmind` come back from pandoc as their literal text, compared line by
/// line after folding white space, with every extra on.
#[test]
fn hostile_titles_survive_pandoc_literally() {
    let Some(clients) = clients() else { return };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/escaping.xmind");
    let doc = read_path(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("escaping.md");
    let md = emit::to_string(
        emit::by_name("markdown").unwrap(),
        &doc,
        &EmitOptions::default(),
    )
    .unwrap();
    std::fs::write(&out, md).unwrap();
    let tree = output_of(&clients.join("md-tree"), &[&out]).unwrap();
    let got: Vec<String> = tree.lines().map(fold).collect();
    let sheet = &doc.sheets[0];
    let mut want = Vec::new();
    sheet.walk(TopicId::ROOT, |id, _| {
        want.push(fold(&sheet.topic(id).title));
        true
    });
    assert_eq!(got, want);
    for hostile in [
        "C# (v2) [beta] {x} \"q\" <b> & * _ % :::",
        "%% not a comment",
        "mindmap",
        "1. not a list",
        "# not a heading",
        "a*b*c",
        "line one line two line three",
        "back\\slash\\",
        "&amp; &lt; #35; #quot;",
        "leading and trailing spaces",
    ] {
        assert!(
            got.iter().any(|g| g == hostile),
            "{hostile:?} not in {got:?}"
        );
    }
}

/// Every sheet of every readable map: the map and the 0-based sheet index.
fn every_sheet() -> Vec<(PathBuf, usize)> {
    let mut out = Vec::new();
    for path in maps() {
        let doc = read_path(&path).unwrap();
        out.extend((0..doc.sheets.len()).map(|i| (path.clone(), i)));
    }
    out
}

/// The map with sheet `i` only, as `--sheet N` leaves it.
fn only_sheet(doc: &Document, i: usize) -> Document {
    Document {
        sheets: vec![doc.sheets[i].clone()],
        ..doc.clone()
    }
}

fn titles_only() -> EmitOptions {
    let mut opts = EmitOptions::default();
    opts.titles_only();
    opts
}

/// A file name for sheet `i` of `map` in a folder of outputs.
fn output_name(map: &Path, i: usize, ext: &str) -> String {
    let dir = map.parent().and_then(|d| d.file_name()).unwrap_or_default();
    let stem = map.file_stem().unwrap_or_default();
    format!(
        "{}-{}-{}.{ext}",
        dir.to_string_lossy(),
        stem.to_string_lossy(),
        i + 1
    )
}

/// pandoc reads OPML with its `smart` extension on (`pandoc -f opml-smart` turns it off):
/// straight quotes become curly ones, `--` an en dash, `---` an em dash, `...` an ellipsis.
/// These typographic substitutions are mapped back to ASCII on both sides before comparing, so
/// any other difference still fails.
fn unsmart(s: &str) -> String {
    s.replace(['‘', '’'], "'")
        .replace(['“', '”'], "\"")
        .replace('—', "---")
        .replace('–', "--")
        .replace('…', "...")
}

/// Writes sheet `i` of `map` as OPML (titles only) into `dir`, validates it and compares the
/// tree pandoc reads with the map's tree of attached topics (`normalise` applied to both).
/// Returns pandoc's tree.
fn opml_round_trip(
    clients: &Path,
    dir: &Path,
    map: &Path,
    i: usize,
    normalise: fn(&str) -> String,
) -> Result<String, String> {
    let doc = read_path(map).map_err(|e| e.to_string())?;
    let out = dir.join(output_name(map, i, "opml"));
    let opml = emit::by_name("opml").unwrap();
    std::fs::write(
        &out,
        emit::to_string(opml, &only_sheet(&doc, i), &titles_only()).unwrap(),
    )
    .unwrap();
    check(&clients.join("validate-opml"), &[&out])?;
    let tree = output_of(&clients.join("opml-tree"), &[&out])?;
    let got = normalise(&fold_tree(&tree));
    let want = normalise(&expected_tree(&doc, i));
    if got == want {
        Ok(tree)
    } else {
        Err(format!(
            "{} sheet {}: pandoc's tree differs:\n{}",
            map.display(),
            i + 1,
            first_difference(&want, &got)
        ))
    }
}

#[test]
fn opml_of_every_sheet_is_read_by_pandoc_as_the_same_tree() {
    let Some(clients) = clients() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sheets = every_sheet();
    let errors = in_parallel(&sheets, |(map, i)| {
        opml_round_trip(&clients, dir.path(), map, *i, unsmart).map(drop)
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The folder the scripts installed Mermaid into (`CLIENTS_NODE_DIR` in `lib/common.sh`).
fn mermaid_node_dir(clients: &Path) -> PathBuf {
    let base = std::env::var_os("CLIENTS_NODE_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| {
            let beside = clients.join(".node");
            if beside.join("parse").is_dir() {
                beside
            } else {
                PathBuf::from("/tmp/consumer-checks-node")
            }
        });
    base.join("parse")
}

/// Validates `files` with `validate-mermaid` and returns the tree Mermaid's parser built for
/// each, in order: one run of each for all the files, since loading Mermaid takes seconds.
fn mermaid_trees(clients: &Path, files: &[PathBuf]) -> Result<Vec<String>, String> {
    let args: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
    check(&clients.join("validate-mermaid"), &args)?;
    let o = Command::new("node")
        .arg(clients.join("lib/mermaid-parse.mjs"))
        .arg("--tree")
        .args(files)
        .env("MERMAID_NODE_DIR", mermaid_node_dir(clients))
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "mermaid-parse.mjs --tree failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&o.stdout);
    if files.len() == 1 {
        return Ok(vec![text.into_owned()]);
    }
    // With several files each tree follows a line `== FILE`; split on exactly those lines, in
    // order, since a root title may itself start with `== `.
    let headers: Vec<String> = files
        .iter()
        .map(|f| format!("== {}", f.display()))
        .collect();
    let mut trees = vec![String::new(); files.len()];
    let mut current = None;
    let mut next = 0;
    for line in text.lines() {
        if next < headers.len() && line == headers[next] {
            current = Some(next);
            next += 1;
        } else if let Some(c) = current {
            trees[c].push_str(line);
            trees[c].push('\n');
        } else {
            return Err(format!("unexpected output before the first tree: {line:?}"));
        }
    }
    if next != files.len() {
        return Err(format!("{} trees for {} files", next, files.len()));
    }
    Ok(trees)
}

/// Writes sheet `i` of each map as Mermaid with `opts` into `dir`.
fn write_mermaid(dir: &Path, sheets: &[(PathBuf, usize)], opts: &EmitOptions) -> Vec<PathBuf> {
    let mermaid = emit::by_name("mermaid").unwrap();
    sheets
        .iter()
        .map(|(map, i)| {
            let doc = read_path(map).unwrap();
            let out = dir.join(output_name(map, *i, "mmd"));
            std::fs::write(
                &out,
                emit::to_string(mermaid, &only_sheet(&doc, *i), opts).unwrap(),
            )
            .unwrap();
            out
        })
        .collect()
}

#[test]
fn mermaid_of_every_sheet_is_read_by_mermaids_parser_as_the_same_tree() {
    let Some(clients) = clients() else { return };
    let dir = tempfile::tempdir().unwrap();
    let sheets = every_sheet();
    let files = write_mermaid(dir.path(), &sheets, &titles_only());
    let trees = mermaid_trees(&clients, &files).unwrap_or_else(|e| panic!("{e}"));
    let mut errors = Vec::new();
    for ((map, i), tree) in sheets.iter().zip(&trees) {
        let doc = read_path(map).unwrap();
        // Mermaid's tree needs no normalisation beyond folding white space: the entity codes
        // are decoded by the script, and an empty title (written `[" "]`) prints as nothing.
        let want = expected_tree(&doc, *i);
        let got = fold_tree(tree);
        if got != want {
            errors.push(format!(
                "{} sheet {}: Mermaid's tree differs:\n{}",
                map.display(),
                i + 1,
                first_difference(&want, &got)
            ));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Titles every format must carry literally (issue 3), all in `fixtures/escaping.xmind`; the
/// empty title and the three-line one are checked by the whole-tree comparison.
const HOSTILE: &[&str] = &[
    "C# (v2) [beta] {x} \"q\" <b> & * _ % :::",
    "%% not a comment",
    "mindmap",
    "1. not a list",
    "# not a heading",
    "a*b*c",
    "line one line two line three",
    "<script>alert(1)</script>",
    "&amp; &lt; #35; #quot;",
    "::icon(fa fa-book)",
    ":::cls",
    "$x^2$",
    "style x:#fff;",
];

#[test]
fn hostile_titles_come_back_literally_from_pandoc_and_mermaid() {
    let Some(clients) = clients() else { return };
    let map = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/escaping.xmind");
    let doc = read_path(&map).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // No normalisation at all here: the fixture has no apostrophes or dashes for pandoc's
    // `smart` extension to change, and its paired quotes come back straight.
    let opml = opml_round_trip(&clients, dir.path(), &map, 0, |s| s.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let files = write_mermaid(dir.path(), &[(map.clone(), 0)], &titles_only());
    let mermaid = mermaid_trees(&clients, &files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fold_tree(&mermaid[0]), expected_tree(&doc, 0));
    for (tool, tree) in [("opml-tree", &opml), ("mermaid-tree", &mermaid[0])] {
        let lines: Vec<String> = tree.lines().map(fold).collect();
        for title in HOSTILE {
            assert!(
                lines.iter().any(|l| l == title),
                "{tool} lost {title:?}:\n{tree}"
            );
        }
        assert!(
            lines.iter().any(|l| l.is_empty()),
            "{tool} lost the empty title"
        );
    }
}

#[test]
fn opml_and_mermaid_with_every_extra_are_accepted() {
    let Some(clients) = clients() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut all = EmitOptions::default();
    for extra in xmindconv::Extra::ALL {
        all.set(extra, true);
    }
    // OPML: whole maps, several sheets as one outline each.
    let opml = emit::by_name("opml").unwrap();
    let maps = maps();
    let mut errors = in_parallel(&maps, |map| {
        let doc = read_path(map).map_err(|e| e.to_string())?;
        let out = dir.path().join(output_name(map, 0, "all.opml"));
        std::fs::write(&out, emit::to_string(opml, &doc, &all).unwrap()).unwrap();
        check(&clients.join("validate-opml"), &[&out])
    });
    // Mermaid: every sheet, with its floating topics, summaries and callouts.
    let files = write_mermaid(dir.path(), &every_sheet(), &all);
    let args: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
    errors.extend(check(&clients.join("validate-mermaid"), &args).err());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Random documents built in the model (the generator of `tests/properties.rs`, with a fixed
/// seed), every sheet with titles only: pandoc reads the Markdown and the OPML, and Mermaid's
/// parser the Mermaid, as the same tree of titles; the JSON validates against the schema.
#[test]
fn random_documents_are_read_back_by_every_consumer() {
    let Some(clients) = clients() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::deterministic();
    let docs: Vec<Document> = (0..16)
        .map(|_| {
            common::arbitrary::document()
                .new_tree(&mut runner)
                .unwrap()
                .current()
        })
        .collect();
    let sheets: Vec<(usize, usize)> = docs
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| (0..doc.sheets.len()).map(move |s| (d, s)))
        .collect();
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/xmindconv.schema.json");
    let write = |format: &str, d: usize, s: usize, opts: &EmitOptions| {
        let path = dir.path().join(format!("random-{d}-{s}.{format}"));
        let e = emit::by_name(format).unwrap();
        std::fs::write(
            &path,
            emit::to_string(e, &only_sheet(&docs[d], s), opts).unwrap(),
        )
        .unwrap();
        path
    };
    let mut errors = in_parallel(&sheets, |&(d, s)| {
        let want = fold_tree(&expected_tree(&docs[d], s));
        let json = write("json", d, s, &EmitOptions::default());
        check(&clients.join("validate-json"), &[&json, &schema])?;
        let md = write("markdown", d, s, &titles_only());
        check(&clients.join("validate-markdown"), &[&md])?;
        let got = fold_tree(&output_of(&clients.join("md-tree"), &[&md])?);
        if got != want {
            return Err(format!(
                "random {d} sheet {s}, Markdown: {}",
                first_difference(&want, &got)
            ));
        }
        let opml = write("opml", d, s, &titles_only());
        check(&clients.join("validate-opml"), &[&opml])?;
        let got = unsmart(&fold_tree(&output_of(
            &clients.join("opml-tree"),
            &[&opml],
        )?));
        if got != unsmart(&want) {
            return Err(format!(
                "random {d} sheet {s}, OPML: {}",
                first_difference(&unsmart(&want), &got)
            ));
        }
        Ok(())
    });
    let mmd: Vec<PathBuf> = sheets
        .iter()
        .map(|&(d, s)| write("mermaid", d, s, &titles_only()))
        .collect();
    match mermaid_trees(&clients, &mmd) {
        Ok(trees) => {
            for (&(d, s), tree) in sheets.iter().zip(trees) {
                let want = fold_tree(&expected_tree(&docs[d], s));
                let got = fold_tree(&tree);
                if got != want {
                    errors.push(format!(
                        "random {d} sheet {s}, Mermaid: {}",
                        first_difference(&want, &got)
                    ));
                }
            }
        }
        Err(e) => errors.push(e),
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
