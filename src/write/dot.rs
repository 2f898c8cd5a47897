//! Graphviz DOT: a `digraph` whose nodes are the topics and whose edges are the tree, with
//! relationships as dashed edges.
//!
//! What it writes is specified in `docs/formats/dot.md`, shown as the rustdoc of [`Dot`]. A
//! summary is linked to the first and the last child it covers only, the ends of XMind's
//! bracket: an edge from every covered child would make many summaries over many children
//! quadratic.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;

use super::ids::{self, Ids, TopicIds};
use super::{Buf, Event, Extra, Plan, Role, Writer, fmt};
use crate::error::Result;
use crate::model::{Document, LinkKind, Sheet, TopicId};
use crate::url;

#[doc = include_str!("../../docs/formats/dot.md")]
pub struct Dot;

impl Writer for Dot {
    fn name(&self) -> &'static str {
        "dot"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["graphviz"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["dot", "gv"]
    }
    fn description(&self) -> &'static str {
        "Graphviz digraph: the tree as edges, relationships dashed, one cluster per sheet"
    }
    fn default_extras(&self) -> &'static [Extra] {
        &[
            Extra::Floating,
            Extra::Summaries,
            Extra::Callouts,
            Extra::Relationships,
            Extra::Links,
        ]
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let doc = plan.doc();
        let node_ids = node_ids(doc);
        // SVG ids (`topic-…`) of the nodes that written topic links point at.
        let anchors = ids::anchors(plan, false, |s, id, _| node_ids.get(s, id).to_string());
        let name = fmt::file_stem(doc.name.as_deref().unwrap_or("map"));
        let mut b = Buf::new(out);
        let _ = writeln!(b.s, "digraph {} {{", quoted(name));
        b.s.push_str("  graph [rankdir=LR];\n  node [shape=box, style=rounded];\n");
        let several = doc.sheets.len() > 1;
        for (s, sheet) in doc.sheets.iter().enumerate() {
            let pad = if several { "    " } else { "  " };
            if several {
                let _ = writeln!(b.s, "  subgraph cluster_{} {{", s + 1);
                let _ = writeln!(b.s, "    label={};", quoted(&sheet.title));
            }
            let w = SheetOut {
                plan,
                s,
                sheet,
                ids: &node_ids,
                anchors: &anchors,
                pad,
            };
            w.write(&mut b)?;
            if several {
                b.s.push_str("  }\n");
            }
        }
        b.s.push_str("}\n");
        Ok(b.finish()?)
    }
}

/// The node id of every topic of every sheet, unique in the document.
fn node_ids(doc: &Document) -> TopicIds {
    TopicIds::new(doc, Ids::default(), |s, i, t, buf| {
        if t.id.is_empty() {
            let _ = write!(buf, "s{}-{i}", s + 1);
        } else {
            buf.push_str(&t.id);
        }
    })
}

struct SheetOut<'a> {
    plan: &'a Plan<'a>,
    s: usize,
    sheet: &'a Sheet,
    ids: &'a TopicIds,
    anchors: &'a HashMap<(usize, TopicId), String>,
    pad: &'a str,
}

impl SheetOut<'_> {
    fn write(&self, b: &mut Buf<'_>) -> Result<()> {
        let (plan, sheet) = (self.plan, self.sheet);
        for e in plan.walk(self.s) {
            if let Event::Enter(e) = e {
                self.node(e.id, e.depth, e.role, &mut b.s);
                b.flush_full()?;
            }
        }
        for (r, from, to) in plan.drawn(self.s) {
            let title = fmt::fold(&sheet.relationships[r].title);
            let label = if title.is_empty() {
                String::new()
            } else {
                format!(", label={}", quoted(&title))
            };
            let _ = writeln!(
                b.s,
                "{}{} -> {} [style=dashed, constraint=false{label}];",
                self.pad,
                self.id(from),
                self.id(to)
            );
            b.flush_full()?;
        }
        Ok(())
    }

    fn id(&self, t: TopicId) -> String {
        quoted(self.ids.get(self.s, t))
    }

    /// Writes a topic's node and the edge that attaches it.
    fn node(&self, id: TopicId, depth: usize, role: Role, line: &mut String) {
        let (plan, sheet, pad) = (self.plan, self.sheet, self.pad);
        let t = sheet.topic(id);
        line.push_str(pad);
        quote_into(line, self.ids.get(self.s, id));
        // The label: the title, then a line for each extra.
        line.push_str(" [label=\"");
        escape_into(line, &t.title);
        for (extra, _) in fmt::extra_lines(
            plan,
            self.s,
            id,
            depth,
            &[Extra::Links, Extra::Relationships],
        ) {
            line.push_str("\\n");
            escape_into(line, &extra);
        }
        line.push('"');
        match role {
            Role::Root => line.push_str(", style=\"rounded,bold\""),
            Role::Floating => line.push_str(", style=\"rounded,dashed\""),
            Role::Callout => line.push_str(", shape=note, style=\"\""),
            Role::Attached | Role::Summary(_) => {}
        }
        if plan.wants(Extra::Links) {
            if let Some(l) = t.link.as_deref() {
                let url = match l.kind {
                    LinkKind::Topic => plan
                        .link_target(l)
                        .and_then(|r| self.anchors.get(&(r.sheet, r.topic)))
                        .map(|a| format!("#{a}")),
                    _ if url::unsafe_scheme(&l.href) => None,
                    LinkKind::Attachment => Some(plan.opts().media_link(&l.href)),
                    _ => Some(l.href.trim().to_string()),
                };
                if let Some(u) = url {
                    line.push_str(", URL=");
                    quote_into(line, &url::percent_encode(&u, &['"', '<', '>']));
                }
            }
        }
        if let Some(a) = self.anchors.get(&(self.s, id)) {
            line.push_str(", id=");
            quote_into(line, a);
        }
        line.push_str("];\n");
        let parent = t.parent();
        if let (Role::Attached, Some(p)) = (role, parent) {
            line.push_str(pad);
            quote_into(line, self.ids.get(self.s, p));
            line.push_str(" -> ");
            quote_into(line, self.ids.get(self.s, id));
            line.push_str(";\n");
        }
        match role {
            Role::Summary(i) => {
                let Some(p) = parent else { return };
                let pt = sheet.topic(p);
                // The ends of the bracket: the first and the last child covered.
                let covered: Vec<TopicId> = match pt.summaries.get(i).and_then(|sm| sm.range) {
                    Some(r) => {
                        let ends = [r.start, r.end];
                        let n = if r.end > r.start { 2 } else { 1 };
                        ends[..n]
                            .iter()
                            .filter_map(|&c| pt.children.get(c).copied())
                            .collect()
                    }
                    None => vec![p],
                };
                for c in covered {
                    let _ = writeln!(
                        line,
                        "{pad}{} -> {} [style=dotted, arrowhead=none];",
                        self.id(c),
                        self.id(id)
                    );
                }
            }
            Role::Callout => {
                if let Some(p) = parent {
                    let _ = writeln!(
                        line,
                        "{pad}{} -> {} [style=dotted, arrowhead=none];",
                        self.id(p),
                        self.id(id)
                    );
                }
            }
            Role::Attached | Role::Root | Role::Floating => {}
        }
    }
}

/// A DOT quoted string: `"` and `\` backslash-escaped, a line break as `\n`, `&` as `&amp;`
/// (Graphviz decodes HTML entities in labels, and writes `URL` into SVG as it is), control
/// characters as U+FFFD.
pub(crate) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    quote_into(&mut out, text);
    out
}

/// Appends `text` as a DOT quoted string (see [`quoted`]).
fn quote_into(out: &mut String, text: &str) {
    out.push('"');
    escape_into(out, text);
    out.push('"');
}

/// Appends the inside of a DOT quoted string (see [`quoted`]), copying the runs between the
/// characters it replaces whole.
fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '&' => "&amp;",
            c if fmt::unprintable(c) => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        start = i + c.len_utf8();
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChildRange, Link, Relationship, Topic, TopicKind, TopicRef};
    use crate::write::WriteOptions;

    fn dot(doc: &Document, opts: &WriteOptions) -> String {
        let mut out = Vec::new();
        Dot.write(doc, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn labels_are_quoted_and_escaped() {
        assert_eq!(quoted("plain"), "\"plain\"");
        assert_eq!(
            quoted("a \"q\" \\N \\l\nb &amp; <b> {r|s}\u{1}"),
            "\"a \\\"q\\\" \\\\N \\\\l\\nb &amp;amp; <b> {r|s}\u{FFFD}\""
        );
    }

    #[test]
    fn tree_relationships_summaries_callouts_and_links() {
        let mut s = Sheet::new("root");
        s.topics[0].id = "r".into();
        let mut a = Topic::new("a\nb");
        a.id = "a".into();
        let a = s.add(TopicId::ROOT, TopicKind::Attached, a);
        let mut b = Topic::new("b");
        b.id = "b".into();
        let mut l = Link::new("xmind:#a");
        l.target = Some(TopicRef { sheet: 0, topic: a });
        b.link = Some(Box::new(l));
        let b = s.add(TopicId::ROOT, TopicKind::Attached, b);
        let mut z = Topic::new("sum");
        z.id = "z".into();
        s.add(TopicId::ROOT, TopicKind::Summary, z);
        s.topics[0].summaries[0].range = Some(ChildRange { start: 0, end: 1 });
        let mut c = Topic::new("call");
        c.id = "c".into();
        s.add(b, TopicKind::Callout, c);
        let mut f = Topic::new("float");
        f.id = "f".into();
        f.link = Some(Box::new(Link::new("https://e.com/?a=1&b=2 x")));
        s.add(a, TopicKind::Floating, f);
        s.relationships.push(Relationship {
            from: Some(b),
            to: Some(a),
            title: "see".into(),
            ..Relationship::default()
        });
        let doc = Document {
            name: Some("m.xmind".into()),
            sheets: vec![s],
            ..Document::default()
        };
        assert_eq!(
            dot(&doc, &WriteOptions::default()),
            "digraph \"m\" {\n  graph [rankdir=LR];\n  node [shape=box, style=rounded];\n\
             \x20 \"r\" [label=\"root\", style=\"rounded,bold\"];\n\
             \x20 \"a\" [label=\"a\\nb\", id=\"topic-a\"];\n  \"r\" -> \"a\";\n\
             \x20 \"b\" [label=\"b\", URL=\"#topic-a\"];\n  \"r\" -> \"b\";\n\
             \x20 \"c\" [label=\"call\", shape=note, style=\"\"];\n\
             \x20 \"b\" -> \"c\" [style=dotted, arrowhead=none];\n\
             \x20 \"z\" [label=\"sum\"];\n\
             \x20 \"a\" -> \"z\" [style=dotted, arrowhead=none];\n\
             \x20 \"b\" -> \"z\" [style=dotted, arrowhead=none];\n\
             \x20 \"f\" [label=\"float\", style=\"rounded,dashed\", URL=\"https://e.com/?a=1&amp;b=2%20x\"];\n\
             \x20 \"b\" -> \"a\" [style=dashed, constraint=false, label=\"see\"];\n}\n"
        );
        let mut titles = WriteOptions::default();
        titles.titles_only();
        assert_eq!(
            dot(&doc, &titles),
            "digraph \"m\" {\n  graph [rankdir=LR];\n  node [shape=box, style=rounded];\n\
             \x20 \"r\" [label=\"root\", style=\"rounded,bold\"];\n\
             \x20 \"a\" [label=\"a\\nb\"];\n  \"r\" -> \"a\";\n\
             \x20 \"b\" [label=\"b\"];\n  \"r\" -> \"b\";\n}\n"
        );
    }

    #[test]
    fn several_sheets_are_clusters() {
        let doc = Document {
            sheets: vec![Sheet::new("one"), Sheet::new("two")],
            ..Document::default()
        };
        assert_eq!(
            dot(&doc, &WriteOptions::default()),
            "digraph \"map\" {\n  graph [rankdir=LR];\n  node [shape=box, style=rounded];\n\
             \x20 subgraph cluster_1 {\n    label=\"\";\n    \"s1-0\" [label=\"one\", style=\"rounded,bold\"];\n  }\n\
             \x20 subgraph cluster_2 {\n    label=\"\";\n    \"s2-0\" [label=\"two\", style=\"rounded,bold\"];\n  }\n}\n"
        );
    }

    #[test]
    fn a_very_deep_chain_is_written_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..20_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let doc = Document {
            sheets: vec![s],
            ..Document::default()
        };
        let out = dot(&doc, &WriteOptions::default());
        assert_eq!(out.matches(" -> ").count(), 20_000);
    }
}
