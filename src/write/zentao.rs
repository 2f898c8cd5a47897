//! Zentao's test-case CSV import (`-t zentao`): the rows xmind2testcase 1.5.0 writes, from the
//! shared test-case rules (`src/write/testcase.rs`). The full description is
//! `docs/formats/zentao.md`.

use std::io::Write;

use super::rows::{CsvRows, Table};
use super::testcase::{self, py_strip};
use super::{Extra, Plan, WriteOptions, Writer};
use crate::error::Result;
use crate::model::Document;

#[doc = include_str!("../../docs/formats/zentao.md")]
pub struct Zentao;

/// Zentao's column names, as xmind2testcase writes them: module, title, preconditions, steps,
/// expected results, keywords, priority, case type, phase.
const HEADER: [&str; 9] = [
    "所属模块",
    "用例标题",
    "前置条件",
    "步骤",
    "预期",
    "关键词",
    "优先级",
    "用例类型",
    "适用阶段",
];

impl Writer for Zentao {
    fn name(&self) -> &'static str {
        "zentao"
    }
    fn extensions(&self) -> &'static [&'static str] {
        // Never chosen by extension (`-o cases.csv` is -t csv), only by name.
        &["csv"]
    }
    fn description(&self) -> &'static str {
        "Zentao test-case CSV import, the rows xmind2testcase writes"
    }
    fn carries(&self) -> &'static [Extra] {
        &[Extra::Notes, Extra::Labels, Extra::Markers, Extra::Comments]
    }
    fn writes_test_cases(&self, _: &WriteOptions) -> bool {
        true
    }
    fn warnings(&self, doc: &Document, opts: &WriteOptions) -> Vec<String> {
        testcase::read(&Plan::new(doc, opts, self)).warnings
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let opts = plan.opts();
        let mut w = CsvRows::new(out, !opts.csv_keep_formulas);
        if opts.csv_bom {
            w.b.s.push('\u{feff}');
        }
        for h in HEADER {
            w.header(h);
        }
        w.end_row()?;
        let cases = testcase::read(plan);
        for (_, product) in &cases.products {
            for suite in &product.suites {
                let module = if suite.name.is_empty() {
                    "/".to_string()
                } else {
                    suite.name.replace('（', "(").replace('）', ")")
                };
                for case in &suite.cases {
                    let mut steps = String::new();
                    let mut expected = String::new();
                    for step in &case.steps {
                        let line = |text: &str| {
                            format!("{}. {}\n", step.number, py_strip(&text.replace('\n', "")))
                        };
                        steps.push_str(&line(&step.actions));
                        if let Some(e) = step.expected.as_deref().filter(|e| !e.is_empty()) {
                            expected.push_str(&line(e));
                        }
                    }
                    let priority = match case.importance() {
                        1 => "高",
                        3 => "低",
                        _ => "中",
                    };
                    let kind = if case.execution_type == 2 {
                        "自动"
                    } else {
                        "手动"
                    };
                    for cell in [
                        module.as_str(),
                        &case.name,
                        case.preconditions_or_none(),
                        &steps,
                        &expected,
                        "",
                        priority,
                        kind,
                        "迭代测试",
                    ] {
                        w.cell(cell);
                    }
                    w.end_row()?;
                }
            }
        }
        w.finish()
    }
}
