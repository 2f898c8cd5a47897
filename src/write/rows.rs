//! Tables of text cells, shared by the table formats: the rows of [`TableStyle::Paths`] and
//! [`TableStyle::TestCase`] (written by `-t csv` and `-t xlsx`, handed to a [`Table`]), and
//! RFC 4180 cell writing with the formula guard ([`CsvRows`], for `-t csv` and `-t zentao`).

use std::io::Write;

use super::testcase::{self, TestCases};
use super::{Buf, Event, Extra, Plan, fmt};
use crate::error::Result;
use crate::model::{Sheet, Topic, TopicId};

/// The shape of the rows of the table formats (`-t csv`, `-t xlsx`): `--table-style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TableStyle {
    /// One row per root-to-leaf path, one column per level.
    #[default]
    Paths,
    /// One row per test case (suite, case, preconditions, steps, expected results, priority),
    /// by xmind2testcase's rules.
    TestCase,
}

/// Where rows go: a header row first, then data rows.
pub(crate) trait Table {
    /// A header cell.
    fn header(&mut self, text: &str);
    /// A data cell.
    fn cell(&mut self, text: &str);
    /// `n` empty data cells.
    fn empty(&mut self, n: usize);
    /// Ends the current row.
    fn end_row(&mut self) -> Result<()>;
}

/// Writes the rows `plan` asks for (its [`TableStyle`]) to `table`; the test cases read, for
/// the test-case style.
pub(crate) fn write(plan: &Plan<'_>, table: &mut dyn Table) -> Result<Option<TestCases>> {
    match plan.opts().table_style {
        TableStyle::Paths => paths(plan, table).map(|()| None),
        TableStyle::TestCase => {
            let cases = testcase::read(plan);
            test_cases(plan, &cases, table)?;
            Ok(Some(cases))
        }
    }
}

/// The value of the `Sheet` column.
pub(crate) fn sheet_name(sheet: &Sheet, index: usize) -> String {
    if sheet.title.trim().is_empty() {
        format!("Sheet {}", index + 1)
    } else {
        sheet.title.clone()
    }
}

/// A topic's plain note, without trailing white space (empty when it has none).
fn note(t: &Topic) -> &str {
    t.notes.as_ref().map_or("", |n| n.plain.trim_end())
}

fn paths(plan: &Plan<'_>, w: &mut dyn Table) -> Result<()> {
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
                w.cell(&fmt::marker_names(plan, t).join(", "));
            }
            w.end_row()?;
        }
    }
    Ok(())
}

fn test_cases(plan: &Plan<'_>, cases: &TestCases, w: &mut dyn Table) -> Result<()> {
    let doc = plan.doc();
    let several = doc.sheets.len() > 1;
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
    for (s, product) in &cases.products {
        let name = sheet_name(&doc.sheets[*s], *s);
        for suite in &product.suites {
            for case in &suite.cases {
                let mut steps = String::new();
                let mut expected = String::new();
                for step in &case.steps {
                    if !steps.is_empty() {
                        steps.push('\n');
                    }
                    steps.push_str(&format!(
                        "{}. {}",
                        step.number,
                        testcase::py_strip(&step.actions)
                    ));
                    if let Some(e) = step.expected.as_deref().filter(|e| !e.is_empty()) {
                        if !expected.is_empty() {
                            expected.push('\n');
                        }
                        expected.push_str(&format!("{}. {}", step.number, testcase::py_strip(e)));
                    }
                }
                if several {
                    w.cell(&name);
                }
                w.cell(testcase::py_strip(&suite.name));
                w.cell(&case.name);
                w.cell(&case.preconditions);
                w.cell(&steps);
                w.cell(&expected);
                w.cell(&case.priority.map(|p| p.to_string()).unwrap_or_default());
                w.end_row()?;
            }
        }
    }
    Ok(())
}

/// Writes rows as CSV (RFC 4180).
///
/// Quoting is RFC 4180's (and Python's csv module's): a cell is quoted when it holds `"`, `,`,
/// a line feed or a carriage return, and `"` is doubled; rows end with CRLF. The padding of
/// short rows is written in blocks, which matters on deep maps. As the csv crate does, a record
/// of one empty field is written `""`, so that readers do not take it for a blank line.
pub(crate) struct CsvRows<'o> {
    pub b: Buf<'o>,
    /// Cells written in the current row.
    cells: usize,
    /// Every cell of the current row so far is empty.
    empty: bool,
    /// Apply the formula guard to data cells.
    guard: bool,
}

impl<'o> CsvRows<'o> {
    /// Rows to `out`; `guard`: data cells that start like a formula get a `'` in front.
    pub fn new(out: &'o mut dyn Write, guard: bool) -> Self {
        CsvRows {
            b: Buf::new(out),
            cells: 0,
            empty: true,
            guard,
        }
    }

    /// Writes out what is left.
    pub fn finish(self) -> Result<()> {
        Ok(self.b.finish()?)
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
}

impl Table for CsvRows<'_> {
    /// Never guarded.
    fn header(&mut self, text: &str) {
        self.raw(text, false);
    }

    fn cell(&mut self, text: &str) {
        let guard = self.guard && starts_like_formula(text);
        self.raw(text, guard);
    }

    /// Only their separators (a map with one very deep branch pads every other row with
    /// thousands of them).
    fn empty(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let commas = if self.cells == 0 { n - 1 } else { n };
        self.b.s.extend(std::iter::repeat_n(',', commas));
        self.cells += n;
    }

    fn end_row(&mut self) -> Result<()> {
        if self.cells == 1 && self.empty {
            self.b.s.push_str("\"\"");
        }
        self.b.s.push_str("\r\n");
        self.cells = 0;
        self.empty = true;
        Ok(self.b.flush_full()?)
    }
}

/// Whether a spreadsheet would read a cell starting like this as a formula.
pub(crate) fn starts_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}
