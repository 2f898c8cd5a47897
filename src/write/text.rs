//! Indented plain text, byte for byte the format of `大模型发展.txt`: the file name, the root
//! title, a blank line, attached topics as `• ` bullets indented two spaces per level, then each
//! floating topic after a blank line with its children as bullets. The full specification is
//! `docs/formats/text.md`.

use std::io::Write;

use super::{Buf, Extra, Order, Plan, Role, Writer, fmt};
use crate::error::Result;

#[doc = include_str!("../../docs/formats/text.md")]
pub struct Text;

impl Writer for Text {
    fn name(&self) -> &'static str {
        "text"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["txt"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["txt"]
    }
    fn description(&self) -> &'static str {
        "indented text with • bullets, floating topics after the tree"
    }
    fn default_extras(&self) -> &'static [Extra] {
        &[Extra::Floating]
    }
    fn order(&self) -> Order {
        Order::ChildrenFirst
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        plan.indentation(2)
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let doc = plan.doc();
        let mut b = Buf::new(out);
        b.s.push_str(doc.name.as_deref().unwrap_or("<stdin>"));
        b.s.push('\n');
        let several = doc.sheets.len() > 1;
        for (s, sheet) in doc.sheets.iter().enumerate() {
            if several {
                if s > 0 {
                    b.s.push('\n');
                }
                b.s.push_str(&format!(
                    "== Sheet {}: {} ==\n",
                    s + 1,
                    sheet.title.replace('\n', " ")
                ));
            }
            for e in plan.walk(s).filter_map(|e| match e {
                super::Event::Enter(e) => Some(e),
                super::Event::Leave(_) => None,
            }) {
                let t = sheet.topic(e.id);
                // The bullet at 2 * level spaces; continuation lines two spaces further.
                let (bullet, cont) = if e.level == 0 {
                    if e.role == Role::Floating {
                        b.s.push('\n');
                    }
                    (0, 0)
                } else {
                    (2 * e.level, 2 * e.level + 2)
                };
                let head = match e.role {
                    Role::Summary(i) => format!("{}: ", fmt::summary_label_of(sheet, e.id, i)),
                    Role::Callout => "Callout: ".to_string(),
                    _ => String::new(),
                };
                for (i, line) in t.title.split('\n').enumerate() {
                    if i == 0 {
                        fmt::pad(&mut b.s, bullet);
                        if e.level > 0 {
                            b.s.push_str("• ");
                        }
                        b.s.push_str(&head);
                    } else {
                        fmt::pad(&mut b.s, cont);
                    }
                    b.s.push_str(line);
                    b.s.push('\n');
                }
                for (line, more) in fmt::extra_lines(plan, s, e.id, e.depth, &[]) {
                    fmt::pad(&mut b.s, cont + if more { 2 } else { 0 });
                    b.s.push_str(&line);
                    b.s.push('\n');
                }
                if e.role == Role::Root {
                    b.s.push('\n');
                }
                b.flush_full()?;
            }
        }
        Ok(b.finish()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Sheet, Topic, TopicId, TopicKind};
    use crate::write::WriteOptions;

    #[test]
    fn depth_counts_floating_topics_one_level_below_the_root() {
        // B3: `--depth 0` wrote floating topics, and `--depth 1` their children.
        let mut s = Sheet::new("root");
        s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        let f = s.add(TopicId::ROOT, TopicKind::Floating, Topic::new("float"));
        s.add(f, TopicKind::Attached, Topic::new("under float"));
        let doc = Document {
            name: Some("m.xmind".into()),
            sheets: vec![s],
            ..Document::default()
        };
        let text = |depth| {
            let o = WriteOptions {
                depth,
                ..WriteOptions::default()
            };
            crate::write::to_string(&Text, &doc, &o).unwrap()
        };
        assert_eq!(text(Some(0)), "m.xmind\nroot\n\n");
        assert_eq!(text(Some(1)), "m.xmind\nroot\n\n  • a\n\nfloat\n");
        assert_eq!(
            text(None),
            "m.xmind\nroot\n\n  • a\n\nfloat\n  • under float\n"
        );
    }
}
