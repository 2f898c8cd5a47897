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
        "line {}: expected {:?}, pandoc read {:?} ({} vs {} lines)",
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
                std::fs::write(&out, emit::to_string(markdown, &one, opts)).unwrap();
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
    );
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

/// The script `name` of the consumer scripts, or `None` (with a note, or a panic when
/// `XMINDCONV_REQUIRE_CLIENTS` is set) when it is absent.
fn client(name: &str) -> Option<PathBuf> {
    let path = clients()?.join(name);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("XMINDCONV_REQUIRE_CLIENTS").is_some() {
        panic!("no {}", path.display());
    }
    eprintln!("note: no {}; skipped", path.display());
    None
}

/// A few corpus maps for the slower checks: several sheets, images, notes, a big test-case
/// map, XMind 8 and 2026 files.
fn corpus_sample() -> Vec<PathBuf> {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    [
        "tobyqin-xmindparser__xmind_2026.xmind",
        "tobyqin-xmindparser__xmind_pro.xmind",
        "xmindltd-xmind__welcome-to-xmind-cathy.xmind",
        "zhuifengshen-xmind__testtemplate.xmind",
        "koco-co-xmind2testcase__data-asset-v6-4-8-xmind2026.xmind",
        "xifenghuyang-xmindnote__design-patterns.xmind",
    ]
    .iter()
    .map(|n| corpus.join(n))
    .filter(|p| p.is_file())
    .collect()
}

/// Every readable fixture.
fn fixture_maps() -> Vec<PathBuf> {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    maps()
        .into_iter()
        .filter(|p| p.starts_with(&fixtures))
        .collect()
}

/// The HTML page of every fixture and of a sample of corpus maps (read with their images, as
/// the command line reads them for HTML), and of a 10,000-level chain, loads in Chromium
/// without a script error and passes the Nu Html Checker (`validate-html --vnu`).
#[test]
fn html_pages_load_in_chromium_and_pass_the_nu_checker() {
    let Some(validate) = client("validate-html") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = emit::by_name("html").unwrap();
    let mut inputs: Vec<PathBuf> = fixture_maps();
    inputs.extend(corpus_sample());
    let deep = dir.path().join("deep-10000.xmind");
    std::fs::write(&deep, deep_map(10_000)).unwrap();
    inputs.push(deep);
    let mut read = xmindconv::ReadOptions::default();
    read.media = true;
    read.limits.max_depth = 20_000;
    let errors = in_parallel(&inputs, |path| {
        let doc = xmindconv::read::read_path_with(path, &read).map_err(|e| e.to_string())?;
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = dir.path().join(format!("{stem}.html"));
        std::fs::write(&out, emit::to_string(html, &doc, &EmitOptions::default())).unwrap();
        let png = dir.path().join(format!("{stem}.png"));
        check(&validate, &[Path::new("--vnu"), &out, &png])
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    eprintln!("html: {} pages checked", inputs.len());
}

/// An .xmind file whose only sheet is a chain of `depth` topics below the root.
fn deep_map(depth: usize) -> Vec<u8> {
    let mut json = String::from("[{\"title\":\"Deep\",\"rootTopic\":{\"title\":\"root\"");
    for i in 1..=depth {
        json.push_str(&format!(
            ",\"children\":{{\"attached\":[{{\"title\":\"level {i}\""
        ));
    }
    json.push_str(&"}]}".repeat(depth));
    json.push_str("}}]");
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    w.start_file("content.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut w, json.as_bytes()).unwrap();
    w.finish().unwrap();
    buf.into_inner()
}

/// Chromium's DOM of a page after its scripts ran (`--dump-dom`), or `None` when chromium is
/// not installed (validate-html installs it).
fn dump_dom(page: &Path) -> Option<String> {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let o = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .ok()?;
    assert!(o.status.success(), "chromium failed on {}", page.display());
    Some(String::from_utf8(o.stdout).unwrap())
}

/// Python's HTML parser (stdlib) lists, from a page, the text of every element of class `t`
/// (topic titles) and the tag names that occur inside them; one JSON object.
const TITLES_PY: &str = r#"
import html.parser, json, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0; self.titles = []; self.inner = []; self.scripts = 0
    def handle_starttag(self, tag, attrs):
        if tag == "script": self.scripts += 1
        if self.depth:
            self.depth += 1; self.inner.append(tag)
        elif "t" in (dict(attrs).get("class") or "").split():
            self.depth = 1; self.titles.append("")
    def handle_endtag(self, tag):
        if self.depth: self.depth -= 1
    def handle_data(self, data):
        if self.depth: self.titles[-1] += data
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps({"titles": p.titles, "inner": p.inner, "scripts": p.scripts}))
"#;

/// The titles of `escaping.xmind` come out of the page literally: in our HTML as read by
/// Python's HTML parser, and in the DOM Chromium builds from it, every topic's title element
/// holds exactly the title's text (spaces, tabs and line breaks included) and no element.
#[test]
fn html_titles_render_literally() {
    if client("validate-html").is_none() {
        return;
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/escaping.xmind");
    let doc = read_path(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("escaping.html");
    let html = emit::by_name("html").unwrap();
    std::fs::write(&page, emit::to_string(html, &doc, &EmitOptions::default())).unwrap();
    let sheet = &doc.sheets[0];
    let mut want = Vec::new();
    sheet.walk(TopicId::ROOT, |id, _| {
        want.push(serde_json::Value::from(sheet.topic(id).title.clone()));
        true
    });
    let dom = dir.path().join("escaping.dom.html");
    let mut sources = vec![("our HTML", page.clone())];
    if let Some(d) = dump_dom(&page) {
        std::fs::write(&dom, d).unwrap();
        sources.push(("Chromium's DOM", dom));
    } else {
        eprintln!("note: no chromium; only Python's parser checked");
    }
    for (what, file) in sources {
        let out = Command::new("python3")
            .args(["-c", TITLES_PY])
            .arg(&file)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["titles"].as_array().unwrap(), &want, "{what}");
        assert_eq!(
            v["inner"],
            serde_json::json!([]),
            "{what}: markup inside a title"
        );
        assert_eq!(v["scripts"], 1, "{what}: only our script");
    }
}

/// Reads CSV files with Python's csv module (as UTF-8, a byte order mark allowed) and prints
/// their rows as one JSON array per file.
const CSV_PY: &str = r#"
import csv, json, sys
out = []
for name in sys.argv[1:]:
    with open(name, newline="", encoding="utf-8-sig") as f:
        out.append(list(csv.reader(f, strict=True)))
print(json.dumps(out))
"#;

fn python_csv(files: &[PathBuf]) -> Vec<Vec<Vec<String>>> {
    let out = Command::new("python3")
        .args(["-c", CSV_PY])
        .args(files)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A cell as the formula guard writes it.
fn guarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// For every readable map, Python's csv module reads the CSV back (strict mode; with a byte
/// order mark for half of them): the header is `[Sheet,] Level 1 … Level N, Note, Labels,
/// Markers`, there is one row per leaf, and each row's level cells are the titles of a
/// root-to-leaf path in order (after the formula guard's `'`), then empty cells.
#[test]
fn csv_is_read_back_by_python_with_one_row_per_leaf() {
    if clients().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = emit::by_name("csv").unwrap();
    let maps = maps();
    let mut files = Vec::new();
    let mut docs = Vec::new();
    for (k, path) in maps.iter().enumerate() {
        let doc = read_path(path).unwrap();
        let mut opts = EmitOptions::default();
        opts.csv_bom = k % 2 == 0;
        let out = dir.path().join(format!("{k}.csv"));
        std::fs::write(&out, emit::to_string(csv, &doc, &opts)).unwrap();
        files.push(out);
        docs.push(doc);
    }
    let tables = python_csv(&files);
    let mut rows_checked = 0;
    for ((path, doc), rows) in maps.iter().zip(&docs).zip(&tables) {
        let several = doc.sheets.len() > 1;
        // Expected rows: the level cells of every root-to-leaf path.
        let mut want: Vec<Vec<String>> = Vec::new();
        let mut levels = 0;
        for sheet in &doc.sheets {
            let mut path_titles: Vec<String> = Vec::new();
            sheet.walk(TopicId::ROOT, |id, depth| {
                path_titles.truncate(depth);
                path_titles.push(guarded(&sheet.topic(id).title));
                levels = levels.max(depth + 1);
                if sheet.topic(id).children.is_empty() {
                    want.push(path_titles.clone());
                }
                true
            });
        }
        let header = &rows[0];
        let first = usize::from(several);
        assert_eq!(header.len(), first + levels + 3, "{}", path.display());
        assert_eq!(header[first], "Level 1");
        assert_eq!(header[first + levels - 1], format!("Level {levels}"));
        assert_eq!(&header[first + levels..], ["Note", "Labels", "Markers"]);
        assert_eq!(
            rows.len() - 1,
            want.len(),
            "{}: rows vs leaves",
            path.display()
        );
        for (row, path_titles) in rows[1..].iter().zip(&want) {
            assert_eq!(row.len(), header.len(), "{}", path.display());
            let cells = &row[first..first + levels];
            assert_eq!(
                &cells[..path_titles.len()],
                &path_titles[..],
                "{}",
                path.display()
            );
            assert!(cells[path_titles.len()..].iter().all(String::is_empty));
            rows_checked += 1;
        }
    }
    eprintln!("csv: {} files, {rows_checked} rows checked", maps.len());
}

/// The test-case style on the test-case maps of the corpus: Python reads every file, each row
/// has the six columns, and the demo map of xmind2testcase gives the five cases its README
/// describes (ignored topics skipped, priorities from markers).
#[test]
fn csv_test_cases_are_read_back_by_python() {
    if clients().is_none() {
        return;
    }
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let names = [
        "zhuifengshen-xmind2testcase__xmind_testcase_demo.xmind",
        "koco-co-xmind2testcase__test.xmind",
        "koco-co-xmind2testcase__data-asset-v6-4-8-xmind2026.xmind",
    ];
    let paths: Vec<PathBuf> = names.iter().map(|n| corpus.join(n)).collect();
    if !paths.iter().all(|p| p.is_file()) {
        eprintln!("note: test-case maps not in {}; skipped", corpus.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = emit::by_name("csv").unwrap();
    let mut opts = EmitOptions::default();
    opts.csv_style = xmindconv::emit::CsvStyle::TestCase;
    opts.csv_bom = true;
    let mut files = Vec::new();
    let mut priorities = Vec::new();
    for (k, p) in paths.iter().enumerate() {
        let doc = read_path(p).unwrap();
        let out = dir.path().join(format!("{k}.csv"));
        std::fs::write(&out, emit::to_string(csv, &doc, &opts)).unwrap();
        files.push(out);
        priorities.push(
            doc.sheets[0]
                .topics
                .iter()
                .filter(|t| t.markers.iter().any(|m| m.starts_with("priority-")))
                .count(),
        );
    }
    let tables = python_csv(&files);
    for (t, name) in tables.iter().zip(names) {
        assert_eq!(
            t[0],
            [
                "Suite",
                "Case",
                "Preconditions",
                "Steps",
                "Expected",
                "Priority"
            ],
            "{name}"
        );
        assert!(t.iter().all(|r| r.len() == 6), "{name}");
    }
    let demo: Vec<(&str, &str)> = tables[0][1..]
        .iter()
        .map(|r| (r[1].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(
        demo,
        [
            ("测试用例1", "1"),
            ("测试用例2", "1"),
            ("测试用例3（测试步骤和预期结果可以都为空）", "2"),
            ("测试步骤2（优先级默认为中）", "3"),
            (
                "测试用例3（前置条件默认为空） 无设置优先级，这里加入用例标题",
                ""
            ),
        ]
    );
    assert_eq!(tables[0][1][3], "1. 测试步骤1\n2. 测试步骤2");
    assert_eq!(tables[0][1][4], "1. 预期结果1\n2. 预期结果2");
    // In the koco-co maps every case has a priority marker, and nothing else has one.
    assert_eq!(tables[1].len() - 1, priorities[1]);
    assert_eq!(tables[2].len() - 1, priorities[2]);
}

/// Every topic of every readable map (attached, floating, summary and callout topics) has its
/// title, exactly, in one title element of the HTML page, as Python's HTML parser reads it.
#[test]
fn html_keeps_every_title_of_every_map() {
    if clients().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let html = emit::by_name("html").unwrap();
    let maps = maps();
    let errors = in_parallel(&maps, |path| {
        let doc = read_path(path).map_err(|e| e.to_string())?;
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let page = dir.path().join(format!("{stem}.html"));
        std::fs::write(&page, emit::to_string(html, &doc, &EmitOptions::default())).unwrap();
        let out = Command::new("python3")
            .args(["-c", TITLES_PY])
            .arg(&page)
            .output()
            .map_err(|e| e.to_string())?;
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut got: Vec<String> = v["titles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        let mut want: Vec<String> = doc
            .sheets
            .iter()
            .flat_map(|s| s.topics.iter().map(|t| t.title.clone()))
            .collect();
        got.sort();
        want.sort();
        if got != want {
            let missing: Vec<_> = want.iter().filter(|t| !got.contains(t)).take(3).collect();
            return Err(format!(
                "{}: {} titles in the page, {} topics; missing {missing:?}",
                path.display(),
                got.len(),
                want.len()
            ));
        }
        if v["inner"] != serde_json::json!([]) {
            return Err(format!("{}: markup inside a title", path.display()));
        }
        Ok(())
    });
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    eprintln!("html: every title of {} maps", maps.len());
}
