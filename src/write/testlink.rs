//! TestLink's test-suite XML import (`-t testlink`): the suites and cases xmind2testcase 1.5.0
//! writes, from the shared test-case rules (`src/write/testcase.rs`). The full description is
//! `docs/formats/testlink.md`.

use std::io::Write;

use super::testcase::{self, IGNORE, py_strip};
use super::{Buf, Extra, Plan, WriteOptions, Writer};
use crate::error::Result;
use crate::model::Document;
use crate::xml::{ATTRIBUTE, CONTENT, escape_into};

#[doc = include_str!("../../docs/formats/testlink.md")]
pub struct TestLink;

impl Writer for TestLink {
    fn name(&self) -> &'static str {
        "testlink"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["xml"]
    }
    fn description(&self) -> &'static str {
        "TestLink test-suite XML import, the suites and cases xmind2testcase writes"
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
        let cases = testcase::read(plan);
        let mut b = Buf::new(out);
        b.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite>\n");
        for (_, product) in &cases.products {
            open_suite(&mut b.s, 1, &product.name, product.details.as_deref());
            for suite in &product.suites {
                if skipped(&suite.name) {
                    continue;
                }
                open_suite(&mut b.s, 2, &suite.name, suite.details.as_deref());
                for case in &suite.cases {
                    if skipped(&case.name) {
                        continue;
                    }
                    let s = &mut b.s;
                    s.push_str("\t\t\t<testcase name=\"");
                    escape_into(s, &case.name, ATTRIBUTE);
                    s.push_str("\">\n");
                    field(s, 4, "version", "1");
                    field(s, 4, "summary", case.summary_or_name());
                    field(s, 4, "preconditions", case.preconditions_or_none());
                    field(s, 4, "execution_type", &case.execution_type.to_string());
                    // TestLink counts importance the other way round: 3 is high.
                    let importance = match case.importance() {
                        1 => "3",
                        3 => "1",
                        _ => "2",
                    };
                    field(s, 4, "importance", importance);
                    s.push_str("\t\t\t\t<estimated_exec_duration>3</estimated_exec_duration>\n");
                    s.push_str("\t\t\t\t<status>7</status>\n");
                    if !case.steps.is_empty() {
                        s.push_str("\t\t\t\t<steps>\n");
                        for step in &case.steps {
                            if skipped(&step.actions) {
                                continue;
                            }
                            s.push_str("\t\t\t\t\t<step>\n");
                            field(s, 6, "step_number", &step.number.to_string());
                            field(s, 6, "actions", &step.actions);
                            if let Some(e) = &step.expected {
                                field(s, 6, "expectedresults", e);
                            }
                            field(s, 6, "execution_type", "1");
                            s.push_str("\t\t\t\t\t</step>\n");
                        }
                        s.push_str("\t\t\t\t</steps>\n");
                    }
                    s.push_str("\t\t\t</testcase>\n");
                    b.flush_full()?;
                }
                b.s.push_str("\t\t</testsuite>\n");
            }
            b.s.push_str("\t</testsuite>\n");
        }
        b.s.push_str("</testsuite>\n");
        Ok(b.finish()?)
    }
}

/// Whether xmind2testcase leaves a suite, case or step out of its TestLink file: its name
/// starts with `#`, `!` or `！` (a case name can, when its first title starts with white space
/// and then one of them), or it is blank.
fn skipped(name: &str) -> bool {
    py_strip(name).is_empty() || name.starts_with(IGNORE)
}

/// `<testsuite name="…">` and its `<details>`, at `level` tabs.
fn open_suite(s: &mut String, level: usize, name: &str, details: Option<&str>) {
    tabs(s, level);
    s.push_str("<testsuite name=\"");
    escape_into(s, name, ATTRIBUTE);
    s.push_str("\">\n");
    if let Some(d) = details {
        field(s, level + 1, "details", d);
    }
}

fn tabs(s: &mut String, n: usize) {
    s.extend(std::iter::repeat_n('\t', n));
}

/// `<tag><![CDATA[html]]></tag>` for a text TestLink reads as HTML: `&`, `<` and `>` escaped,
/// each line break a `<br />` (followed by the line break). Left out, as xmind2testcase leaves
/// it out, when the text is blank or starts with `#`, `!` or `！`.
fn field(s: &mut String, level: usize, tag: &str, text: &str) {
    if py_strip(text).is_empty() || text.starts_with(IGNORE) {
        return;
    }
    let mut html = String::with_capacity(text.len() + 16);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        match lines.peek() {
            // A CRLF is one break, as in xmind2testcase.
            Some(_) => {
                escape_into(&mut html, line.strip_suffix('\r').unwrap_or(line), CONTENT);
                html.push_str("<br />\n");
            }
            None => escape_into(&mut html, line, CONTENT),
        }
    }
    tabs(s, level);
    s.push('<');
    s.push_str(tag);
    s.push_str("><![CDATA[");
    // Escaping leaves no `]]>`, but a CDATA section must never hold one.
    s.push_str(&html.replace("]]>", "]]]]><![CDATA[>"));
    s.push_str("]]></");
    s.push_str(tag);
    s.push_str(">\n");
}
