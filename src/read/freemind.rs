//! FreeMind / Freeplane `.mm` reader: `<map>` holding one root `<node>`, nodes nested as in the
//! file.
//!
//! What is taken: `TEXT` (else the text of `<richcontent TYPE="NODE">`, its HTML read as a
//! browser shows it), `<richcontent TYPE="NOTE">` and `TYPE="DETAILS"` (the note: plain text and
//! the HTML of its body), `LINK` (`#ID` a topic link to that node), `FOLDED`, `<icon BUILTIN>`
//! (markers, the inverse of our writer's table), `<attribute NAME VALUE>` (what our writer puts
//! there is read back, other attributes become labels `NAME: VALUE`), `<arrowlink DESTINATION>`
//! (relationships, `MIDDLE_LABEL` the title) and `<cloud>` (a boundary around the node).
//!
//! Safety, as for OPML: the document type declaration is never processed, entity references other
//! than XML's five are refused with their line and column, nesting is kept in a vector, not on
//! the stack; `--max-depth` and `--max-text` apply.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::ReadOptions;
use super::clean::clean;
use super::common::{
    Outline, attribute_value, decode, depth_limit, reference_text, syntax, text_limit,
};
use crate::error::Result;
use crate::model::{
    Boundary, BoundaryRange, Comment, Document, Image, Link, Notes, Relationship, Topic, TopicKind,
};
use crate::notes::{Token, Tokens, decode_entities};

const FORMAT: &str = "freemind";

/// What an open element is.
enum Open {
    /// The `<map>` element.
    Map,
    /// A `<node>` that is part of the tree: its index in `items`.
    Node(usize),
    /// A `<richcontent>` of a node: its item, its `TYPE`, where its content starts.
    Rich(usize, Rich, usize),
    /// Anything else (`<hook>`, `<edge>`, HTML inside richcontent, a `<node>` inside a foreign
    /// element, which FreeMind does not show either).
    Other,
}

#[derive(Clone, Copy, PartialEq)]
enum Rich {
    Node,
    Note,
    Other,
}

/// One `<node>` before the tree is built.
struct Item {
    level: usize,
    topic: Topic,
    has_text: bool,
    kind: TopicKind,
    /// The value of our writer's `sheet` attribute (the node is a sheet's root).
    sheet: Option<String>,
    /// `<arrowlink>`s: destination id and label.
    arrows: Vec<(String, String)>,
    notes: Vec<(String, String)>,
}

/// Reads a FreeMind or Freeplane map.
pub(super) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let text = decode(bytes, FORMAT)?;
    let limits = &options.limits;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut items: Vec<Item> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut depth = 0usize;
    let mut saw_map = false;
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
            Event::Start(e) if !saw_map => {
                root_is_map(&e, text, at)?;
                saw_map = true;
                open.push(Open::Map);
            }
            Event::Empty(e) if !saw_map => {
                root_is_map(&e, text, at)?;
                saw_map = true;
            }
            Event::Start(e) => {
                let here = element(
                    &e,
                    &open,
                    depth,
                    &mut items,
                    text,
                    at,
                    options,
                    &mut dropped,
                )?;
                if let Open::Node(_) = here {
                    depth += 1;
                }
                let here = match here {
                    Open::Rich(i, kind, _) => {
                        Open::Rich(i, kind, reader.buffer_position() as usize)
                    }
                    other => other,
                };
                open.push(here);
            }
            Event::Empty(e) => {
                element(
                    &e,
                    &open,
                    depth,
                    &mut items,
                    text,
                    at,
                    options,
                    &mut dropped,
                )?;
            }
            Event::End(_) => match open.pop() {
                Some(Open::Node(_)) => depth -= 1,
                Some(Open::Rich(i, kind, start)) => {
                    let html = &text[start..at];
                    if html.len() > limits.max_text {
                        return Err(text_limit(FORMAT, limits));
                    }
                    let item = &mut items[i];
                    let (plain, bad) = clean(&html_text(html));
                    dropped |= bad;
                    match kind {
                        Rich::Node if !item.has_text => item.topic.title = plain.into(),
                        Rich::Note => item.notes.push((plain, body_of(html).to_string())),
                        _ => {}
                    }
                }
                _ => {}
            },
            Event::GeneralRef(r) => {
                // Text between elements is not read (node text is in attributes); a reference
                // must still be one XML knows.
                reference_text(&r, &mut [0; 4], FORMAT, text, at)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_map {
        return Err(syntax(FORMAT, text, text.len(), "no <map> element"));
    }
    let mut doc = build(items, options);
    if dropped {
        doc.warnings.push(format!(
            "{FORMAT}: characters XML 1.0 cannot carry were removed"
        ));
    }
    super::xmind::finish::resolve(&mut doc, Default::default());
    Ok(doc)
}

fn root_is_map(e: &BytesStart, text: &str, at: usize) -> Result<()> {
    if e.local_name().as_ref().as_bytes() != b"map" {
        return Err(syntax(FORMAT, text, at, "the root element is not <map>"));
    }
    Ok(())
}

/// Handles the start of an element inside `<map>`: a node becomes an item, the elements of a
/// node change it. Returns what the element is.
#[allow(clippy::too_many_arguments)]
fn element(
    e: &BytesStart,
    open: &[Open],
    depth: usize,
    items: &mut Vec<Item>,
    text: &str,
    at: usize,
    options: &ReadOptions,
    dropped: &mut bool,
) -> Result<Open> {
    let limits = &options.limits;
    let parent = match open.last() {
        // Directly inside <map>, or inside a node.
        Some(Open::Map) => None,
        Some(Open::Node(i)) => Some(*i),
        _ => return Ok(Open::Other),
    };
    let name = e.local_name();
    let name = name.as_ref().as_bytes();
    if name == b"node" {
        if depth > limits.max_depth {
            return Err(depth_limit(FORMAT, limits));
        }
        let mut item = Item {
            level: depth,
            topic: Topic::new(""),
            has_text: false,
            kind: TopicKind::Attached,
            sheet: None,
            arrows: Vec::new(),
            notes: Vec::new(),
        };
        for (key, value) in attributes(e, text, at, options, dropped)? {
            match key.as_str() {
                "TEXT" => {
                    item.topic.title = value.into();
                    item.has_text = true;
                }
                "ID" => item.topic.id = value.into(),
                "FOLDED" => item.topic.folded = value == "true",
                "LINK" if !value.is_empty() => {
                    let href = match value.strip_prefix('#') {
                        Some(id) => format!("xmind:#{id}"),
                        None => value,
                    };
                    item.topic.link = Some(Box::new(Link::new(href)));
                }
                _ => {}
            }
        }
        items.push(item);
        return Ok(Open::Node(items.len() - 1));
    }
    let Some(i) = parent else {
        return Ok(Open::Other);
    };
    let attrs = attributes(e, text, at, options, dropped)?;
    let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let item = &mut items[i];
    match name {
        b"richcontent" => {
            let kind = match get("TYPE") {
                Some("NODE") => Rich::Node,
                Some("NOTE") | Some("DETAILS") => Rich::Note,
                _ => Rich::Other,
            };
            return Ok(Open::Rich(i, kind, 0));
        }
        b"icon" => {
            if let Some(icon) = get("BUILTIN").filter(|v| !v.is_empty()) {
                match marker_of_icon(icon) {
                    Some(m) => item.topic.markers.push(m.to_string()),
                    None => item.topic.labels.push(icon.to_string()),
                }
            }
        }
        b"arrowlink" => {
            if let Some(dest) = get("DESTINATION").filter(|v| !v.is_empty()) {
                let label = get("MIDDLE_LABEL").unwrap_or_default().to_string();
                item.arrows.push((dest.to_string(), label));
            }
        }
        b"cloud" => item.topic.boundaries.push(Boundary {
            id: String::new(),
            range: BoundaryRange::Master,
            title: String::new(),
        }),
        b"attribute" => {
            let name = get("NAME").unwrap_or_default();
            let value = get("VALUE").unwrap_or_default().to_string();
            attribute(item, name, value);
        }
        _ => {}
    }
    Ok(Open::Other)
}

/// Takes one `<attribute NAME VALUE>`: the names our writer uses go back where they came from.
fn attribute(item: &mut Item, name: &str, value: String) {
    let t = &mut item.topic;
    match name {
        "sheet" => item.sheet = Some(value),
        "type" if value == "floating" => item.kind = TopicKind::Floating,
        "type" if value == "summary" => item.kind = TopicKind::Summary,
        "type" if value == "callout" => item.kind = TopicKind::Callout,
        "label" => t.labels.push(value),
        "marker" => {
            let id = crate::markers::from_word(&value).unwrap_or(value);
            t.markers.push(id);
        }
        "link" if t.link.is_none() && !value.starts_with('→') => {
            t.link = Some(Box::new(Link::new(value)))
        }
        "image" if t.image.is_none() => {
            t.image = Some(Box::new(Image {
                src: value,
                width: None,
                height: None,
            }))
        }
        "comment" => t.comments.push(Comment {
            author: String::new(),
            time: None,
            content: value,
        }),
        // Our writer's text forms of boundaries, summaries and relationships it could not write
        // as FreeMind elements: there is no telling their ranges and ends back from them.
        "boundary" | "summary" | "summary of" | "relationship" | "link" | "image" | "type" => {}
        _ => t.labels.push(format!("{name}: {value}")),
    }
}

/// The attributes of `e`, values normalised as XML says, cleaned of characters XML cannot carry,
/// within `--max-text`.
fn attributes(
    e: &BytesStart,
    text: &str,
    at: usize,
    options: &ReadOptions,
    dropped: &mut bool,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| syntax(FORMAT, text, at, err.to_string()))?;
        let value = attribute_value(&a, FORMAT, text, at)?;
        if value.len() > options.limits.max_text {
            return Err(text_limit(FORMAT, &options.limits));
        }
        let (value, bad) = clean(&value);
        *dropped |= bad;
        let key = a.key.local_name().as_ref().to_string();
        out.push((key, value));
    }
    Ok(out)
}

/// The marker id our FreeMind writer writes as icon `name` (its table inverted; where several
/// markers share an icon, the first of them).
fn marker_of_icon(name: &str) -> Option<&'static str> {
    const MARKERS: &[&str] = &[
        "priority-1",
        "priority-2",
        "priority-3",
        "priority-4",
        "priority-5",
        "priority-6",
        "priority-7",
        "priority-8",
        "priority-9",
        "task-done",
        "symbol-wrong",
        "symbol-question",
        "symbol-exclam",
        "symbol-attention",
        "symbol-info",
        "symbol-no-entry",
        "other-lightbulb",
        "smiley-smile",
        "smiley-angry",
        "smiley-cry",
        "smiley-surprise",
        "smiley-boring",
        "flag-red",
        "flag-orange",
        "flag-yellow",
        "flag-green",
        "flag-blue",
        "flag-black",
        "star-yellow",
        "arrow-left",
        "arrow-right",
        "arrow-up",
        "arrow-down",
        "other-calendar",
        "other-clock",
        "c_symbol_hourglass",
        "other-email",
        "other-people",
        "other-bomb",
        "c_symbol_music",
        "c_symbol_pen",
    ];
    MARKERS
        .iter()
        .copied()
        .find(|m| crate::write::freemind::icon(m) == Some(name))
}

/// The text a browser shows for an HTML fragment: white space runs are one space, `<br>` and the
/// end of a block a line break, lines trimmed, blank lines at the start and end dropped; the
/// content of `head`, `style` and `script` is not text.
fn html_text(html: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut space = false;
    for token in Tokens::new(html, &["head", "style", "script", "title"]) {
        match token {
            Token::Text(t) => {
                // Collapse the source's white space, then decode (so that `&#160;` stays).
                for c in t.chars() {
                    if c.is_ascii_whitespace() {
                        space = true;
                    } else {
                        if space && !line.is_empty() {
                            line.push(' ');
                        }
                        space = false;
                        line.push(c);
                    }
                }
            }
            Token::Tag(tag) => {
                let block = matches!(
                    tag.name.as_str(),
                    "p" | "div"
                        | "li"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "tr"
                        | "blockquote"
                        | "ul"
                        | "ol"
                        | "table"
                        | "pre"
                );
                if tag.name == "br" || (tag.closing && block) {
                    lines.push(std::mem::take(&mut line));
                    space = false;
                }
            }
        }
    }
    lines.push(line);
    // A block closing right after another (`</li></ul>`) ends no extra line.
    let mut out: Vec<String> = Vec::new();
    for l in lines {
        let l = decode_entities(&l).into_owned();
        out.push(l);
    }
    let first = out.iter().position(|l| !l.trim().is_empty());
    let last = out.iter().rposition(|l| !l.trim().is_empty());
    match (first, last) {
        (Some(a), Some(b)) => out[a..=b].join("\n"),
        _ => String::new(),
    }
}

/// The content of the `<body>` of an HTML document, or the whole fragment.
fn body_of(html: &str) -> &str {
    let lower = html.to_ascii_lowercase();
    let start = lower
        .find("<body")
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1));
    let end = lower.rfind("</body");
    match (start, end) {
        (Some(s), Some(e)) if s <= e => html[s..e].trim(),
        _ => html.trim(),
    }
}

/// Builds the sheets from the nodes in document order.
fn build(items: Vec<Item>, options: &ReadOptions) -> Document {
    let tops = items.iter().filter(|i| i.level == 0).count();
    // Our writer's form of several sheets: a root whose children are each a sheet's root with an
    // attribute `sheet`.
    let sheet_roots: Vec<&Item> = items.iter().filter(|i| i.level == 1).collect();
    let several = tops == 1
        && sheet_roots.len() > 1
        && sheet_roots.iter().all(|i| i.sheet.is_some())
        && items.iter().skip(1).all(|i| i.level >= 1);
    let mut groups: Vec<(String, Vec<Item>)> = Vec::new();
    let mut iter = items.into_iter();
    if several {
        iter.next();
        for mut item in iter {
            if item.level == 1 {
                groups.push((item.sheet.take().unwrap_or_default(), Vec::new()));
            }
            item.level -= 1;
            groups.last_mut().expect("a sheet first").1.push(item);
        }
    } else {
        groups.push((String::new(), iter.collect()));
    }
    let mut doc = Document::default();
    let mut n_rel = 0;
    for (title, mut items) in groups {
        let tops = items.iter().filter(|i| i.level == 0).count();
        // One node at the top is the root; several (not FreeMind's form) hang under a root named
        // after the file; none is an empty map.
        let (root, shift) = if tops == 1 && items.first().is_some_and(|i| i.level == 0) {
            (items.remove(0), 0)
        } else {
            let name = options.name.clone().unwrap_or_default();
            let mut root = new_item(0, name);
            root.kind = TopicKind::Root;
            (root, 1)
        };
        let mut relationships = Vec::new();
        let mut all = vec![root];
        all.extend(items);
        let mut outline = None;
        for (k, mut item) in all.into_iter().enumerate() {
            finish_notes(&mut item);
            if !item.arrows.is_empty() && item.topic.id.is_empty() {
                item.topic.id = format!("_node{k}").into();
            }
            for (dest, label) in item.arrows.drain(..) {
                n_rel += 1;
                relationships.push(Relationship {
                    id: format!("arrowlink-{n_rel}"),
                    end1: item.topic.id.to_string(),
                    end2: dest,
                    title: label,
                    ..Relationship::default()
                });
            }
            match &mut outline {
                None => outline = Some(Outline::new(item.topic)),
                Some(o) => {
                    o.push_as(item.level + shift, item.kind, item.topic);
                }
            }
        }
        let mut sheet = outline.expect("a root").sheet;
        sheet.title = title;
        sheet.relationships = relationships;
        doc.sheets.push(sheet);
    }
    doc
}

fn new_item(level: usize, title: String) -> Item {
    Item {
        level,
        topic: Topic::new(title),
        has_text: true,
        kind: TopicKind::Attached,
        sheet: None,
        arrows: Vec::new(),
        notes: Vec::new(),
    }
}

/// Joins a node's NOTE and DETAILS into its note.
fn finish_notes(item: &mut Item) {
    let notes: Vec<(String, String)> = std::mem::take(&mut item.notes)
        .into_iter()
        .filter(|(plain, _)| !plain.trim().is_empty())
        .collect();
    if notes.is_empty() {
        return;
    }
    let plain: Vec<&str> = notes.iter().map(|(p, _)| p.as_str()).collect();
    let html: String = notes.iter().map(|(_, h)| h.as_str()).collect();
    item.topic.notes = Some(Box::new(Notes {
        plain: plain.join("\n\n").into(),
        html: Some(html.into()),
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TopicId;

    fn titles(doc: &Document) -> Vec<(usize, String)> {
        let s = &doc.sheets[0];
        let mut out = Vec::new();
        s.walk(TopicId::ROOT, |id, d| {
            out.push((d, s.topic(id).title.to_string()));
            true
        });
        out
    }

    fn read_str(s: &str) -> Result<Document> {
        read(s.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn nodes_nest_with_their_extras() {
        let mm = r##"<map version="1.0.1"><!-- c --><node ID="ID_r" TEXT="Root &amp; co">
<node ID="ID_a" TEXT="a" FOLDED="true" LINK="https://x.org/?a=1&amp;b=2"><icon BUILTIN="full-2"/><icon BUILTIN="password"/>
<attribute NAME="label" VALUE="x"/><attribute NAME="marker" VALUE="50%"/><attribute NAME="owner" VALUE="me"/>
<richcontent TYPE="NOTE"><html><head><style>p {}</style></head><body><p>n1</p><p>&lt;n2&gt;</p></body></html></richcontent>
<node ID="ID_b" LINK="#ID_a"><richcontent TYPE="NODE"><html><head></head><body>
  <p>
    line <b>one</b>
  </p>
  <p>two&#160;x</p></body></html></richcontent><arrowlink DESTINATION="ID_r" MIDDLE_LABEL="up"/><cloud/></node>
</node></node></map>"##;
        let doc = read_str(mm).unwrap();
        assert_eq!(
            titles(&doc),
            [
                (0, "Root & co".into()),
                (1, "a".into()),
                (2, "line one\ntwo\u{a0}x".into())
            ]
        );
        let s = &doc.sheets[0];
        let a = s.topic(s.root().children[0]);
        assert!(a.folded);
        assert_eq!(a.link.as_ref().unwrap().href, "https://x.org/?a=1&b=2");
        assert_eq!(a.markers, ["priority-2", "task-half"]);
        assert_eq!(a.labels, ["password", "x", "owner: me"]);
        let note = a.notes.as_deref().unwrap();
        assert_eq!(note.plain, "n1\n<n2>");
        assert_eq!(note.html.as_deref().unwrap(), "<p>n1</p><p>&lt;n2&gt;</p>");
        let b = s.topic(a.children[0]);
        assert_eq!(
            b.link.as_ref().unwrap().target.unwrap().topic,
            s.root().children[0]
        );
        assert_eq!(b.boundaries.len(), 1);
        assert_eq!(s.relationships.len(), 1);
        assert_eq!(s.relationships[0].to, Some(TopicId::ROOT));
        assert_eq!(s.relationships[0].title, "up");
    }

    #[test]
    fn nodes_outside_the_tree_are_not_topics() {
        let mm = r#"<map><node TEXT="R"><hook NAME="MapStyle"><map_styles><stylenode><node TEXT="no"/></stylenode></map_styles></hook><node TEXT="c"/></node></map>"#;
        assert_eq!(
            titles(&read_str(mm).unwrap()),
            [(0, "R".into()), (1, "c".into())]
        );
    }

    #[test]
    fn entities_and_bad_xml_are_refused_with_a_position() {
        let xxe = "<!DOCTYPE map [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<map><node TEXT=\"&x;\"/></map>";
        let err = read_str(xxe).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let lol = "<!DOCTYPE map [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<map><node TEXT=\"x\">&b;</node></map>";
        let err = read_str(lol).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        let bad = "<map>\n<node TEXT=\"a\">\n</map>";
        let err = read_str(bad).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        let err = read_str("<opml/>").unwrap_err();
        assert!(err.to_string().contains("not <map>"), "{err}");
    }

    #[test]
    fn deep_maps_read_without_the_stack() {
        let n = 100_000;
        let mut s = String::from("<map>");
        for i in 0..n {
            s.push_str(&format!("<node TEXT=\"{i}\">"));
        }
        s.push_str(&"</node>".repeat(n));
        s.push_str("</map>");
        let doc = read_str(&s).unwrap();
        assert_eq!(doc.sheets[0].topics.len(), n);
        let mut opts = ReadOptions::default();
        opts.limits.max_depth = 10;
        assert!(read(s.as_bytes(), &opts).is_err());
    }
}
