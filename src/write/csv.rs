//! CSV (RFC 4180) in two shapes, chosen by [`WriteOptions::csv_style`]:
//!
//! - [`CsvStyle::Paths`] (the default): one row per root-to-leaf path of attached topics, one
//!   column per level (`Level 1` is the root), padded with empty cells to the deepest path of the
//!   output; then `Note`, `Labels` and `Markers` of the leaf (each column only when that extra is
//!   on, as it is by default). `--depth N` makes the topics N levels down the leaves. The row
//!   count is the leaf count.
//! - [`CsvStyle::TestCase`]: one row per test case, laid out the way xmind2testcase and its forks
//!   read test-case maps: `Suite`, `Case`, `Preconditions`, `Steps`, `Expected`, `Priority`.
//!   The rules are in [`testcase`](self#test-case-style) below and in the README.
//!
//! Both:
//! - Several sheets: a first `Sheet` column holds the sheet's title (`Sheet N` when it has none);
//!   a single sheet has no such column. The header is the same for every sheet.
//! - Cells are quoted when they hold `"`, `,`, a line feed or a carriage return; `"` is doubled.
//!   Line breaks inside titles and notes stay line feeds inside the quoted cell; rows end with
//!   CRLF. [`WriteOptions::csv_bom`] starts the file with a UTF-8 byte order mark, which Excel
//!   needs to tell UTF-8.
//! - Formula guard: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be
//!   run as a formula by Excel, LibreOffice and Google Sheets (a hostile map could carry
//!   `=HYPERLINK(…)` or a DDE command). Such a cell is written with a `'` in front (OWASP's
//!   advice), so that they take it as text (the `'` may show). The header row is never changed.
//!   [`WriteOptions::csv_keep_formulas`] writes cells as they are, for programs that read CSV as
//!   data.
//! - Floating topics, summaries, callouts, boundaries, relationships, links, images and comments
//!   have no place in these shapes and are left out.
//!
//! # Test-case style
//!
//! The root is the product, each main topic a suite. Below a suite, a topic is a **test case**
//! when it has a `priority-N` marker or no subtopics; the topics between the suite and the case
//! are joined with the case's title into the `Case` cell. The case's subtopics are its steps
//! (`1. …`, `2. …` on separate lines of the `Steps` cell) and each step's subtopics its expected
//! results (`N. …` in `Expected`, several joined by line breaks); anything deeper is left out.
//! `Preconditions` holds the notes of the topics from below the suite to the case, one after
//! another on separate lines; `Priority` the N of the case's first `priority-N` marker (empty
//! when it has none). As in xmind2testcase: a topic whose title is empty or starts with `#`, `!`
//! or `！` is skipped with its subtree (and so is such a note), and when the root's title ends
//! with one of `& > + / -`, that character (with a space on each side) joins the titles of the
//! `Case` cell instead of a space.

use std::io::{self, Write};

use super::{Buf, Event, Extra, Plan, Writer, fmt};
use crate::error::Result;
use crate::model::{Sheet, Topic, TopicId};

#[doc = include_str!("../../docs/formats/csv.md")]
pub struct Csv;

/// The shape of the rows of CSV output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CsvStyle {
    /// One row per root-to-leaf path, one column per level.
    #[default]
    Paths,
    /// One row per test case (suite, case, preconditions, steps, expected results, priority).
    TestCase,
}

impl Writer for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["csv"]
    }
    fn description(&self) -> &'static str {
        "CSV: one row per root-to-leaf path (or per test case with --csv-style testcase)"
    }
    fn carries(&self) -> &'static [Extra] {
        &[Extra::Notes, Extra::Labels, Extra::Markers]
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        // A row per leaf, with a separator for every level of the deepest path.
        match plan.opts().csv_style {
            CsvStyle::Paths => plan.leaves().saturating_mul(plan.deepest() as u64),
            CsvStyle::TestCase => 0,
        }
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let opts = plan.opts();
        let mut w = Rows {
            b: Buf::new(out),
            cells: 0,
            empty: true,
            guard: !opts.csv_keep_formulas,
        };
        if opts.csv_bom {
            w.b.s.push('\u{feff}');
        }
        match opts.csv_style {
            CsvStyle::Paths => paths(plan, &mut w)?,
            CsvStyle::TestCase => test_cases(plan, &mut w)?,
        }
        Ok(w.b.finish()?)
    }
}

/// Writes cells and rows.
///
/// Quoting is RFC 4180's, small enough to write here, and the padding of short rows is written
/// in blocks, which matters on deep maps; the csv crate would add a copy of every cell. As that
/// crate does, a record of one empty field is written `""`, so that readers do not take it for
/// a blank line and drop it.
struct Rows<'o> {
    b: Buf<'o>,
    /// Cells written in the current row.
    cells: usize,
    /// Every cell of the current row so far is empty.
    empty: bool,
    /// Apply the formula guard to data cells.
    guard: bool,
}

impl Rows<'_> {
    /// A data cell.
    fn cell(&mut self, text: &str) {
        let guard = self.guard && starts_like_formula(text);
        self.raw(text, guard);
    }

    /// A header cell: never guarded.
    fn header(&mut self, text: &str) {
        self.raw(text, false);
    }

    fn raw(&mut self, text: &str, guard: bool) {
        let out = &mut self.b.s;
        if self.cells > 0 {
            out.push(',');
        }
        self.cells += 1;
        self.empty &= text.is_empty();
        let quote = text.contains(['"', ',', '\n', '\r']);
        if quote {
            out.push('"');
        }
        if guard {
            out.push('\'');
        }
        if quote {
            let mut parts = text.split('"');
            if let Some(p) = parts.next() {
                out.push_str(p);
            }
            for p in parts {
                out.push_str("\"\"");
                out.push_str(p);
            }
            out.push('"');
        } else {
            out.push_str(text);
        }
    }

    /// `n` empty cells: only their separators (a map with one very deep branch pads every other
    /// row with thousands of them).
    fn empty(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let commas = if self.cells == 0 { n - 1 } else { n };
        self.b.s.extend(std::iter::repeat_n(',', commas));
        self.cells += n;
    }

    fn end_row(&mut self) -> io::Result<()> {
        if self.cells == 1 && self.empty {
            self.b.s.push_str("\"\"");
        }
        self.b.s.push_str("\r\n");
        self.cells = 0;
        self.empty = true;
        self.b.flush_full()
    }
}

/// Whether a spreadsheet would read a cell starting like this as a formula.
fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The value of the `Sheet` column.
fn sheet_name(sheet: &Sheet, index: usize) -> String {
    if sheet.title.trim().is_empty() {
        format!("Sheet {}", index + 1)
    } else {
        sheet.title.clone()
    }
}

fn paths(plan: &Plan<'_>, w: &mut Rows<'_>) -> io::Result<()> {
    let doc = plan.doc();
    let several = doc.sheets.len() > 1;
    let (notes, labels, markers) = (
        plan.wants(Extra::Notes),
        plan.wants(Extra::Labels),
        plan.wants(Extra::Markers),
    );
    // The deepest path sets the number of level columns.
    let levels = plan.deepest() + 1;
    if several {
        w.header("Sheet");
    }
    for l in 1..=levels {
        w.header(&format!("Level {l}"));
    }
    for (on, name) in [(notes, "Note"), (labels, "Labels"), (markers, "Markers")] {
        if on {
            w.header(name);
        }
    }
    w.end_row()?;

    for (s, sheet) in doc.sheets.iter().enumerate() {
        let name = sheet_name(sheet, s);
        let mut path: Vec<TopicId> = Vec::new();
        for event in plan.walk(s) {
            let e = match event {
                Event::Enter(e) => e,
                Event::Leave(_) => {
                    path.pop();
                    continue;
                }
            };
            path.push(e.id);
            if e.has_below() {
                continue;
            }
            let t = sheet.topic(e.id);
            if several {
                w.cell(&name);
            }
            for &p in &path {
                w.cell(&sheet.topic(p).title);
            }
            w.empty(levels.saturating_sub(path.len()));
            if notes {
                w.cell(note(t));
            }
            if labels {
                w.cell(&t.labels.join(", "));
            }
            if markers {
                w.cell(&marker_list(plan, t));
            }
            w.end_row()?;
        }
    }
    Ok(())
}

/// A topic's plain note, without trailing white space (empty when it has none).
fn note(t: &Topic) -> &str {
    t.notes.as_ref().map_or("", |n| n.plain.trim_end())
}

fn marker_list(plan: &Plan<'_>, t: &Topic) -> String {
    fmt::marker_names(plan, t).join(", ")
}

/// Whether xmind2testcase skips a topic (and its subtree): an empty title, or one starting with
/// `#`, `!` or `！`.
fn ignored(title: &str) -> bool {
    title.trim().is_empty() || title.starts_with(['#', '!', '！'])
}

/// The N of a topic's first `priority-N` marker.
fn priority(t: &Topic) -> Option<&str> {
    t.markers
        .iter()
        .find_map(|m| m.strip_prefix("priority-"))
        .filter(|n| !n.is_empty())
}

/// The attached children of a topic at `depth` that the test-case style reads: within the depth
/// limit, not skipped.
fn kept_children<'s>(
    sheet: &'s Sheet,
    id: TopicId,
    depth: usize,
    plan: &'s Plan<'_>,
) -> impl Iterator<Item = TopicId> + 's {
    let shown = plan.children_shown(depth);
    sheet
        .topic(id)
        .children
        .iter()
        .copied()
        .filter(move |&c| shown && !ignored(&sheet.topic(c).title))
}

fn test_cases(plan: &Plan<'_>, w: &mut Rows<'_>) -> io::Result<()> {
    let doc = plan.doc();
    let several = doc.sheets.len() > 1;
    let notes = plan.wants(Extra::Notes);
    let markers = plan.wants(Extra::Markers);
    if several {
        w.header("Sheet");
    }
    for h in [
        "Suite",
        "Case",
        "Preconditions",
        "Steps",
        "Expected",
        "Priority",
    ] {
        w.header(h);
    }
    w.end_row()?;

    for (s, sheet) in doc.sheets.iter().enumerate() {
        let name = sheet_name(sheet, s);
        let root = sheet.root();
        let sep = match root.title.trim_end().chars().last() {
            Some(c) if "&>+/-".contains(c) => format!(" {c} "),
            _ => " ".to_string(),
        };
        for suite in kept_children(sheet, TopicId::ROOT, 0, plan) {
            // Topics below the suite, depth-first in document order, with an explicit stack.
            let mut stack: Vec<(TopicId, usize)> = kept_children(sheet, suite, 1, plan)
                .map(|c| (c, 2))
                .collect();
            stack.reverse();
            while let Some((id, depth)) = stack.pop() {
                let t = sheet.topic(id);
                let mut children = kept_children(sheet, id, depth, plan).peekable();
                if priority(t).is_none() && children.peek().is_some() {
                    let start = stack.len();
                    stack.extend(children.map(|c| (c, depth + 1)));
                    stack[start..].reverse();
                    continue;
                }
                // A test case: the topics from below the suite down to it.
                let mut path = vec![id];
                let mut up = t.parent();
                while let Some(p) = up.filter(|&p| p != suite) {
                    path.push(p);
                    up = sheet.topic(p).parent();
                }
                path.reverse();
                let titles: Vec<&str> = path.iter().map(|&p| sheet.topic(p).title.trim()).collect();
                let preconditions: Vec<&str> = if notes {
                    path.iter()
                        .map(|&p| note(sheet.topic(p)).trim_start())
                        .filter(|n| !ignored(n))
                        .collect()
                } else {
                    Vec::new()
                };
                let mut steps = String::new();
                let mut expected = String::new();
                for (n, step) in kept_children(sheet, id, depth, plan).enumerate() {
                    if n > 0 {
                        steps.push('\n');
                    }
                    steps.push_str(&format!("{}. {}", n + 1, sheet.topic(step).title.trim()));
                    let results: Vec<&str> = kept_children(sheet, step, depth + 1, plan)
                        .map(|r| sheet.topic(r).title.trim())
                        .collect();
                    if !results.is_empty() {
                        if !expected.is_empty() {
                            expected.push('\n');
                        }
                        expected.push_str(&format!("{}. {}", n + 1, results.join("\n")));
                    }
                }
                if several {
                    w.cell(&name);
                }
                w.cell(sheet.topic(suite).title.trim());
                w.cell(&titles.join(&sep));
                w.cell(&preconditions.join("\n"));
                w.cell(&steps);
                w.cell(&expected);
                w.cell(if markers {
                    priority(t).unwrap_or("")
                } else {
                    ""
                });
                w.end_row()?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Notes, TopicKind};
    use crate::write::WriteOptions;

    fn csv(doc: &Document, opts: &WriteOptions) -> String {
        crate::write::to_string(&Csv, doc, opts).unwrap()
    }

    fn doc(sheets: Vec<Sheet>) -> Document {
        Document {
            sheets,
            ..Document::default()
        }
    }

    fn cells(texts: &[&str], guard: bool) -> String {
        let mut out = Vec::new();
        let mut w = Rows {
            b: Buf::new(&mut out),
            cells: 0,
            empty: true,
            guard,
        };
        for t in texts {
            w.cell(t);
        }
        w.end_row().unwrap();
        w.b.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(cells(&["a", "b c", ""], true), "a,b c,\r\n");
        assert_eq!(
            cells(&["a,b", "say \"hi\"", "two\nlines", "cr\r"], true),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n"
        );
        assert_eq!(cells(&["\"", "中文 😀"], true), "\"\"\"\",中文 😀\r\n");
    }

    #[test]
    fn formula_like_cells_are_guarded_unless_asked_not_to() {
        assert_eq!(
            cells(&["=1+2", "+86", "-x", "@SUM(A1)", "\tx", "a=b"], true),
            "'=1+2,'+86,'-x,'@SUM(A1),'\tx,a=b\r\n"
        );
        assert_eq!(
            cells(&["=HYPERLINK(\"x\",\"y\")"], true),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n"
        );
        assert_eq!(cells(&["=1+2", "-x"], false), "=1+2,-x\r\n");
    }

    /// root ─ a ─ a1
    ///      │   └ a2 (note, labels, markers)
    ///      └ b
    fn small() -> Sheet {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        s.add(a, TopicKind::Attached, Topic::new("a1"));
        let mut a2 = Topic::new("a2\nsecond line");
        a2.notes = Some(Box::new(Notes {
            plain: "note, with comma\n".into(),
            html: None,
        }));
        a2.labels = vec!["x".into(), "y".into()].into();
        a2.markers = vec!["priority-1".into(), "task-done".into()].into();
        s.add(a, TopicKind::Attached, a2);
        s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("b"));
        s.add(TopicId::ROOT, TopicKind::Floating, Topic::new("floating"));
        s
    }

    #[test]
    fn one_row_per_leaf_padded_to_the_deepest_path() {
        assert_eq!(
            csv(&doc(vec![small()]), &WriteOptions::default()),
            "Level 1,Level 2,Level 3,Note,Labels,Markers\r\n\
             root,a,a1,,,\r\n\
             root,a,\"a2\nsecond line\",\"note, with comma\",\"x, y\",\"P1, done\"\r\n\
             root,b,,,,\r\n"
        );
        let mut o = WriteOptions::default();
        o.titles_only();
        o.depth = Some(1);
        assert_eq!(
            csv(&doc(vec![small()]), &o),
            "Level 1,Level 2\r\nroot,a\r\nroot,b\r\n"
        );
        o.depth = Some(0);
        assert_eq!(csv(&doc(vec![small()]), &o), "Level 1\r\nroot\r\n");
    }

    #[test]
    fn a_row_of_one_empty_cell_is_not_a_blank_line() {
        // B4: `\r\n` alone is a blank line, which CSV readers drop; `""` is one empty cell.
        let mut o = WriteOptions::default();
        o.titles_only();
        let out = csv(&doc(vec![Sheet::new("")]), &o);
        assert_eq!(out, "Level 1\r\n\"\"\r\n");
        assert_eq!(cells(&["", ""], true), ",\r\n");
    }

    #[test]
    fn several_sheets_get_a_sheet_column_and_a_bom_on_request() {
        let mut second = Sheet::new("=other root");
        second.title = "Plan, B".into();
        let mut o = WriteOptions {
            csv_bom: true,
            ..WriteOptions::default()
        };
        o.titles_only();
        assert_eq!(
            csv(&doc(vec![small(), second]), &o),
            "\u{feff}Sheet,Level 1,Level 2,Level 3\r\n\
             Sheet 1,root,a,a1\r\n\
             Sheet 1,root,a,\"a2\nsecond line\"\r\n\
             Sheet 1,root,b,\r\n\
             \"Plan, B\",'=other root,,\r\n"
        );
    }

    /// The layout of xmind2testcase's demo map.
    fn test_case_map() -> Sheet {
        let mut s = Sheet::new("Product/");
        let suite = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("Suite 1"));
        let group = s.add(suite, TopicKind::Attached, Topic::new("Login"));
        let mut case = Topic::new("valid user");
        case.markers = vec!["priority-1".into()].into();
        case.notes = Some(Box::new(Notes {
            plain: "user exists".into(),
            html: None,
        }));
        let case = s.add(group, TopicKind::Attached, case);
        let step = s.add(case, TopicKind::Attached, Topic::new("open page"));
        s.add(step, TopicKind::Attached, Topic::new("page shown"));
        let step = s.add(case, TopicKind::Attached, Topic::new("=submit"));
        let r = s.add(step, TopicKind::Attached, Topic::new("logged in"));
        s.add(r, TopicKind::Attached, Topic::new("deeper: left out"));
        s.add(step, TopicKind::Attached, Topic::new("welcome shown"));
        s.add(case, TopicKind::Attached, Topic::new("#ignored step"));
        s.add(group, TopicKind::Attached, Topic::new("leaf case"));
        let mut group_note = Topic::new("Logout");
        group_note.notes = Some(Box::new(Notes {
            plain: "logged in first".into(),
            html: None,
        }));
        let g2 = s.add(suite, TopicKind::Attached, group_note);
        let mut c = Topic::new("button");
        c.markers = vec!["priority-3".into()].into();
        c.notes = Some(Box::new(Notes {
            plain: "on every page".into(),
            html: None,
        }));
        s.add(g2, TopicKind::Attached, c);
        let skipped = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("!Suite 2"));
        s.add(skipped, TopicKind::Attached, Topic::new("never a case"));
        s.add(
            TopicId::ROOT,
            TopicKind::Attached,
            Topic::new("Empty suite"),
        );
        s
    }

    #[test]
    fn test_case_style_reads_the_xmind2testcase_layout() {
        let o = WriteOptions {
            csv_style: CsvStyle::TestCase,
            ..WriteOptions::default()
        };
        assert_eq!(
            csv(&doc(vec![test_case_map()]), &o),
            "Suite,Case,Preconditions,Steps,Expected,Priority\r\n\
             Suite 1,Login / valid user,user exists,\"1. open page\n2. =submit\",\"1. page shown\n2. logged in\nwelcome shown\",1\r\n\
             Suite 1,Login / leaf case,,,,\r\n\
             Suite 1,Logout / button,\"logged in first\non every page\",,,3\r\n"
        );
        let mut o = o;
        o.titles_only();
        o.depth = Some(3);
        assert_eq!(
            csv(&doc(vec![Sheet::new("no suites"), test_case_map()]), &o),
            "Sheet,Suite,Case,Preconditions,Steps,Expected,Priority\r\n\
             Sheet 2,Suite 1,Login / valid user,,,,\r\n\
             Sheet 2,Suite 1,Login / leaf case,,,,\r\n\
             Sheet 2,Suite 1,Logout / button,,,,\r\n"
        );
    }

    #[test]
    fn a_very_deep_chain_is_one_row() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 1..=20_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let mut o = WriteOptions::default();
        o.titles_only();
        let out = csv(&doc(vec![s]), &o);
        let rows: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(rows.len(), 3);
        assert!(rows[0].ends_with(",Level 20001"));
        assert!(rows[1].starts_with("root,1,2,3,"));
        assert!(rows[1].ends_with(",19999,20000"));
        o.csv_style = CsvStyle::TestCase;
        let out = csv(
            &doc(vec![{
                let mut s = Sheet::new("root");
                let mut parent = TopicId::ROOT;
                for i in 1..=20_000 {
                    parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
                }
                s
            }]),
            &o,
        );
        assert_eq!(out.matches("\r\n").count(), 2);
        assert!(out.contains("\r\n1,2 3 4 5 "), "{}", &out[..100]);
    }
}
