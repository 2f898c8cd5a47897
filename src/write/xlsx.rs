//! Excel workbook (`-t xlsx`): the rows of `-t csv` (either `--table-style`) in one worksheet,
//! every cell a string, through rust_xlsxwriter. The full description is
//! `docs/formats/xlsx.md`.

use std::io::Write;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::rows::{self, Table, TableStyle};
use super::{Extra, Plan, WriteOptions, Writer};
use crate::error::{Error, Result};
use crate::model::Document;

#[doc = include_str!("../../docs/formats/xlsx.md")]
pub struct Xlsx;

/// Excel's limits: columns and rows of a worksheet, characters in a cell.
const MAX_COLUMNS: usize = 16_384;
const MAX_ROWS: u32 = 1_048_576;
const MAX_CELL: usize = 32_767;

impl Writer for Xlsx {
    fn name(&self) -> &'static str {
        "xlsx"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["xlsx"]
    }
    fn description(&self) -> &'static str {
        "Excel workbook: the rows of -t csv (either --table-style), every cell text"
    }
    fn carries(&self) -> &'static [Extra] {
        &[Extra::Notes, Extra::Labels, Extra::Markers]
    }
    fn binary(&self) -> bool {
        true
    }
    fn writes_test_cases(&self, opts: &WriteOptions) -> bool {
        opts.table_style == TableStyle::TestCase
    }
    fn warnings(&self, doc: &Document, opts: &WriteOptions) -> Vec<String> {
        let plan = Plan::new(doc, opts, self);
        let mut out = match opts.table_style {
            TableStyle::TestCase => super::testcase::read(&plan).warnings,
            _ => Vec::new(),
        };
        if let Ok(m) = measure(&plan) {
            if m.long > 0 {
                out.push(format!(
                    "{} cell{} longer than Excel's {MAX_CELL} characters cut to fit, ending in …; \
                     -t csv keeps every cell whole",
                    m.long,
                    if m.long == 1 { "" } else { "s" }
                ));
            }
        }
        out
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        // First the shape of the table (the column widths go before the rows in a worksheet
        // written row by row), then the cells.
        let size = measure(plan)?;
        let mut wb = Workbook::new();
        // A fixed creation time (the default is now), so that the same map gives the same bytes.
        let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx_error)?;
        wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
        // One row in memory at a time (the rest in a temporary file), shared strings kept.
        let ws = wb.add_worksheet_with_low_memory();
        let name = match plan.opts().table_style {
            TableStyle::TestCase => "Test cases",
            _ => "Paths",
        };
        ws.set_name(name).map_err(xlsx_error)?;
        for (c, w) in size.widths.iter().enumerate() {
            // Characters to Excel's width units, between a narrow and a wide column.
            let width = (*w as f64 + 2.0).clamp(8.0, 60.0);
            ws.set_column_width(c as u16, width).map_err(xlsx_error)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        let mut t = Cells {
            ws,
            bold: Format::new().set_bold(),
            row: 0,
            col: 0,
            error: None,
        };
        rows::write(plan, &mut t)?;
        if let Some(e) = t.error.take() {
            return Err(e);
        }
        let bytes = wb.save_to_buffer().map_err(xlsx_error)?;
        out.write_all(&bytes)?;
        out.flush()?;
        Ok(())
    }
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Unsupported {
        format: "xlsx",
        message: e.to_string(),
    }
}

/// What the rows of a plan take: the widest line of each column (in characters, East Asian ones
/// counting two), and how many cells are too long for Excel. Fails when the table does not fit
/// in a worksheet.
fn measure(plan: &Plan<'_>) -> Result<Measure> {
    let mut m = Measure {
        widths: Vec::new(),
        col: 0,
        rows: 0,
        long: 0,
    };
    rows::write(plan, &mut m)?;
    if m.widths.len() > MAX_COLUMNS {
        return Err(Error::Unsupported {
            format: "xlsx",
            message: format!(
                "a worksheet holds at most {MAX_COLUMNS} columns and this table needs {} (the \
                 map is too deep for one column per level: write fewer levels with --depth, or \
                 use -t csv)",
                m.widths.len()
            ),
        });
    }
    if m.rows > MAX_ROWS {
        return Err(Error::Unsupported {
            format: "xlsx",
            message: format!(
                "a worksheet holds at most {MAX_ROWS} rows and this table needs {} (use -t csv)",
                m.rows
            ),
        });
    }
    Ok(m)
}

struct Measure {
    widths: Vec<usize>,
    col: usize,
    rows: u32,
    /// Cells longer than [`MAX_CELL`].
    long: usize,
}

impl Table for Measure {
    fn header(&mut self, text: &str) {
        self.cell(text);
    }
    fn cell(&mut self, text: &str) {
        let col = self.col;
        self.col += 1;
        if self.widths.len() < self.col {
            self.widths.resize(self.col, 0);
        }
        if text.is_empty() {
            return;
        }
        if text.len() > MAX_CELL && text.chars().count() > MAX_CELL {
            self.long += 1;
        }
        // The first lines are enough to size a column (a cell may hold a whole book).
        let width = text.lines().take(50).map(display_width).max().unwrap_or(0);
        self.widths[col] = self.widths[col].max(width);
    }
    fn empty(&mut self, n: usize) {
        self.col = self.col.saturating_add(n);
        if self.widths.len() < self.col {
            self.widths.resize(self.col.min(MAX_COLUMNS + 1), 0);
        }
    }
    fn end_row(&mut self) -> Result<()> {
        self.rows = self.rows.saturating_add(1);
        self.col = 0;
        Ok(())
    }
}

/// Columns a line takes: two for East Asian wide characters, one for the others (the first
/// thousand characters, enough for the widest column).
fn display_width(line: &str) -> usize {
    line.chars()
        .take(1000)
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// Rows into a worksheet: the header bold, empty cells left out, cells too long for Excel cut
/// to fit with a `…` at the end, the first error kept.
struct Cells<'w> {
    ws: &'w mut Worksheet,
    bold: Format,
    row: u32,
    col: usize,
    error: Option<Error>,
}

impl Cells<'_> {
    fn put(&mut self, text: &str, header: bool) {
        let col = self.col;
        self.col += 1;
        if self.error.is_some() || text.is_empty() {
            return;
        }
        let cut;
        let text = if text.len() > MAX_CELL && text.chars().count() > MAX_CELL {
            cut = text
                .chars()
                .take(MAX_CELL - 1)
                .chain(['…'])
                .collect::<String>();
            cut.as_str()
        } else {
            text
        };
        let done = if header {
            self.ws
                .write_string_with_format(self.row, col as u16, text, &self.bold)
                .map(|_| ())
        } else {
            self.ws.write_string(self.row, col as u16, text).map(|_| ())
        };
        if let Err(e) = done {
            self.error = Some(xlsx_error(e));
        }
    }
}

impl Table for Cells<'_> {
    fn header(&mut self, text: &str) {
        self.put(text, true);
    }
    fn cell(&mut self, text: &str) {
        self.put(text, false);
    }
    fn empty(&mut self, n: usize) {
        self.col = self.col.saturating_add(n);
    }
    fn end_row(&mut self) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.row += 1;
        self.col = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Sheet, Topic, TopicId, TopicKind};

    fn chain(depth: usize) -> Document {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 1..=depth {
            parent = s.add(parent, TopicKind::Attached, Topic::new(format!("=1+{i}")));
        }
        Document {
            sheets: vec![s],
            ..Document::default()
        }
    }

    #[test]
    fn the_same_map_gives_the_same_bytes() {
        let doc = chain(50);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        Xlsx.write(&doc, &WriteOptions::default(), &mut a).unwrap();
        Xlsx.write(&doc, &WriteOptions::default(), &mut b).unwrap();
        assert!(a == b && a.starts_with(b"PK\x03\x04"));
    }

    #[test]
    fn a_table_wider_than_excel_is_refused_with_the_remedy() {
        let doc = chain(20_000);
        let err = Xlsx
            .write(&doc, &WriteOptions::default(), &mut Vec::new())
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("at most 16384 columns and this table needs 20004"),
            "{err}"
        );
        assert!(err.to_string().contains("--depth"), "{err}");
        let mut o = WriteOptions {
            depth: Some(100),
            ..WriteOptions::default()
        };
        Xlsx.write(&doc, &o, &mut Vec::new()).unwrap();
        o.table_style = TableStyle::TestCase;
        o.depth = None;
        // One test case, whose name joins 19,999 titles: longer than a cell holds, so cut.
        Xlsx.write(&doc, &o, &mut Vec::new()).unwrap();
        let w = Xlsx.warnings(&doc, &o);
        assert_eq!(
            w,
            [
                "1 cell longer than Excel's 32767 characters cut to fit, ending in …; -t csv keeps \
              every cell whole"
            ]
        );
    }
}
