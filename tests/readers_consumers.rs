//! Consumer truth for the readers: every file of `../shared/reverse-corpus` (real files other
//! people wrote, or `$XMINDCONV_REVERSE_CORPUS`) is read by our reader and by a real consumer
//! from `../shared/clients` (`mm-tree`, `mermaid-tree`'s parser, pandoc's `md-tree` and
//! `opml-tree`), and the two trees of titles must agree.
//!
//! Skipped with a note when the corpus or the scripts are absent;
//! `XMINDCONV_REQUIRE_REVERSE_CORPUS` (for the corpus; `.ci/run` sets it when the folder is there)
//! and `XMINDCONV_REQUIRE_CLIENTS` (for the scripts) turn the skip into a failure, so that CI
//! cannot pass on an empty run.
//!
//! Both trees are compared as the `*-tree` scripts print them: two spaces a level, white space
//! in a title folded to one space. Normalisations, each for a stated reason:
//! - Levels: the consumer's tree is re-levelled so that a line hangs from the nearest earlier
//!   line indented less (pandoc keeps heading levels, `#` then `####` is depth 0 then 3; the
//!   model has no empty levels). When it then has exactly one line at the top, that line is our
//!   root; otherwise our root is the one we made up (named after the file) and our tree is
//!   compared from its children.
//! - pandoc: its typographic quotes and dashes are undone (`’` → `'`), and the `¶` it puts
//!   where it flattened blocks into a heading is dropped; `md-tree` prints raw inline HTML
//!   verbatim, where a browser (and our reader) shows its text, so tags are removed from both.
//!   pandoc reads `$…$` in OPML text as TeX maths and prints it without the dollars, so `$` is
//!   removed from both OPML trees.
//! - `mm-tree` joins the pieces of an HTML node's text with nothing where FreeMind shows a line
//!   break (`a<br/>b` is `ab`), so a line also matches when the two differ only in white space.
//! - Mermaid: the tree script prints `<br>` as such, which Mermaid draws as a line break (our
//!   title has one).

use std::path::{Path, PathBuf};
use std::process::Command;

use xmindconv::read::{self, ReadOptions};
use xmindconv::{Document, TopicId};

fn reverse_corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("XMINDCONV_REVERSE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reverse-corpus")
        });
    let n = std::fs::read_dir(&dir).map_or(0, |d| d.count());
    if n >= 40 {
        return Some(dir);
    }
    if std::env::var_os("XMINDCONV_REQUIRE_REVERSE_CORPUS").is_some() {
        panic!(
            "XMINDCONV_REQUIRE_REVERSE_CORPUS is set but {} holds {n} files, not the 42 of the reverse corpus",
            dir.display()
        );
    }
    eprintln!("note: no reverse corpus at {}; skipped", dir.display());
    None
}

fn clients() -> Option<PathBuf> {
    let dir = std::env::var_os("XMINDCONV_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/clients"));
    if dir.join("mm-tree").is_file() {
        return Some(dir);
    }
    if std::env::var_os("XMINDCONV_REQUIRE_CLIENTS").is_some() {
        panic!("no consumer scripts at {}", dir.display());
    }
    eprintln!("note: no consumer scripts at {}; skipped", dir.display());
    None
}

/// The corpus files with this extension, sorted.
fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .filter(|p| p.file_name().is_some_and(|n| n != "MANIFEST.md"))
        .collect();
    out.sort();
    out
}

/// Standard output of `tool args…`, or a message.
fn run(tool: &Path, args: &[&std::ffi::OsStr]) -> Result<String, String> {
    let o = Command::new(tool)
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", tool.display()))?;
    if !o.status.success() {
        return Err(format!(
            "{} {args:?} failed ({}): {}",
            tool.display(),
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&o.stdout).into_owned())
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `s` without anything that looks like an HTML tag.
fn without_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let b = after.as_bytes();
        let tag = b
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'!')
            || (b.first() == Some(&b'/') && b.get(1).is_some_and(u8::is_ascii_alphabetic));
        match after.find('>') {
            Some(j) if tag => rest = &after[j + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn unsmart(s: &str) -> String {
    s.replace(['‘', '’'], "'")
        .replace(['“', '”'], "\"")
        .replace('—', "---")
        .replace('–', "--")
        .replace('…', "...")
}

/// pandoc's `¶` between flattened blocks, with the spaces around it.
fn without_pilcrows(s: &str) -> String {
    let parts: Vec<&str> = s.split('¶').collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let p = if i > 0 { p.trim_start() } else { p };
            if i < last { p.trim_end() } else { p }
        })
        .collect()
}

/// A consumer's printed tree as (depth, title), re-levelled (see the module's comment).
fn consumer_tree(printed: &str, title: impl Fn(&str) -> String) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open: Vec<(usize, usize)> = Vec::new();
    for line in printed.lines() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        while open.last().is_some_and(|&(i, _)| i >= indent) {
            open.pop();
        }
        let depth = open.last().map_or(0, |&(_, d)| d + 1);
        open.push((indent, depth));
        out.push((depth, fold(&title(&line[indent..]))));
    }
    out
}

/// Our tree of attached topics of the first sheet, compared from the root's children when the
/// consumer has no single top line.
fn our_tree(
    doc: &Document,
    theirs: &[(usize, String)],
    title: impl Fn(&str) -> String,
) -> Vec<(usize, String)> {
    let s = &doc.sheets[0];
    let mut out = Vec::new();
    s.walk(TopicId::ROOT, |id, depth| {
        out.push((depth, fold(&title(&s.topic(id).title))));
        true
    });
    let single = theirs.first().is_some_and(|(d, _)| *d == 0)
        && theirs.iter().filter(|(d, _)| *d == 0).count() == 1;
    if single {
        out
    } else {
        out.into_iter().skip(1).map(|(d, t)| (d - 1, t)).collect()
    }
}

/// Lines where the consumer is known to misread the file, as (file name, our title, why): they
/// are compared as equal.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "scripting-opmlPackage__source.opml",
        "add (\"\"); indentlevel++;",
        "the text is JavaScript `add (\"<body>\")`: pandoc's HTML reader takes `<body>` as the \
     document's body and drops the rest of the line",
    ),
    (
        "scripting-opmlPackage__source.opml",
        "add (\"<\" + x + \">\" + theOutline.opml.head [x] + \"</\" + x + \">\");",
        "HTML5 reads `</` before a non-letter as a bogus comment up to `>`, which pandoc drops; our \
     tokenizer keeps it as text",
    ),
];

/// Compares the trees; `loose` also accepts lines that differ only in white space.
fn compare(
    file: &Path,
    ours: &[(usize, String)],
    theirs: &[(usize, String)],
    loose: bool,
) -> Result<(), String> {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let known = |a: &(usize, String)| KNOWN.iter().any(|(f, t, _)| *f == name && *t == a.1);
    let same = |a: &(usize, String), b: &(usize, String)| {
        a == b
            || (a.0 == b.0 && known(a))
            || (loose
                && a.0 == b.0
                && a.1.split_whitespace().collect::<String>()
                    == b.1.split_whitespace().collect::<String>())
    };
    if ours.len() == theirs.len() && ours.iter().zip(theirs).all(|(a, b)| same(a, b)) {
        return Ok(());
    }
    let i = ours
        .iter()
        .zip(theirs)
        .position(|(a, b)| !same(a, b))
        .unwrap_or(ours.len().min(theirs.len()));
    Err(format!(
        "{}: line {}: we read {:?}, the consumer {:?} ({} vs {} lines)",
        file.display(),
        i + 1,
        ours.get(i),
        theirs.get(i),
        ours.len(),
        theirs.len()
    ))
}

fn read(path: &Path) -> Result<Document, String> {
    read::read_path_with(path, &ReadOptions::default())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Checks every file of `ext` against `tool FILE` (its output normalised by `theirs`, ours by
/// `mine`).
fn check_each(
    ext: &str,
    tool: &str,
    args: &[&str],
    theirs: impl Fn(&str) -> String,
    mine: impl Fn(&str) -> String,
    loose: bool,
) -> usize {
    let (Some(dir), Some(clients)) = (reverse_corpus(), clients()) else {
        return 0;
    };
    let files = files(&dir, ext);
    assert!(!files.is_empty(), "no .{ext} files in {}", dir.display());
    let mut failed = Vec::new();
    for f in &files {
        let mut a: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        a.push(f.as_os_str());
        let result = run(&clients.join(tool), &a).and_then(|printed| {
            let t = consumer_tree(&printed, &theirs);
            let doc = read(f)?;
            compare(f, &our_tree(&doc, &t, &mine), &t, loose)
        });
        if let Err(e) = result {
            failed.push(e);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    files.len()
}

#[test]
fn freemind_maps_read_as_mm_tree_reads_them() {
    let n = check_each(
        "mm",
        "mm-tree",
        &[],
        |t| t.to_string(),
        |t| t.to_string(),
        true,
    );
    assert!(n == 0 || n >= 10, "{n} maps");
}

#[test]
fn opml_outlines_read_as_pandoc_reads_them() {
    let n = check_each(
        "opml",
        "opml-tree",
        &[],
        |t| without_pilcrows(&without_tags(&unsmart(t))).replace('$', ""),
        |t| unsmart(t).replace('$', ""),
        false,
    );
    assert!(n == 0 || n >= 10, "{n} outlines");
}

#[test]
fn markdown_reads_as_pandoc_reads_it() {
    let n = check_each(
        "md",
        "md-tree",
        &["--from", "commonmark"],
        |t| without_tags(&unsmart(t)),
        |t| without_tags(&unsmart(t)),
        false,
    );
    assert!(n == 0 || n >= 12, "{n} files");
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

/// The trees Mermaid's parser builds for `files`, in one run (loading Mermaid takes seconds):
/// `validate-mermaid` first, which also installs it.
fn mermaid_trees(clients: &Path, files: &[PathBuf]) -> Vec<String> {
    let args: Vec<&std::ffi::OsStr> = files.iter().map(|f| f.as_os_str()).collect();
    run(&clients.join("validate-mermaid"), &args).unwrap();
    let o = Command::new("node")
        .arg(clients.join("lib/mermaid-parse.mjs"))
        .arg("--tree")
        .args(files)
        .env("MERMAID_NODE_DIR", mermaid_node_dir(clients))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let mut trees = vec![String::new(); files.len()];
    let mut current = None;
    for line in text.lines() {
        if let Some(i) = files
            .iter()
            .position(|f| line == format!("== {}", f.display()))
        {
            current = Some(i);
        } else {
            let i = current.expect("a tree after its file's line");
            trees[i].push_str(line);
            trees[i].push('\n');
        }
    }
    trees
}

/// Every Mermaid mindmap of the corpus, and the indented-text outline: the text file has no
/// consumer of its own (markmap's `.txtmap` reader is gone from markmap), so Mermaid's parser
/// reads it after a `mindmap` line. That is a fair judge of an indented outline: a line hangs
/// from the nearest earlier line indented less in both, and the file's titles hold none of
/// Mermaid's shape characters.
#[test]
fn mermaid_and_text_read_as_mermaids_parser_reads_them() {
    let (Some(dir), Some(clients)) = (reverse_corpus(), clients()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut files = files(&dir, "mmd");
    assert!(files.len() >= 9, "{files:?}");
    let texts = self::files(&dir, "txt");
    assert!(!texts.is_empty());
    let mut ours = Vec::new();
    for f in &files {
        ours.push((f.clone(), read(f)));
    }
    for t in &texts {
        let as_mermaid = tmp
            .path()
            .join(t.file_name().unwrap())
            .with_extension("mmd");
        let body = std::fs::read_to_string(t).unwrap();
        std::fs::write(&as_mermaid, format!("mindmap\n{body}")).unwrap();
        files.push(as_mermaid);
        ours.push((t.clone(), read(t)));
    }
    let trees = mermaid_trees(&clients, &files);
    let mut failed = Vec::new();
    for ((file, doc), printed) in ours.iter().zip(&trees) {
        let theirs = consumer_tree(printed, |t| t.replace("<br>", " "));
        let result = doc.as_ref().map_err(|e| e.clone()).and_then(|d| {
            compare(
                file,
                &our_tree(d, &theirs, |t| t.to_string()),
                &theirs,
                false,
            )
        });
        if let Err(e) = result {
            failed.push(e);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
