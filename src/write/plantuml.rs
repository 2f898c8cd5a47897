//! PlantUML mindmap: `@startmindmap` … `@endmindmap` with `*` depth markers.
//!
//! What it writes is specified in `docs/formats/plantuml.md`, shown as the rustdoc of
//! [`PlantUml`]. Titles are literal text: whatever PlantUML would read as markup is written as
//! its Unicode escape `<U+XXXX>` (`&#…;` is not used: PlantUML 1.2020 crashes on `&#92;` and
//! `&#36;`), and so is a last white-space character, which PlantUML would trim.

use std::io::Write;

use super::{Buf, Event, Extra, Plan, Role, Writer, fmt};
use crate::error::Result;
use crate::model::TopicId;

#[doc = include_str!("../../docs/formats/plantuml.md")]
pub struct PlantUml;

impl Writer for PlantUml {
    fn name(&self) -> &'static str {
        "plantuml"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["puml"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["puml", "plantuml"]
    }
    fn description(&self) -> &'static str {
        "PlantUML mindmap, one diagram per sheet (and per floating topic)"
    }
    fn default_extras(&self) -> &'static [Extra] {
        &[Extra::Floating, Extra::Summaries, Extra::Callouts]
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        plan.indentation(1)
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let doc = plan.doc();
        let several = doc.sheets.len() > 1;
        let mut b = Buf::new(out);
        for (s, sheet) in doc.sheets.iter().enumerate() {
            if s > 0 {
                b.s.push('\n');
            }
            if several {
                let line = format!("' Sheet {}: {}", s + 1, fmt::fold(&sheet.title));
                b.s.push_str(line.trim_end());
                b.s.push('\n');
            }
            // One diagram for the root's tree, one for each floating topic's.
            for e in plan.walk(s) {
                let Event::Enter(e) = e else { continue };
                if e.level == 0 {
                    if e.role != Role::Root {
                        b.s.push_str("@endmindmap\n\n");
                    }
                    b.s.push_str("@startmindmap\n");
                }
                node(plan, s, e.id, e.depth, e.level + 1, e.role, &mut b.s);
                b.flush_full()?;
            }
            b.s.push_str("@endmindmap\n");
        }
        Ok(b.finish()?)
    }
}

/// Writes one node at `level` (1 for the diagram's root).
fn node(
    plan: &Plan<'_>,
    s: usize,
    id: TopicId,
    depth: usize,
    level: usize,
    role: Role,
    out: &mut String,
) {
    let sheet = &plan.doc().sheets[s];
    let t = sheet.topic(id);
    let prefix = match role {
        Role::Summary(i) => format!("{}: ", fmt::summary_label_of(sheet, id, i)),
        Role::Callout => "Callout: ".to_string(),
        _ => String::new(),
    };
    let title = format!("{prefix}{}", t.title);
    let extras = fmt::extra_lines(plan, s, id, depth, &[]);
    for _ in 0..level {
        out.push('*');
    }
    if !title.contains('\n') && extras.is_empty() {
        out.push(' ');
        if title.is_empty() {
            out.push_str("<U+0020>");
        } else {
            out.push_str(&escape_line(&title, false));
        }
        out.push('\n');
        return;
    }
    // The multi-line form: title lines, then a `----` rule and the extras; the last line ends
    // with `;`.
    let mut lines: Vec<String> = title.split('\n').map(|l| escape_line(l, true)).collect();
    if !extras.is_empty() {
        lines.push("----".to_string());
        lines.extend(extras.iter().map(|(l, _)| escape_line(l, true)));
    }
    out.push(':');
    out.push_str(&lines.join("\n"));
    out.push_str(";\n");
}

/// One line of text with everything PlantUML would read as markup escaped as `<U+XXXX>` (see
/// the module documentation). `in_block`: the line is inside a multi-line `:…;` node, where a
/// final `;` would end the node.
pub(crate) fn escape_line(line: &str, in_block: bool) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let last = chars.len().saturating_sub(1);
    for (k, &c) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(k + 1).copied();
        if fmt::unprintable(c) {
            out.push('\u{FFFD}');
            continue;
        }
        let escape = match c {
            '\\' | '&' | '<' | '~' | '[' | '%' => true,
            '*' | '/' | '"' | '-' | '_' => prev == Some(c) || next == Some(c),
            _ => false,
        } || (k == 0 && (c.is_ascii_punctuation() || c.is_whitespace()))
            || (k == last && (c.is_whitespace() || (in_block && c == ';')));
        if escape {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Notes, Sheet, Topic, TopicKind};
    use crate::write::WriteOptions;

    fn puml(doc: &Document, opts: &WriteOptions) -> String {
        let mut out = Vec::new();
        PlantUml.write(doc, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markup_is_escaped_as_unicode_escapes() {
        let cases = [
            ("plain text", "plain text"),
            (
                "**bold** //it// \"\"mono\"\"",
                "<U+002A><U+002A>bold<U+002A><U+002A> <U+002F><U+002F>it<U+002F><U+002F> <U+0022><U+0022>mono<U+0022><U+0022>",
            ),
            (
                "a--b a-b __u__ ~x",
                "a<U+002D><U+002D>b a-b <U+005F><U+005F>u<U+005F><U+005F> <U+007E>x",
            ),
            (
                "<b> & <&star> [[x]] [#red]",
                "<U+003C>b> <U+0026> <U+003C><U+0026>star> <U+005B><U+005B>x]] <U+005B>#red]",
            ),
            (r"a\nb \", "a<U+005C>nb <U+005C>"),
            ("%date() 50%", "<U+0025>date() 50<U+0025>"),
            ("!include x", "<U+0021>include x"),
            ("'comment", "<U+0027>comment"),
            ("@endmindmap", "<U+0040>endmindmap"),
            (" lead trail ", "<U+0020>lead trail<U+0020>"),
            ("a;", "a;"),
            ("a*b*c", "a*b*c"),
            ("中文 😢", "中文 😢"),
        ];
        for (input, want) in cases {
            assert_eq!(escape_line(input, false), want, "{input:?}");
        }
        assert_eq!(escape_line("a;", true), "a<U+003B>");
        assert_eq!(
            escape_line("----", true),
            "<U+002D><U+002D><U+002D><U+002D>"
        );
    }

    #[test]
    fn diagrams_nodes_and_blocks() {
        let mut s = Sheet::new("root");
        let a = s.add(
            TopicId::ROOT,
            TopicKind::Attached,
            Topic::new("two\nlines;"),
        );
        s.add(a, TopicKind::Attached, Topic::new(""));
        let mut n = Topic::new("noted");
        n.notes = Some(Box::new(Notes {
            plain: "x\n;y".into(),
            html: None,
        }));
        s.add(TopicId::ROOT, TopicKind::Attached, n);
        s.add(a, TopicKind::Floating, Topic::new("float"));
        s.add(TopicId::ROOT, TopicKind::Callout, Topic::new("c"));
        let doc = Document {
            sheets: vec![s, Sheet::new("second")],
            ..Document::default()
        };
        assert_eq!(
            puml(&doc, &WriteOptions::default()),
            "' Sheet 1:\n@startmindmap\n* root\n**:two\nlines<U+003B>;\n*** <U+0020>\n\
             ** noted\n** Callout: c\n@endmindmap\n\n@startmindmap\n* float\n@endmindmap\n\n\
             ' Sheet 2:\n@startmindmap\n* second\n@endmindmap\n"
        );
        let mut with = WriteOptions::default();
        with.set(Extra::Notes, true);
        with.set(Extra::Floating, false);
        assert!(
            puml(&doc, &with).contains("**:noted\n----\nNote: x\n<U+003B>y;\n"),
            "{}",
            puml(&doc, &with)
        );
    }

    #[test]
    fn a_very_deep_chain_is_written_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..5_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let doc = Document {
            sheets: vec![s],
            ..Document::default()
        };
        let out = puml(&doc, &WriteOptions::default());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[lines.len() - 2],
            format!("{} 4999", "*".repeat(5_001))
        );
    }
}
