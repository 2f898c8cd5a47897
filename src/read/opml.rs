//! OPML 2.0 reader: nested `<outline>` elements become topics.
//!
//! What is taken: `text` (the title), `_note` (the plain note, as OmniOutliner, Dynalist and our
//! own writer put it), `type="link"` with `url` (the topic's link; a `url` on any other outline is
//! taken too), `<head><title>` (the root's title when the body holds several outlines). Other
//! attributes have no place in the model and are dropped.
//!
//! Safety, as for content.xml: the document type declaration is never processed (quick-xml does
//! not read DTDs), entity references other than XML's five and character references are refused
//! with their line and column, so neither XXE nor billion laughs can happen. Nesting is tracked
//! with a counter, not the stack; `--max-depth` and `--max-text` apply.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::ReadOptions;
use super::clean::clean;
use super::common::{
    Outline, attribute_value, decode, depth_limit, reference_text, syntax, text_limit,
};
use crate::error::Result;
use crate::model::{Document, Image, Link, Notes, Topic, TopicKind};

const FORMAT: &str = "opml";

/// Reads an OPML document.
pub(super) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let text = decode(bytes, FORMAT)?;
    let limits = &options.limits;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Topics in document order with their level below <body> (1 = a top-level outline).
    let mut topics: Vec<(usize, Item)> = Vec::new();
    let mut depth = 0usize;
    let (mut in_head_title, mut head_title) = (false, String::new());
    let (mut saw_opml, mut in_body) = (false, false);
    let mut dropped = false;
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            syntax(
                FORMAT,
                text,
                reader.error_position() as usize,
                e.to_string(),
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if !saw_opml => {
                if e.local_name().as_ref().as_bytes() != b"opml" {
                    return Err(syntax(FORMAT, text, at, "the root element is not <opml>"));
                }
                saw_opml = true;
            }
            Event::Start(e) => match e.local_name().as_ref().as_bytes() {
                b"body" => in_body = true,
                b"title" if !in_body => in_head_title = true,
                b"outline" if in_body => {
                    depth += 1;
                    if depth > limits.max_depth {
                        return Err(depth_limit(FORMAT, limits));
                    }
                    topics.push((depth, outline(&e, text, at, options, &mut dropped)?));
                }
                _ => {}
            },
            Event::Empty(e) if in_body && e.local_name().as_ref().as_bytes() == b"outline" => {
                if depth + 1 > limits.max_depth {
                    return Err(depth_limit(FORMAT, limits));
                }
                topics.push((depth + 1, outline(&e, text, at, options, &mut dropped)?));
            }
            Event::End(e) => match e.local_name().as_ref().as_bytes() {
                b"outline" if in_body => depth = depth.saturating_sub(1),
                b"body" => in_body = false,
                b"title" => in_head_title = false,
                _ => {}
            },
            Event::Text(t) if in_head_title => {
                head_title.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) => {
                let mut buf = [0; 4];
                let c = reference_text(&r, &mut buf, FORMAT, text, at)?;
                if in_head_title {
                    head_title.push_str(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_opml {
        return Err(syntax(FORMAT, text, text.len(), "no <opml> element"));
    }
    // Our own writer puts several sheets as top-level `_kind="sheet"` outlines, each holding
    // its root.
    let mut groups: Vec<Group> = Vec::new();
    let sheets = topics.first().is_some_and(|(l, t)| *l == 1 && t.sheet);
    for (level, item) in topics {
        if sheets && level == 1 {
            groups.push((Some(item.topic.title.to_string()), Vec::new()));
        } else if sheets {
            groups
                .last_mut()
                .expect("a sheet first")
                .1
                .push((level - 1, item));
        } else if groups.is_empty() {
            groups.push((None, vec![(level, item)]));
        } else {
            groups[0].1.push((level, item));
        }
    }
    if groups.is_empty() {
        groups.push((None, Vec::new()));
    }
    let mut all = Vec::new();
    for (n, (title, mut items)) in groups.into_iter().enumerate() {
        // Floating topics sit next to the root in our writer's output: they are not roots.
        let top = items
            .iter()
            .filter(|(level, i)| *level == 1 && i.kind != TopicKind::Floating)
            .count();
        let (root, shift) = if top == 1 && items.first().is_some_and(|(l, _)| *l == 1) {
            (items.remove(0).1.topic, 1)
        } else {
            (Topic::new(clean(head_title.trim()).0), 0)
        };
        let mut outline = Outline::new(root);
        // A floating topic next to the root hangs from the root, its subtopics from it: their
        // levels are not shifted.
        let mut floating = false;
        for (level, item) in items {
            if level == 1 {
                floating = item.kind == TopicKind::Floating;
            }
            let level = if floating {
                level
            } else {
                level.saturating_sub(shift)
            };
            outline.push_as(level, item.kind, item.topic);
        }
        outline.sheet.title = title.unwrap_or_else(|| format!("Sheet {}", n + 1));
        all.push(outline.sheet);
    }
    let mut doc = Document {
        sheets: all,
        ..Document::default()
    };
    if dropped {
        doc.warnings.push(format!(
            "{FORMAT}: characters XML 1.0 cannot carry were removed"
        ));
    }
    super::xmind::finish::resolve(&mut doc, Default::default());
    Ok(doc)
}

/// One sheet's outlines before the tree is built: the sheet's title (when the file names sheets)
/// and each outline with its level.
type Group = (Option<String>, Vec<(usize, Item)>);

/// One `<outline>`: its topic, the kind our writer's `_kind` gives, and whether it stands for a
/// sheet.
struct Item {
    topic: Topic,
    kind: TopicKind,
    sheet: bool,
}

/// The topic of one `<outline>`.
fn outline(
    e: &BytesStart,
    text: &str,
    at: usize,
    options: &ReadOptions,
    dropped: &mut bool,
) -> Result<Item> {
    let mut topic = Topic::new("");
    let (mut note, mut url) = (None, None);
    let (mut kind, mut sheet) = (TopicKind::Attached, false);
    for a in e.attributes() {
        let a = a.map_err(|err| syntax(FORMAT, text, at, err.to_string()))?;
        let value = attribute_value(&a, FORMAT, text, at)?;
        if value.len() > options.limits.max_text {
            return Err(text_limit(FORMAT, &options.limits));
        }
        let (value, bad) = clean(&value);
        *dropped |= bad;
        match a.key.local_name().as_ref().as_bytes() {
            // OPML 2.0: `text` may hold HTML, which is read as pandoc reads it: tags dropped
            // (`<b>`, `<a href>`; `<br>` a line break), character references decoded (our
            // writer writes a title as HTML text, `<` as `&lt;`, and `$` as `<span>$</span>` so
            // that pandoc does not read TeX maths).
            b"text" => topic.title = html_title(&value).into(),
            b"_note" => note = Some(value),
            b"url" | b"htmlUrl" | b"_link" if url.is_none() => url = Some(value),
            b"_kind" => match value.as_str() {
                "floating" => kind = TopicKind::Floating,
                "summary" => kind = TopicKind::Summary,
                "callout" => kind = TopicKind::Callout,
                "sheet" => sheet = true,
                _ => {}
            },
            b"_labels" => {
                topic.labels = value
                    .split(", ")
                    .filter(|l| !l.is_empty())
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .into()
            }
            b"_markers" => {
                topic.markers = value
                    .split(", ")
                    .filter(|l| !l.is_empty())
                    .map(|l| l.to_string())
                    .collect::<Vec<_>>()
                    .into()
            }
            b"_image" => {
                topic.image = Some(Box::new(Image {
                    src: value,
                    width: None,
                    height: None,
                }))
            }
            _ => {}
        }
    }
    if let Some(plain) = note.filter(|n| !n.is_empty()) {
        topic.notes = Some(Box::new(Notes {
            plain: plain.into(),
            html: None,
        }));
    }
    if let Some(href) = url.filter(|u| !u.is_empty()) {
        topic.link = Some(Box::new(Link::new(href)));
    }
    Ok(Item { topic, kind, sheet })
}

/// The text of an HTML title: tags dropped, `<br>` a line break, references decoded. Block tags
/// end no line: a title is one paragraph (pandoc makes it one heading).
fn html_title(html: &str) -> String {
    use crate::notes::{Token, Tokens, decode_entities};
    if !html.contains(['<', '&']) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    for token in Tokens::new(html, &["script", "style"]) {
        match token {
            Token::Text(t) => out.push_str(&decode_entities(t)),
            Token::Tag(tag) if tag.name == "br" => out.push('\n'),
            Token::Tag(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(doc: &Document) -> Vec<(usize, String)> {
        let s = &doc.sheets[0];
        let mut out = Vec::new();
        s.walk(crate::model::TopicId::ROOT, |id, d| {
            out.push((d, s.topic(id).title.to_string()));
            true
        });
        out
    }

    #[test]
    fn outlines_nest_and_keep_notes_and_links() {
        let opml = r#"<?xml version="1.0"?><opml version="2.0"><head><title>Plan &amp; do</title></head><body>
<outline text="A" _note="line 1&#10;line 2"><outline text="a1" type="link" url="https://x.org/?a=1&amp;b=2"/></outline>
<outline text="B"/></body></opml>"#;
        let doc = read(opml.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(
            titles(&doc),
            [
                (0, "Plan & do".into()),
                (1, "A".into()),
                (2, "a1".into()),
                (1, "B".into())
            ]
        );
        let s = &doc.sheets[0];
        let a = s.topic(s.root().children[0]);
        assert_eq!(a.notes.as_ref().unwrap().plain, "line 1\nline 2");
        let a1 = s.topic(a.children[0]);
        assert_eq!(a1.link.as_ref().unwrap().href, "https://x.org/?a=1&b=2");
        let html = r#"<opml><body><outline text="&lt;b&gt;bold&lt;/b&gt; &amp;lt; a&lt;br/&gt;b &lt;span&gt;$&lt;/span&gt;"/></body></opml>"#;
        let doc = read(html.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(titles(&doc), [(0, "bold < a\nb $".into())]);
        // One top-level outline is the root itself.
        let one =
            r#"<opml><head/><body><outline text="R"><outline text="c"/></outline></body></opml>"#;
        let doc = read(one.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(titles(&doc), [(0, "R".into()), (1, "c".into())]);
    }

    #[test]
    fn entities_and_bad_xml_are_refused_with_a_position() {
        let xxe = "<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<opml><body><outline text=\"&x;\"/></body></opml>";
        let err = read(xxe.as_bytes(), &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let bad = "<opml><body><outline text=\"a\"></body></opml>";
        let err = read(bad.as_bytes(), &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = read(b"<map/>", &ReadOptions::default()).unwrap_err();
        assert!(err.to_string().contains("not <opml>"), "{err}");
    }

    #[test]
    fn deep_and_wide_outlines_read_without_the_stack() {
        let n = 100_000;
        let mut s = String::from("<opml><body>");
        for i in 0..n {
            s.push_str(&format!("<outline text=\"{i}\">"));
        }
        s.push_str(&"</outline>".repeat(n));
        s.push_str("</body></opml>");
        let doc = read(s.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(doc.sheets[0].topics.len(), n);
        let mut opts = ReadOptions::default();
        opts.limits.max_depth = 10;
        assert!(read(s.as_bytes(), &opts).is_err());
    }
}
