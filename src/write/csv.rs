//! CSV (RFC 4180) in two shapes, chosen by [`WriteOptions::table_style`] (`--table-style`,
//! also `--csv-style`): [`TableStyle::Paths`] (the default) and [`TableStyle::TestCase`].
//!
//! What it writes is specified in docs/formats/csv.md, shown as the rustdoc of [`Csv`].
//!
//! The rows are those of `src/write/rows.rs`, which `-t xlsx` writes too; the test cases are
//! found by the shared module `src/write/testcase.rs`. `--csv-bom` is [`WriteOptions::csv_bom`]
//! and `--csv-keep-formulas` is [`WriteOptions::csv_keep_formulas`].
//!
//! [`WriteOptions::table_style`]: super::WriteOptions::table_style
//! [`WriteOptions::csv_bom`]: super::WriteOptions::csv_bom
//! [`WriteOptions::csv_keep_formulas`]: super::WriteOptions::csv_keep_formulas

use std::io::Write;

use super::rows::{self, CsvRows, TableStyle};
use super::{Extra, Plan, Writer};
use crate::error::Result;
use crate::model::Document;

#[doc = include_str!("../../docs/formats/csv.md")]
pub struct Csv;

impl Writer for Csv {
    fn name(&self) -> &'static str {
        "csv"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["csv"]
    }
    fn description(&self) -> &'static str {
        "CSV: one row per root-to-leaf path (or per test case with --table-style testcase)"
    }
    fn carries(&self) -> &'static [Extra] {
        &[Extra::Notes, Extra::Labels, Extra::Markers]
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        // A row per leaf, with a separator for every level of the deepest path.
        match plan.opts().table_style {
            TableStyle::Paths => plan.leaves().saturating_mul(plan.deepest() as u64),
            TableStyle::TestCase => 0,
        }
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let opts = plan.opts();
        let mut w = CsvRows::new(out, !opts.csv_keep_formulas);
        if opts.csv_bom {
            w.b.s.push('\u{feff}');
        }
        rows::write(plan, &mut w)?;
        w.finish()
    }
    fn writes_test_cases(&self, opts: &super::WriteOptions) -> bool {
        opts.table_style == TableStyle::TestCase
    }
    fn warnings(&self, doc: &Document, opts: &super::WriteOptions) -> Vec<String> {
        match opts.table_style {
            TableStyle::Paths => Vec::new(),
            TableStyle::TestCase => super::testcase::read(&Plan::new(doc, opts, self)).warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Notes, Sheet, Topic, TopicId, TopicKind};
    use crate::write::WriteOptions;
    use crate::write::rows::Table;

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
        let mut w = CsvRows::new(&mut out, guard);
        for t in texts {
            w.cell(t);
        }
        w.end_row().unwrap();
        w.finish().unwrap();
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

    /// The layout of xmind2testcase's demo map. A step's first result is its expected result
    /// (`welcome shown` is not read), notes join with `----` lines, as in xmind2testcase.
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
            table_style: TableStyle::TestCase,
            ..WriteOptions::default()
        };
        assert_eq!(
            csv(&doc(vec![test_case_map()]), &o),
            "Suite,Case,Preconditions,Steps,Expected,Priority\r\n\
             Suite 1,Login / valid user,user exists,\"1. open page\n2. =submit\",\"1. page shown\n2. logged in\",1\r\n\
             Suite 1,Login / leaf case,,,,\r\n\
             Suite 1,Logout / button,\"logged in first\n----\non every page\",,,3\r\n"
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
        o.table_style = TableStyle::TestCase;
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
