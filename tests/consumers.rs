//! Real consumers read our output back: the scripts in `../shared/clients` (or
//! `$XMINDCONV_CLIENTS`) run check-jsonschema, pandoc, Mermaid's parser and friends. Skipped with
//! a note when the scripts are absent; `XMINDCONV_REQUIRE_CLIENTS=1` (set by `.ci/run` when they
//! are there) turns the skip into a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

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
        std::fs::write(&out, emit::to_string(json, &doc, &EmitOptions::default())).unwrap();
        check(&clients.join("validate-json"), &[&out, &schema])
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
