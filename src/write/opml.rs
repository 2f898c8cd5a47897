//! OPML 2.0: `<opml version="2.0">` with `<head><title>` and a `<body>` of nested
//! `<outline text="…">` elements, indented two spaces per level. Every outline has `text`
//! (empty for an empty title).
//!
//! Decisions (documented in the README):
//! - One sheet: the root topic is the first outline of `<body>` and the sheet title is
//!   `<head><title>`. Several sheets: one top-level `<outline text="SHEET TITLE" _kind="sheet">`
//!   per sheet (`Sheet N` when the sheet has no title) holding that sheet's outlines, and the
//!   file name (without `.xmind`) as `<head><title>`.
//! - `text` is HTML, as the OPML 2.0 spec says and as pandoc reads it: a title is written as HTML
//!   text (`&` and `<` escaped), then escaped again for the XML attribute. Pandoc and other HTML
//!   readers show the literal title (`<b>` stays `<b>`, never bold); a reader that shows `text`
//!   raw shows `&lt;` for `<` and `&amp;` for `&`. A `$` in a title with two or more of them is
//!   wrapped in `<span>`, so pandoc (which reads `$…$` in HTML as TeX math) keeps it.
//! - Line breaks, carriage returns and tabs are written `&#10;`, `&#13;` and `&#9;`, so XML
//!   attribute normalisation cannot turn them into spaces. Characters XML 1.0 cannot carry at
//!   all become U+FFFD.
//! - Extras (all on by default; `--titles-only` or `--without` turn them off):
//!   - floating topics: outlines after the root (in the sheet's outline with several sheets),
//!     `_kind="floating"`, with their own subtopics;
//!   - summaries: after the attached children of their topic, `_kind="summary"` and
//!     `_range="FIRST-LAST"` (1-based positions of the summarised children);
//!   - callouts: after those, `_kind="callout"`;
//!   - notes: plain text in `_note` (pandoc reads `_note` as Markdown; outliners as text);
//!   - web, file and other links: `type="link" url="…"`; topic links (`xmind:#id`) and
//!     attachments (`xap:…`): `_link="…"`;
//!   - labels: `_labels="a, b"`; markers: `_markers="priority-1, task-done"` (XMind marker ids);
//!     image: `_image="…"` (its `src`);
//!   - boundaries: `_boundaries` on the topic they belong to, one `RANGE: TITLE` per line
//!     (`all` for a boundary around the whole topic);
//!   - relationships: `_relationships` on the topic they start from, one `→ TARGET TITLE` per
//!     line, `: LABEL` appended when labelled; relationships with a missing end are left out;
//!   - comments: `_comments`, one `AUTHOR: TEXT` per comment, separated by line breaks.

use std::collections::HashMap;
use std::io::{self, Write};

use super::outline::{Parts, Role, Visit, pad, walk_outline};
use super::{Extra, WriteOptions, Writer};
use crate::model::{BoundaryRange, ChildRange, Document, LinkKind, Sheet, TopicId};

/// The OPML 2.0 emitter.
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
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n")?;
        let mut line = String::from("  <head>\n    <title>");
        escape_element(&mut line, &head_title(doc));
        line.push_str("</title>\n  </head>\n  <body>\n");
        out.write_all(line.as_bytes())?;
        if let [sheet] = doc.sheets.as_slice() {
            write_sheet(sheet, opts, 2, out)?;
        } else {
            for (i, sheet) in doc.sheets.iter().enumerate() {
                let mut line = String::from("    <outline text=\"");
                if sheet.title.is_empty() {
                    line.push_str(&format!("Sheet {}", i + 1));
                } else {
                    escape_text(&mut line, &sheet.title);
                }
                line.push_str("\" _kind=\"sheet\">\n");
                out.write_all(line.as_bytes())?;
                write_sheet(sheet, opts, 3, out)?;
                out.write_all(b"    </outline>\n")?;
            }
        }
        out.write_all(b"  </body>\n</opml>\n")
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
        (Some(name), n) if n > 1 => {
            let lower = name.to_ascii_lowercase();
            if lower.ends_with(".xmind") && name.len() > 6 {
                &name[..name.len() - 6]
            } else {
                name.as_str()
            }
        }
        _ => sheet_title,
    };
    title.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the emitter writes, decided once from the options (every extra on by default).
struct Wanted {
    floating: bool,
    parts: Parts,
    notes: bool,
    labels: bool,
    markers: bool,
    links: bool,
    images: bool,
    boundaries: bool,
    comments: bool,
}

impl Wanted {
    fn new(opts: &WriteOptions) -> Wanted {
        Wanted {
            floating: opts.wants(Extra::Floating, true),
            parts: Parts {
                summaries: opts.wants(Extra::Summaries, true),
                callouts: opts.wants(Extra::Callouts, true),
            },
            notes: opts.wants(Extra::Notes, true),
            labels: opts.wants(Extra::Labels, true),
            markers: opts.wants(Extra::Markers, true),
            links: opts.wants(Extra::Links, true),
            images: opts.wants(Extra::Images, true),
            boundaries: opts.wants(Extra::Boundaries, true),
            comments: opts.wants(Extra::Comments, true),
        }
    }
}

/// The root's outline and then each floating topic's, `base` levels deep.
fn write_sheet(
    sheet: &Sheet,
    opts: &WriteOptions,
    base: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let wanted = Wanted::new(opts);
    // Relationships, as lines of the `_relationships` attribute of the topic they start from.
    let mut relations: HashMap<TopicId, Vec<String>> = HashMap::new();
    if opts.wants(Extra::Relationships, true) {
        for r in &sheet.relationships {
            if let (Some(from), Some(to)) = (r.from, r.to) {
                let mut line = format!("→ {}", sheet.topic(to).title.replace('\n', " "));
                if !r.title.is_empty() {
                    line.push_str(": ");
                    line.push_str(&r.title);
                }
                relations.entry(from).or_default().push(line);
            }
        }
    }
    let mut tops = vec![TopicId::ROOT];
    if wanted.floating {
        tops.extend(sheet.floating_topics());
    }
    let mut line = String::new();
    let mut seen = vec![false; sheet.len()];
    for top in tops {
        walk_outline(sheet, top, 0, wanted.parts, opts, &mut seen, |visit| {
            line.clear();
            match visit {
                Visit::Enter(id, depth, role) => {
                    indent(&mut line, base + depth);
                    line.push_str("<outline");
                    let role = match role {
                        Role::Top if id != TopicId::ROOT => Kind::Floating,
                        Role::Top | Role::Attached => Kind::Plain,
                        Role::Summary(i) => {
                            let parent = sheet.topic(id).parent().unwrap_or(TopicId::ROOT);
                            Kind::Summary(
                                sheet.topic(parent).summaries.get(i).and_then(|s| s.range),
                            )
                        }
                        Role::Callout => Kind::Callout,
                    };
                    attributes(&mut line, sheet, id, role, &wanted, &relations);
                    let below = has_below(sheet, id, depth, &wanted, opts);
                    line.push_str(if below { ">\n" } else { "/>\n" });
                }
                Visit::Leave(id, depth, _) => {
                    if has_below(sheet, id, depth, &wanted, opts) {
                        indent(&mut line, base + depth);
                        line.push_str("</outline>\n");
                    }
                }
            }
            out.write_all(line.as_bytes())
        })?;
    }
    Ok(())
}

/// Whether the walk writes anything below topic `id` at `depth`.
fn has_below(
    sheet: &Sheet,
    id: TopicId,
    depth: usize,
    wanted: &Wanted,
    opts: &WriteOptions,
) -> bool {
    let t = sheet.topic(id);
    opts.within_depth(depth + 1)
        && (!t.children.is_empty()
            || (wanted.parts.summaries && t.summaries.iter().any(|s| s.topic.is_some()))
            || (wanted.parts.callouts && !t.callouts.is_empty()))
}

fn indent(line: &mut String, levels: usize) {
    pad(line, 2 * levels);
}

/// What kind of outline a topic is written as.
enum Kind {
    Plain,
    Floating,
    Summary(Option<ChildRange>),
    Callout,
}

/// ` text="…"` and every wanted attribute of topic `id`.
fn attributes(
    line: &mut String,
    sheet: &Sheet,
    id: TopicId,
    kind: Kind,
    wanted: &Wanted,
    relations: &HashMap<TopicId, Vec<String>>,
) {
    let t = sheet.topic(id);
    line.push_str(" text=\"");
    escape_text(line, &t.title);
    line.push('"');
    match kind {
        Kind::Plain => {}
        Kind::Floating => line.push_str(" _kind=\"floating\""),
        Kind::Summary(range) => {
            line.push_str(" _kind=\"summary\"");
            if let Some(r) = range {
                line.push_str(&format!(" _range=\"{}\"", range_text(r)));
            }
        }
        Kind::Callout => line.push_str(" _kind=\"callout\""),
    }
    if wanted.links {
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
    if wanted.notes {
        if let Some(n) = &t.notes {
            attribute(line, "_note", n.plain.trim_end());
        }
    }
    if wanted.labels && !t.labels.is_empty() {
        attribute(line, "_labels", &t.labels.join(", "));
    }
    if wanted.markers && !t.markers.is_empty() {
        attribute(line, "_markers", &t.markers.join(", "));
    }
    if wanted.images {
        if let Some(img) = &t.image {
            attribute(line, "_image", &img.src);
        }
    }
    if wanted.boundaries && !t.boundaries.is_empty() {
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
    if let Some(rels) = relations.get(&id) {
        attribute(line, "_relationships", &rels.join("\n"));
    }
    if wanted.comments && !t.comments.is_empty() {
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
    escape_attribute(line, value);
    line.push('"');
}

/// Escapes one character for an XML attribute value, or returns `false` for one that needs no
/// escaping. Characters XML 1.0 forbids become U+FFFD.
fn escape_xml_char(out: &mut String, c: char) -> bool {
    let esc = match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\n' => "&#10;",
        '\r' => "&#13;",
        '\t' => "&#9;",
        '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => "\u{fffd}",
        _ => return false,
    };
    out.push_str(esc);
    true
}

/// `s` as an XML attribute value.
fn escape_attribute(out: &mut String, s: &str) {
    for c in s.chars() {
        if !escape_xml_char(out, c) {
            out.push(c);
        }
    }
}

/// `s` as XML element content (the head title).
fn escape_element(out: &mut String, s: &str) {
    escape_attribute(out, s);
}

/// A title as the value of `text`: first as HTML text (`&` → `&amp;`, `<` → `&lt;`, `$` in
/// `<span>` when there are two or more), then escaped for the XML attribute.
fn escape_text(out: &mut String, title: &str) {
    let wrap_dollars = title.matches('$').nth(1).is_some();
    for c in title.chars() {
        match c {
            '&' => out.push_str("&amp;amp;"),
            '<' => out.push_str("&amp;lt;"),
            '$' if wrap_dollars => out.push_str("&lt;span&gt;$&lt;/span&gt;"),
            _ => {
                if !escape_xml_char(out, c) {
                    out.push(c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Notes, Topic, TopicKind};

    fn text(s: &str) -> String {
        let mut out = String::new();
        escape_text(&mut out, s);
        out
    }

    fn attr(s: &str) -> String {
        let mut out = String::new();
        escape_attribute(&mut out, s);
        out
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
