//! Mermaid mindmap: `mindmap`, then one node per line, the root indented two spaces and each
//! level two more.
//!
//! What it writes is specified in `docs/formats/mermaid.md`, shown as the rustdoc of
//! [`Mermaid`]. Every node is quoted, `nK["TEXT"]`, with TEXT in Mermaid's `#…;` entity codes
//! wherever Mermaid could misread a character, so that no title can change the diagram's
//! structure or its own text; the spec lists the characters, and why each one.

use std::io::Write;

use super::{Buf, Event, Extra, Plan, Role, Writer};
use crate::error::{Error, Result};
use crate::model::Sheet;

#[doc = include_str!("../../docs/formats/mermaid.md")]
pub struct Mermaid;

impl Writer for Mermaid {
    fn name(&self) -> &'static str {
        "mermaid"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["mmd"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["mmd", "mermaid"]
    }
    fn description(&self) -> &'static str {
        "Mermaid mindmap of one sheet (--sheet N picks it when the map has several)"
    }
    fn carries(&self) -> &'static [Extra] {
        &[Extra::Floating, Extra::Summaries, Extra::Callouts]
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        plan.indentation(2)
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let sheet = match plan.doc().sheets.as_slice() {
            [sheet] => sheet,
            sheets => {
                return Err(Error::Unsupported {
                    format: self.name(),
                    message: sheets_error(sheets),
                });
            }
        };
        let mut b = Buf::new(out);
        b.s.push_str("mindmap\n");
        let mut next_id = 0usize;
        // Floating topics cannot be roots of their own: their trees hang below the root.
        let mut below_root = 0;
        for e in plan.walk(0) {
            let Event::Enter(e) = e else { continue };
            if e.level == 0 {
                below_root = usize::from(e.role == Role::Floating);
            }
            let (open, close, class) = match e.role {
                Role::Floating if e.level == 0 => (")", "(", Some("floating")),
                Role::Summary(_) => ("{{", "}}", Some("summary")),
                Role::Callout => ("(", ")", Some("callout")),
                _ => ("[", "]", None),
            };
            let indent = 2 * (e.level + 1 + below_root);
            super::fmt::pad(&mut b.s, indent);
            b.s.push('n');
            b.s.push_str(&next_id.to_string());
            b.s.push_str(open);
            b.s.push('"');
            next_id += 1;
            encode(&mut b.s, &sheet.topic(e.id).title);
            b.s.push('"');
            b.s.push_str(close);
            b.s.push('\n');
            if let Some(class) = class {
                super::fmt::pad(&mut b.s, indent);
                b.s.push_str(":::");
                b.s.push_str(class);
                b.s.push('\n');
            }
            b.flush_full()?;
        }
        Ok(b.finish()?)
    }
}

/// The message for a document without exactly one sheet.
fn sheets_error(sheets: &[Sheet]) -> String {
    if sheets.is_empty() {
        return "the map has no sheet to draw as a Mermaid mindmap".into();
    }
    let list: Vec<String> = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {:?}", i + 1, s.title))
        .collect();
    format!(
        "a Mermaid mindmap holds one sheet and this map has {} ({}); choose one with --sheet N",
        sheets.len(),
        list.join(", ")
    )
}

/// Appends `title` as the text between the quotes of a node: the characters Mermaid could read
/// as syntax as `#CODE;`, a single space for an empty title.
fn encode(out: &mut String, title: &str) {
    if title.is_empty() {
        out.push(' ');
        return;
    }
    // A title of one space would look like an empty one: its space is a code.
    if title == " " {
        out.push_str("#32;");
        return;
    }
    // Mermaid's entity pre-pass drops the last `;` of a line matching `style.*:\S*#.*;` or
    // `classDef.*:\S*#.*;`, and its renderer turns `fa:fa-NAME` into an icon: `:` becomes a code
    // in titles that contain one of those words.
    let colon = ["style", "classDef", ":fa-"]
        .iter()
        .any(|w| title.contains(w));
    for c in title.chars() {
        let code = match c {
            '#' | '"' | '<' | '>' | '&' | '*' | '_' | '`' | '$' | '%' | '\\' | 'ﬂ' | '¶' => true,
            ':' => colon,
            _ => false,
        };
        if code {
            out.push('#');
            out.push_str(&u32::from(c).to_string());
            out.push(';');
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Topic, TopicId, TopicKind};
    use crate::write::WriteOptions;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        encode(&mut out, s);
        out
    }

    #[test]
    fn syntax_characters_become_entity_codes() {
        assert_eq!(enc(""), " ");
        assert_eq!(enc(" "), "#32;");
        assert_eq!(enc("foo (bar) [x] {y}"), "foo (bar) [x] {y}");
        assert_eq!(enc("C# \"q\""), "C#35; #34;q#34;");
        assert_eq!(enc("#35;"), "#35;35;");
        assert_eq!(enc("<b>&"), "#60;b#62;#38;");
        assert_eq!(enc("a*b*c _u_ `c`"), "a#42;b#42;c #95;u#95; #96;c#96;");
        assert_eq!(enc("%% x"), "#37;#37; x");
        assert_eq!(enc("style x:#fff;"), "style x#58;#35;fff;");
        assert_eq!(enc("classDef a:#f;"), "classDef a#58;#35;f;");
        assert_eq!(enc("fa:fa-car"), "fa#58;fa-car");
        assert_eq!(enc("::icon(fa) :::c 10:30"), "::icon(fa) :::c 10:30");
        assert_eq!(enc("a\\b $$x$$"), "a#92;b #36;#36;x#36;#36;");
        assert_eq!(enc("ﬂ°x¶ß"), "#64258;°x#182;ß");
        assert_eq!(enc("line 1\nline 2"), "line 1\nline 2");
        assert_eq!(enc("mindmap 中文 😢"), "mindmap 中文 😢");
    }

    fn doc(sheets: Vec<Sheet>) -> Document {
        Document {
            sheets,
            ..Document::default()
        }
    }

    #[test]
    fn floating_summary_and_callout_topics_hang_below_with_a_class() {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        s.add(a, TopicKind::Callout, Topic::new("call"));
        s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("sum"));
        let f = s.add(a, TopicKind::Floating, Topic::new("float"));
        s.add(f, TopicKind::Attached, Topic::new(""));
        let out =
            super::super::to_string(&Mermaid, &doc(vec![s]), &WriteOptions::default()).unwrap();
        assert_eq!(
            out,
            "mindmap\n  n0[\"root\"]\n    n1[\"a\"]\n      n2(\"call\")\n      :::callout\n    \
             n3{{\"sum\"}}\n    :::summary\n    n4)\"float\"(\n    :::floating\n      n5[\" \"]\n"
        );
    }

    #[test]
    fn depth_and_titles_only_leave_topics_out() {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        s.add(a, TopicKind::Attached, Topic::new("a1"));
        s.add(TopicId::ROOT, TopicKind::Floating, Topic::new("float"));
        s.add(TopicId::ROOT, TopicKind::Callout, Topic::new("call"));
        let doc = doc(vec![s]);
        let opts = WriteOptions {
            depth: Some(0),
            ..WriteOptions::default()
        };
        assert_eq!(
            super::super::to_string(&Mermaid, &doc, &opts).unwrap(),
            "mindmap\n  n0[\"root\"]\n"
        );
        let mut opts = WriteOptions::default();
        opts.titles_only();
        assert_eq!(
            super::super::to_string(&Mermaid, &doc, &opts).unwrap(),
            "mindmap\n  n0[\"root\"]\n    n1[\"a\"]\n      n2[\"a1\"]\n"
        );
    }

    #[test]
    fn several_sheets_are_refused_with_their_names() {
        let mut a = Sheet::new("r1");
        a.title = "Plan".into();
        let b = Sheet::new("r2");
        let mut out = Vec::new();
        let err = Mermaid
            .write(&doc(vec![a, b]), &WriteOptions::default(), &mut out)
            .unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }));
        assert_eq!(
            err.to_string(),
            "a Mermaid mindmap holds one sheet and this map has 2 (1 \"Plan\", 2 \"\"); \
             choose one with --sheet N"
        );
        assert!(out.is_empty());
    }
}
