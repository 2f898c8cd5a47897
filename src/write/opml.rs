//! OPML 2.0: `<opml version="2.0">` with `<head><title>` and a `<body>` of nested
//! `<outline text="…">` elements, indented two spaces per level.
//!
//! What it writes is specified in docs/formats/opml.md, shown as the rustdoc of [`Opml`].

use std::io::Write;

use super::{Buf, Event, Plan, Role, Writer, fmt};
use crate::error::Result;
use crate::model::{BoundaryRange, ChildRange, Document, LinkKind, Sheet, TopicId};
use crate::xml::{self, ATTRIBUTE};

#[doc = include_str!("../../docs/formats/opml.md")]
pub struct Opml;

impl Writer for Opml {
    fn name(&self) -> &'static str {
        "opml"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["opml"]
    }
    fn description(&self) -> &'static str {
        "OPML 2.0 outline: notes in _note, links as type=\"link\", one outline per sheet if several"
    }
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        plan.indentation(2)
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let doc = plan.doc();
        let mut b = Buf::new(out);
        b.s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
        b.s.push_str("  <head>\n    <title>");
        xml::escape_into(&mut b.s, &head_title(doc), ATTRIBUTE);
        b.s.push_str("</title>\n  </head>\n  <body>\n");
        if doc.sheets.len() == 1 {
            write_sheet(plan, 0, 2, &mut b)?;
        } else {
            for (i, sheet) in doc.sheets.iter().enumerate() {
                b.s.push_str("    <outline text=\"");
                if sheet.title.is_empty() {
                    b.s.push_str(&format!("Sheet {}", i + 1));
                } else {
                    escape_text(&mut b.s, &sheet.title);
                }
                b.s.push_str("\" _kind=\"sheet\">\n");
                write_sheet(plan, i, 3, &mut b)?;
                b.s.push_str("    </outline>\n");
            }
        }
        b.s.push_str("  </body>\n</opml>\n");
        Ok(b.finish()?)
    }
}

/// One sheet: the sheet title; several: the file name without `.xmind`, or the first sheet's
/// title when there is no file name. A root title when the title would be empty.
fn head_title(doc: &Document) -> String {
    let first = doc.sheets.first();
    let sheet_title = first.map_or("", |s| {
        if s.title.is_empty() {
            s.topics.first().map_or("", |t| t.title.as_str())
        } else {
            s.title.as_str()
        }
    });
    let title = match (&doc.name, doc.sheets.len()) {
        (Some(name), n) if n > 1 => fmt::file_stem(name),
        _ => sheet_title,
    };
    fmt::fold(title)
}

/// The root's outline and then each floating topic's, `base` levels deep.
fn write_sheet(plan: &Plan<'_>, s: usize, base: usize, b: &mut Buf<'_>) -> Result<()> {
    let sheet = &plan.doc().sheets[s];
    for event in plan.walk(s) {
        match event {
            Event::Enter(e) => {
                super::fmt::pad(&mut b.s, 2 * (base + e.level));
                b.s.push_str("<outline");
                attributes(&mut b.s, plan, s, sheet, e.id, e.role);
                b.s.push_str(if e.has_below() { ">\n" } else { "/>\n" });
            }
            Event::Leave(e) => {
                if e.has_below() {
                    super::fmt::pad(&mut b.s, 2 * (base + e.level));
                    b.s.push_str("</outline>\n");
                }
            }
        }
        b.flush_full()?;
    }
    Ok(())
}

/// ` text="…"` and every wanted attribute of topic `id`.
fn attributes(
    line: &mut String,
    plan: &Plan<'_>,
    s: usize,
    sheet: &Sheet,
    id: TopicId,
    role: Role,
) {
    use super::Extra;
    let t = sheet.topic(id);
    line.push_str(" text=\"");
    escape_text(line, &t.title);
    line.push('"');
    match role {
        Role::Root | Role::Attached => {}
        Role::Floating => line.push_str(" _kind=\"floating\""),
        Role::Summary(i) => {
            line.push_str(" _kind=\"summary\"");
            let parent = t.parent().unwrap_or(TopicId::ROOT);
            if let Some(r) = sheet.topic(parent).summaries.get(i).and_then(|s| s.range) {
                line.push_str(&format!(" _range=\"{}\"", range_text(r)));
            }
        }
        Role::Callout => line.push_str(" _kind=\"callout\""),
    }
    if plan.wants(Extra::Links) {
        if let Some(link) = &t.link {
            match link.kind {
                LinkKind::Web | LinkKind::File | LinkKind::Other => {
                    attribute(line, "type", "link");
                    attribute(line, "url", &link.href);
                }
                LinkKind::Topic | LinkKind::Attachment => attribute(line, "_link", &link.href),
            }
        }
    }
    if plan.wants(Extra::Notes) {
        if let Some(n) = &t.notes {
            attribute(line, "_note", n.plain.trim_end());
        }
    }
    if plan.wants(Extra::Labels) && !t.labels.is_empty() {
        attribute(line, "_labels", &t.labels.join(", "));
    }
    if plan.wants(Extra::Markers) && !t.markers.is_empty() {
        attribute(line, "_markers", &t.markers.join(", "));
    }
    if plan.wants(Extra::Images) {
        if let Some(img) = &t.image {
            attribute(line, "_image", &img.src);
        }
    }
    if plan.wants(Extra::Boundaries) && !t.boundaries.is_empty() {
        let lines: Vec<String> = t
            .boundaries
            .iter()
            .map(|b| {
                let range = match b.range {
                    BoundaryRange::Master => "all".to_string(),
                    BoundaryRange::Children(r) => range_text(r),
                    BoundaryRange::Unknown => "?".to_string(),
                };
                format!("{range}: {}", b.title)
            })
            .collect();
        attribute(line, "_boundaries", &lines.join("\n"));
    }
    let rels: Vec<String> = plan
        .relationships_at(s, id)
        .map(|(r, first)| {
            let mut line = fmt::relationship_end(plan, s, r, first);
            let title = &sheet.relationships[r].title;
            if !title.is_empty() {
                line.push_str(": ");
                line.push_str(title);
            }
            line
        })
        .collect();
    if !rels.is_empty() {
        attribute(line, "_relationships", &rels.join("\n"));
    }
    if plan.wants(Extra::Comments) && !t.comments.is_empty() {
        let lines: Vec<String> = t
            .comments
            .iter()
            .map(|c| format!("{}: {}", c.author, c.content))
            .collect();
        attribute(line, "_comments", &lines.join("\n"));
    }
}

/// `2-3` (1-based, inclusive), or `2` for one child.
fn range_text(r: ChildRange) -> String {
    if r.start == r.end {
        (r.start + 1).to_string()
    } else {
        format!("{}-{}", r.start + 1, r.end + 1)
    }
}

/// ` name="value"` with the value escaped for XML.
fn attribute(line: &mut String, name: &str, value: &str) {
    line.push(' ');
    line.push_str(name);
    line.push_str("=\"");
    xml::escape_into(line, value, ATTRIBUTE);
    line.push('"');
}

/// A title as the value of `text`: first as HTML text (`&` → `&amp;`, `<` → `&lt;`, `$` in
/// `<span>` when there are two or more), then escaped for the XML attribute.
fn escape_text(out: &mut String, title: &str) {
    let mut html = String::with_capacity(title.len());
    let wrap_dollars = title.matches('$').nth(1).is_some();
    for c in title.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '$' if wrap_dollars => html.push_str("<span>$</span>"),
            c => html.push(c),
        }
    }
    xml::escape_into(out, &html, ATTRIBUTE);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Notes, Topic, TopicKind};
    use crate::write::WriteOptions;

    fn text(s: &str) -> String {
        let mut out = String::new();
        escape_text(&mut out, s);
        out
    }

    fn attr(s: &str) -> String {
        let mut out = String::new();
        attribute(&mut out, "a", s);
        out[4..out.len() - 1].to_string()
    }

    #[test]
    fn titles_are_html_then_xml() {
        assert_eq!(text("<b>x</b>"), "&amp;lt;b&gt;x&amp;lt;/b&gt;");
        assert_eq!(text("a & b"), "a &amp;amp; b");
        assert_eq!(text("&amp; &lt;"), "&amp;amp;amp; &amp;amp;lt;");
        assert_eq!(text("\"q\" 'x'"), "&quot;q&quot; 'x'");
        assert_eq!(text("a\nb\r\tc"), "a&#10;b&#13;&#9;c");
        assert_eq!(text("$5"), "$5");
        assert_eq!(
            text("$x$"),
            "&lt;span&gt;$&lt;/span&gt;x&lt;span&gt;$&lt;/span&gt;"
        );
        assert_eq!(text("bell\u{7}\u{ffff}"), "bell\u{fffd}\u{fffd}");
        assert_eq!(text("C# [x] {y} %% * _ `"), "C# [x] {y} %% * _ `");
    }

    #[test]
    fn attributes_are_xml_only() {
        assert_eq!(attr("<b> & \"q\""), "&lt;b&gt; &amp; &quot;q&quot;");
        assert_eq!(attr("line 1\nline 2"), "line 1&#10;line 2");
    }

    #[test]
    fn one_sheet_has_the_root_as_first_outline() {
        let mut s = Sheet::new("Root <b>");
        s.title = "Tab".into();
        let mut a = Topic::new("");
        a.notes = Some(Box::new(Notes {
            plain: "n1\nn2\n".into(),
            html: None,
        }));
        let a = s.add(TopicId::ROOT, TopicKind::Attached, a);
        s.add(a, TopicKind::Attached, Topic::new("deep"));
        s.add(TopicId::ROOT, TopicKind::Floating, Topic::new("float"));
        let doc = Document {
            sheets: vec![s],
            ..Document::default()
        };
        let out = super::super::to_string(&Opml, &doc, &WriteOptions::default()).unwrap();
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    \
             <title>Tab</title>\n  </head>\n  <body>\n    <outline text=\"Root &amp;lt;b&gt;\">\n      \
             <outline text=\"\" _note=\"n1&#10;n2\">\n        <outline text=\"deep\"/>\n      \
             </outline>\n    </outline>\n    <outline text=\"float\" _kind=\"floating\"/>\n  \
             </body>\n</opml>\n"
        );
        let mut only = WriteOptions::default();
        only.titles_only();
        let out = super::super::to_string(&Opml, &doc, &only).unwrap();
        assert!(!out.contains("_note") && !out.contains("float"), "{out}");
    }
}
