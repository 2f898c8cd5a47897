//! content.xml reader (XMind 3 to XMind 8, format 2.0), plus comments.xml and
//! markers/markerSheet.xml: one pass over quick-xml events with an explicit stack of open
//! elements, so nesting depth costs heap, never the thread's stack.
//!
//! Elements are matched by local name (`xhtml:img` and `img` alike), as third-party writers vary the
//! prefixes. No DTD is processed: an entity other than the five predefined ones and character
//! references is an error, so external entities and "billion laughs" are never expanded.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use super::super::clean::{clean, clean_owned, clean_text, dimension, may_need_clean, parse_range};
use super::finish::SheetBuilder;
use super::xmlscan::{Scanner, Token, find_byte};
use crate::error::{Error, Result};
use crate::model::{Comment, Document, Image, Link, Notes, Relationship, Text, TopicId, TopicKind};
use crate::read::Limits;
use crate::xml::{self as markup, TEXT};

/// Deepest nesting of elements kept inside a rich note; deeper ones are skipped.
const MAX_HTML_NESTING: usize = 256;

/// What an open element is, for the elements this reader descends into.
enum Frame {
    /// `<xmap-content>` or an unknown root: look for sheets inside.
    Doc,
    Sheet,
    Topic {
        id: TopicId,
        depth: usize,
    },
    Children {
        topic: TopicId,
        depth: usize,
    },
    Topics {
        parent: TopicId,
        kind: TopicKind,
        depth: usize,
    },
    Notes(TopicId),
    /// `<notes><html>` and the elements inside it.
    Html,
    HtmlTag(&'static str),
    Labels(TopicId),
    MarkerRefs(TopicId),
    Boundaries(TopicId),
    Boundary,
    Summaries(TopicId),
    Relationships,
    Relationship,
    /// An element whose text is being collected.
    Text(Target),
}

#[derive(Clone, Copy)]
enum Target {
    TopicTitle(TopicId),
    SheetTitle,
    Label(TopicId),
    Plain,
    BoundaryTitle,
    RelationshipTitle,
}

struct Parser<'a, 'l> {
    entry: &'a str,
    limits: &'l Limits,
    src: Src<'a>,
    doc: Document,
    b: Option<SheetBuilder>,
    /// Text of the element being collected.
    buf: String,
    /// A text run with references, decoded before it goes into a rich note.
    scratch: String,
    /// Notes being read: plain text, HTML, and plain text derived from the HTML paragraphs.
    note_plain: Option<String>,
    note_html: String,
    note_html_text: String,
    /// A `<boundary>` being read: owner, range, title.
    /// Owner, id, range and title of the boundary being read.
    boundary: Option<(TopicId, String, String, String)>,
    saw_doctype: bool,
    /// Open elements inside `<notes><html>`; deeper than [`MAX_HTML_NESTING`] is skipped.
    html_depth: usize,
    dropped_controls: usize,
    root_name: Option<String>,
    /// No text of this document needs [`clean`] (see [`parse`]): titles are kept as decoded.
    plain: bool,
}

/// A result of the per-event functions: the error boxed, so that what every event returns stays
/// small (an [`Error`] is several strings wide).
type Step<T> = std::result::Result<T, Box<Error>>;

/// Where the events come from: [`Scanner`] first, quick-xml when it declines.
enum Src<'a> {
    Fast(Scanner<'a>),
    Quick(Reader<&'a [u8]>),
}

pub(super) fn parse(text: &str, entry: &str, limits: &Limits) -> Result<Document> {
    // The scanner declines anything unusual, and any error at all is found again, and
    // reported, by quick-xml: the result is always the one quick-xml's events give.
    // With no character reference (`&#13;` is a CR, `&#8;` a control) and nothing `clean`
    // would change anywhere in the document, no text decoded from it needs cleaning either
    // (the five named entities are plain characters).
    let plain =
        !may_need_clean(text.as_bytes()) && memchr::memmem::find(text.as_bytes(), b"&#").is_none();
    if let Ok(scanner) = Scanner::new(text) {
        if let Ok(doc) = parse_with(Src::Fast(scanner), entry, limits, plain) {
            return Ok(doc);
        }
    }
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    parse_with(Src::Quick(reader), entry, limits, plain)
}

fn parse_with(src: Src<'_>, entry: &str, limits: &Limits, plain: bool) -> Result<Document> {
    let mut p = Parser::new(src, entry, limits);
    p.plain = plain;
    p.run().map_err(|e| *e)?;
    if p.doc.sheets.is_empty() {
        if let Some(root) = p.root_name.filter(|r| r != "xmap-content") {
            return Err(Error::invalid(
                entry,
                format!("the root element is <{root}>, not <xmap-content>: not an XMind 3-8 map"),
            ));
        }
    }
    if p.dropped_controls > 0 {
        p.doc.warnings.push(format!(
            "{entry}: characters XML 1.0 cannot carry were removed from {} texts",
            p.dropped_controls
        ));
    }
    Ok(p.doc)
}

impl<'a, 'l> Parser<'a, 'l> {
    fn new(src: Src<'a>, entry: &'a str, limits: &'l Limits) -> Parser<'a, 'l> {
        Parser {
            entry,
            limits,
            src,
            doc: Document::default(),
            b: None,
            buf: String::new(),
            scratch: String::new(),
            note_plain: None,
            note_html: String::new(),
            note_html_text: String::new(),
            boundary: None,
            saw_doctype: false,
            html_depth: 0,
            dropped_controls: 0,
            root_name: None,
            plain: false,
        }
    }
    fn xml_error(&self, message: impl std::fmt::Display) -> Error {
        let offset = match &self.src {
            Src::Quick(r) => r.buffer_position(),
            Src::Fast(_) => 0,
        };
        Error::Xml {
            entry: self.entry.to_string(),
            offset,
            message: message.to_string(),
        }
    }

    /// The error that sends the document to quick-xml; never reported.
    fn declined(&self) -> Error {
        self.xml_error("declined by the fast scanner")
    }

    /// The next event: from the scanner, or quick-xml's, in the scanner's terms.
    /// The next event. The scanner decodes a text run straight into the buffer the frame on top
    /// collects into, and only checks it when no frame collects it.
    fn next_event(&mut self, top: Option<&Frame>) -> Step<Token<'a>> {
        let reader = match &mut self.src {
            Src::Fast(s) => {
                let sink = match top {
                    Some(Frame::Text(_)) => Some(&mut self.buf),
                    Some(Frame::Html | Frame::HtmlTag(_)) => {
                        self.scratch.clear();
                        Some(&mut self.scratch)
                    }
                    _ => None,
                };
                return s.next(sink).map_err(|_| self.declined().into());
            }
            Src::Quick(r) => r,
        };
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                return Err(Box::new(Error::Xml {
                    entry: self.entry.to_string(),
                    offset: reader.error_position(),
                    message: e.to_string(),
                }));
            }
        };
        Ok(match event {
            Event::Start(e) => Token::Start(e),
            Event::Empty(e) => Token::Empty(e),
            Event::End(_) => Token::End,
            Event::Text(t) => Token::Decoded(t.xml10_content()),
            Event::CData(t) => Token::Decoded(t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => Token::Decoded(Cow::Owned(c.to_string())),
                Ok(None) => match resolve_predefined_entity(&r) {
                    Some(s) => Token::Decoded(Cow::Borrowed(s)),
                    None => {
                        let why = if self.saw_doctype {
                            "; entities declared in a DTD are never expanded"
                        } else {
                            ""
                        };
                        return Err(self
                            .xml_error(format!("undefined entity &{};{why}", &*r))
                            .into());
                    }
                },
                Err(e) => return Err(self.xml_error(e).into()),
            },
            Event::DocType(_) => Token::DocType,
            Event::Eof => Token::Eof,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => Token::Other,
        })
    }

    /// Right after the start tag of a text element: with the scanner, its text (into `buf`) and,
    /// when it comes next as `</name>`, its end tag; true when the end tag was read. quick-xml's
    /// events go through [`Parser::run`] one by one.
    fn text_and_end(&mut self) -> Step<bool> {
        match &mut self.src {
            Src::Fast(s) => s
                .text_and_end(&mut self.buf)
                .map_err(|_| self.declined().into()),
            Src::Quick(_) => Ok(false),
        }
    }

    /// Skips the rest of the element `e` just opened, however deep.
    fn skip(&mut self, e: &BytesStart) -> Step<()> {
        match &mut self.src {
            Src::Fast(s) => s.skip().map_err(|_| self.declined().into()),
            Src::Quick(r) => {
                let end = e.to_end().into_owned();
                r.read_to_end(end.name())
                    .map(|_| ())
                    .map_err(|err| self.xml_error(err).into())
            }
        }
    }

    fn run(&mut self) -> Step<()> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            match self.next_event(stack.last())? {
                Token::Start(e) => match self.open(stack.last(), &e, false)? {
                    // A text element, nearly always `<title>text</title>`: its text and its end
                    // tag read at once, as the next two tokens would give them.
                    Some(frame @ Frame::Text(_)) => {
                        if self.text_and_end()? {
                            self.close(frame)?;
                        } else {
                            stack.push(frame);
                        }
                    }
                    Some(frame) => stack.push(frame),
                    // Not needed: skip the whole element, however deep.
                    None => self.skip(&e)?,
                },
                Token::Empty(e) => {
                    if let Some(frame) = self.open(stack.last(), &e, true)? {
                        self.close(frame)?;
                    }
                }
                Token::End => {
                    if let Some(frame) = stack.pop() {
                        self.close(frame)?;
                    }
                }
                Token::Text => {
                    // Already in `buf`; a rich note's text is escaped into the HTML here.
                    if let Some(Frame::Html | Frame::HtmlTag(_)) = stack.last() {
                        let s = std::mem::take(&mut self.scratch);
                        self.push_text(stack.last(), &s);
                        self.scratch = s;
                    }
                }
                Token::Decoded(s) => {
                    if collecting(stack.last()) {
                        self.push_text(stack.last(), &s);
                    }
                }
                Token::DocType => self.saw_doctype = true,
                Token::Eof => {
                    if !stack.is_empty() || self.b.is_some() {
                        return Err(self
                            .xml_error("unexpected end of the document: elements left open")
                            .into());
                    }
                    break;
                }
                Token::Other => {}
            }
        }
        Ok(())
    }

    fn push_text(&mut self, top: Option<&Frame>, s: &str) {
        match top {
            Some(Frame::Html | Frame::HtmlTag(_)) => {
                markup::escape_into(&mut self.note_html, s, TEXT);
                self.note_html_text.push_str(s);
            }
            _ => self.buf.push_str(s),
        }
    }

    /// [`Parser::take_text`] straight into the model's [`Text`] (a short title needs no
    /// allocation of its own), with no scan at all when the document is plain.
    fn take_model_text(&mut self) -> Result<Text> {
        self.check_text_length()?;
        let text = if self.plain {
            Text::from(self.buf.as_str())
        } else {
            let (s, dropped) = clean_text(&self.buf);
            self.dropped_controls += dropped as usize;
            s
        };
        self.buf.clear();
        Ok(text)
    }

    fn check_text_length(&self) -> Result<()> {
        if self.buf.len() > self.limits.max_text {
            return Err(Error::Limit {
                entry: self.entry.to_string(),
                what: "length of a text",
                limit: super::archive::format_bytes(self.limits.max_text as u64),
                option: "--max-text",
            });
        }
        Ok(())
    }

    fn take_text(&mut self) -> Result<String> {
        if self.buf.len() > self.limits.max_text {
            return Err(Error::Limit {
                entry: self.entry.to_string(),
                what: "length of a text",
                limit: super::archive::format_bytes(self.limits.max_text as u64),
                option: "--max-text",
            });
        }
        let (s, dropped) = clean(&self.buf);
        self.dropped_controls += dropped as usize;
        self.buf.clear();
        Ok(s)
    }

    fn builder(&mut self) -> &mut SheetBuilder {
        self.b.get_or_insert_with(SheetBuilder::default)
    }

    /// Decides what a start tag is in its context; `None` means skip it.
    fn open(&mut self, top: Option<&Frame>, e: &BytesStart, empty: bool) -> Step<Option<Frame>> {
        let name: &[u8] = local(e.name().0).as_bytes();
        let frame = match (top, name) {
            (None, _) => {
                self.root_name = Some(String::from_utf8_lossy(name).into_owned());
                if name == b"sheet" {
                    self.start_sheet(e)?;
                    Frame::Sheet
                } else {
                    Frame::Doc
                }
            }
            (Some(Frame::Doc), b"sheet") => {
                self.start_sheet(e)?;
                Frame::Sheet
            }
            (Some(Frame::Sheet), b"topic") if !self.builder().has_root() => {
                let id = self.builder().new_topic(None, TopicKind::Root);
                self.topic_attributes(e, id)?;
                Frame::Topic { id, depth: 0 }
            }
            (Some(Frame::Sheet), b"title") => Frame::Text(Target::SheetTitle),
            (Some(Frame::Sheet), b"relationships") => Frame::Relationships,
            (Some(Frame::Relationships), b"relationship") => {
                let mut rel = Relationship::default();
                for (k, v) in self.attributes(e)? {
                    match k.as_str() {
                        "id" => rel.id = v,
                        "end1" => rel.end1 = v,
                        "end2" => rel.end2 = v,
                        _ => {}
                    }
                }
                self.builder().sheet.relationships.push(rel);
                Frame::Relationship
            }
            (Some(Frame::Relationship), b"title") => Frame::Text(Target::RelationshipTitle),
            (Some(&Frame::Topic { id, depth }), _) => match name {
                b"title" => Frame::Text(Target::TopicTitle(id)),
                b"children" => Frame::Children { topic: id, depth },
                b"notes" => {
                    self.note_plain = None;
                    self.note_html.clear();
                    self.note_html_text.clear();
                    Frame::Notes(id)
                }
                b"labels" => Frame::Labels(id),
                b"marker-refs" => Frame::MarkerRefs(id),
                b"boundaries" => Frame::Boundaries(id),
                b"summaries" => Frame::Summaries(id),
                b"img" => {
                    let mut img = Image::default();
                    for (k, v) in self.attributes(e)? {
                        match k.as_str() {
                            "src" => img.src = v,
                            "width" => img.width = dimension(&v),
                            "height" => img.height = dimension(&v),
                            _ => {}
                        }
                    }
                    if !img.src.is_empty() {
                        self.builder().topic(id).image = Some(Box::new(img));
                    }
                    return Ok(None);
                }
                _ => return Ok(None),
            },
            (Some(&Frame::Children { topic, depth }), b"topics") => {
                // As `attributes` has them, without making strings: a value with nothing to
                // normalise or clean is taken as it is.
                let mut kind = TopicKind::Attached;
                self.each_attribute(e, |p, key, value| {
                    let kind_of = |v: &str| match v {
                        "detached" => TopicKind::Floating,
                        "summary" => TopicKind::Summary,
                        "callout" => TopicKind::Callout,
                        // "attached", a missing type (hand-made files), and unknown types.
                        _ => TopicKind::Attached,
                    };
                    let is_type = local(key) == "type";
                    if value.bytes().all(|b| VALUE_CLASS[b as usize] == 0) {
                        if is_type {
                            kind = kind_of(value);
                        }
                        return Ok(());
                    }
                    let value = p.normalized(value)?;
                    let (value, dropped) = clean(&value);
                    p.dropped_controls += dropped as usize;
                    if is_type {
                        kind = kind_of(&value);
                    }
                    Ok(())
                })?;
                Frame::Topics {
                    parent: topic,
                    kind,
                    depth,
                }
            }
            (
                Some(&Frame::Topics {
                    parent,
                    kind,
                    depth,
                }),
                b"topic",
            ) => {
                let depth = depth + 1;
                if depth > self.limits.max_depth {
                    return Err(Box::new(Error::Limit {
                        entry: self.entry.to_string(),
                        what: "nesting depth of topics",
                        limit: format!("{} levels", self.limits.max_depth),
                        option: "--max-depth",
                    }));
                }
                let id = self.builder().new_topic(Some(parent), kind);
                self.topic_attributes(e, id)?;
                Frame::Topic { id, depth }
            }
            (Some(Frame::Notes(_)), b"plain") => Frame::Text(Target::Plain),
            (Some(Frame::Notes(_)), b"html") => Frame::Html,
            (Some(Frame::Html | Frame::HtmlTag(_)), _) if self.html_depth < MAX_HTML_NESTING => {
                let tag = html_tag(name);
                if tag == "img" || tag == "a" {
                    let attrs = self.attributes(e)?;
                    let url = attrs
                        .iter()
                        .find(|(k, _)| k == "src" || k == "href")
                        .map(|(_, v)| v.as_str())
                        .unwrap_or("");
                    let attr = if tag == "img" { "src" } else { "href" };
                    self.note_html.push_str(&format!("<{tag} {attr}=\""));
                    markup::escape_into(&mut self.note_html, url, TEXT);
                    self.note_html.push_str("\">");
                } else if tag == "br" {
                    self.note_html.push_str("<br>");
                    self.note_html_text.push('\n');
                } else if !tag.is_empty() {
                    if tag == "p" && !self.note_html.is_empty() {
                        self.note_html_text.push('\n');
                    }
                    self.note_html.push_str(&format!("<{tag}>"));
                }
                if empty && tag == "p" {
                    self.note_html.push_str("</p>");
                    return Ok(None);
                }
                self.html_depth += 1;
                Frame::HtmlTag(tag)
            }
            (Some(&Frame::Labels(id)), b"label") => Frame::Text(Target::Label(id)),
            (Some(&Frame::MarkerRefs(id)), b"marker-ref") => {
                let [marker] = self.wanted_attributes(e, ["marker-id"])?;
                if let Some(v) = marker.filter(|v| !v.is_empty()) {
                    self.builder().topic(id).markers.push(v);
                }
                return Ok(None);
            }
            (Some(&Frame::Boundaries(id)), b"boundary") => {
                let (mut bid, mut range) = (String::new(), String::new());
                for (k, v) in self.attributes(e)? {
                    match k.as_str() {
                        "id" => bid = v,
                        "range" => range = v,
                        _ => {}
                    }
                }
                self.boundary = Some((id, bid, range, String::new()));
                Frame::Boundary
            }
            (Some(Frame::Boundary), b"title") => Frame::Text(Target::BoundaryTitle),
            (Some(&Frame::Summaries(id)), b"summary") => {
                let (mut range, mut topic) = (String::new(), String::new());
                for (k, v) in self.attributes(e)? {
                    match k.as_str() {
                        "range" => range = v,
                        "topic-id" => topic = v,
                        _ => {}
                    }
                }
                self.builder().summary(id, topic, parse_range(&range));
                return Ok(None);
            }
            _ => return Ok(None),
        };
        Ok(Some(frame))
    }

    /// An element ends (or was empty): store what it collected.
    fn close(&mut self, frame: Frame) -> Step<()> {
        match frame {
            Frame::Sheet => {
                let b = self.b.take().unwrap_or_default();
                let sheet = b.finish(&mut self.doc.warnings);
                self.doc.sheets.push(sheet);
            }
            Frame::Text(Target::TopicTitle(id)) => {
                let title = self.take_model_text()?;
                self.builder().topic(id).title = title;
            }
            Frame::Text(target) => {
                let text = self.take_text()?;
                match target {
                    Target::TopicTitle(_) => unreachable!("handled above"),
                    Target::SheetTitle => self.builder().sheet.title = text,
                    Target::Label(id) => self.builder().topic(id).labels.push(text),
                    Target::Plain => self.note_plain = Some(text),
                    Target::BoundaryTitle => {
                        if let Some(b) = &mut self.boundary {
                            b.3 = text;
                        }
                    }
                    Target::RelationshipTitle => {
                        if let Some(r) = self.builder().sheet.relationships.last_mut() {
                            r.title = text;
                        }
                    }
                }
            }
            Frame::Boundary => {
                if let Some((owner, bid, range, title)) = self.boundary.take() {
                    self.builder()
                        .boundary(owner, bid, parse_range(&range), title);
                }
            }
            Frame::HtmlTag(tag) => {
                self.html_depth -= 1;
                if !tag.is_empty() && tag != "br" && tag != "img" {
                    self.note_html.push_str(&format!("</{tag}>"));
                }
            }
            Frame::Notes(id) => {
                let html = std::mem::take(&mut self.note_html);
                let derived = std::mem::take(&mut self.note_html_text);
                let plain = match self.note_plain.take() {
                    Some(p) => p,
                    None => {
                        self.buf = derived;
                        self.take_text()?
                    }
                };
                let html = (!html.is_empty()).then_some(html);
                if !plain.is_empty() || html.is_some() {
                    let notes = Notes {
                        plain: plain.into(),
                        html: html.map(Into::into),
                    };
                    self.builder().topic(id).notes = Some(Box::new(notes));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn start_sheet(&mut self, e: &BytesStart) -> Result<()> {
        let mut b = SheetBuilder::default();
        for (k, v) in self.attributes(e)? {
            if k == "id" {
                b.sheet.id = v;
            }
        }
        self.b = Some(b);
        Ok(())
    }

    /// A topic's `id`, `xlink:href` and `branch`. Nearly always every value is plain (nothing
    /// to normalise, nothing [`clean`] changes) and few: then they are split once and taken as
    /// they are; anything else goes the general way, [`Parser::wanted_attributes`].
    fn topic_attributes(&mut self, e: &BytesStart, id: TopicId) -> Result<()> {
        const FEW: usize = 8;
        let mut few: [&str; FEW] = [""; FEW];
        let mut n = 0;
        let (mut tid, mut href, mut branch) = (None, None, None);
        let mut attrs = RawAttributes {
            s: e,
            i: e.name().0.len(),
        };
        while let Some(a) = attrs.next() {
            let Some((key, value)) = a else {
                return self.topic_attributes_in_general(e, id);
            };
            if n == FEW
                || few[..n].contains(&key)
                || value.bytes().any(|b| VALUE_CLASS[b as usize] != 0)
            {
                return self.topic_attributes_in_general(e, id);
            }
            few[n] = key;
            n += 1;
            match local(key).as_bytes() {
                b"id" => tid = Some(value),
                b"href" => href = Some(value),
                b"branch" => branch = Some(value),
                _ => {}
            }
        }
        let t = self.builder().topic(id);
        if let Some(v) = tid {
            t.id = v.into();
        }
        if let Some(v) = href.filter(|v| !v.trim().is_empty()) {
            t.link = Some(Box::new(Link::new(v)));
        }
        if let Some(v) = branch {
            t.folded = v == "folded";
        }
        Ok(())
    }

    #[cold]
    fn topic_attributes_in_general(&mut self, e: &BytesStart, id: TopicId) -> Result<()> {
        let [tid, href, branch] = self.wanted_attributes(e, ["id", "href", "branch"])?;
        let t = self.builder().topic(id);
        if let Some(v) = tid {
            t.id = v.into();
        }
        if let Some(v) = href.filter(|v| !v.trim().is_empty()) {
            t.link = Some(Box::new(Link::new(v)));
        }
        if let Some(v) = branch {
            t.folded = v == "folded";
        }
        Ok(())
    }

    /// The values of the attributes with these local names, unescaped and cleaned, as
    /// [`Parser::attributes`] gives them, without making strings for the others (`timestamp`
    /// and the like). The others are still checked the same way: a malformed attribute or an
    /// undefined entity is an error, and a control character counts as dropped.
    fn wanted_attributes<const N: usize>(
        &mut self,
        e: &BytesStart,
        names: [&str; N],
    ) -> Result<[Option<String>; N]> {
        let mut out = std::array::from_fn(|_| None);
        self.each_attribute(e, |p, key, value| {
            let wanted = names.iter().position(|n| *n == local(key));
            let class = value.bytes().fold(0, |c, b| c | VALUE_CLASS[b as usize]);
            if wanted.is_none() && class & NORMALIZED_REF == 0 {
                // Normalising only turns tab, CR and LF into spaces: nothing to check or keep.
                p.dropped_controls += (class & DROPPED != 0) as usize;
                return Ok(());
            }
            if let (Some(i), 0) = (wanted, class) {
                // Nothing to normalise and nothing `clean` changes: the value as it is.
                out[i] = Some(value.to_string());
                return Ok(());
            }
            let value = p.normalized(value)?;
            match wanted {
                Some(i) => {
                    let (value, dropped) = clean_owned(value.into_owned());
                    p.dropped_controls += dropped as usize;
                    out[i] = Some(value);
                }
                None => p.dropped_controls += value.bytes().any(is_dropped) as usize,
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Attributes by local name, values unescaped and cleaned.
    fn attributes(&mut self, e: &BytesStart) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        self.each_attribute(e, |p, key, value| {
            let value = p.normalized(value)?;
            let (value, dropped) = clean(&value);
            p.dropped_controls += dropped as usize;
            out.push((local(key).to_string(), value));
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `f` with each attribute's name and raw value, in order. The attributes are split
    /// here (quick-xml's iterator goes byte by byte and allocates for every element to check
    /// that no name comes twice); anything malformed, or a name that comes twice, makes quick-xml
    /// read them again, so that the error is exactly the one it gives.
    fn each_attribute<'e>(
        &mut self,
        e: &'e BytesStart,
        mut f: impl FnMut(&mut Self, &'e str, &Cow<'e, str>) -> Result<()>,
    ) -> Result<()> {
        const FEW: usize = 8;
        let mut few: [&str; FEW] = [""; FEW];
        let mut many: Option<HashSet<&str>> = None;
        let mut n = 0;
        let mut attrs = RawAttributes {
            s: e,
            i: e.name().0.len(),
        };
        while let Some(a) = attrs.next() {
            let Some((key, value)) = a else {
                return Err(self.first_attribute_error(e));
            };
            let repeated = match &mut many {
                None if n < FEW => {
                    let repeated = few[..n].contains(&key);
                    few[n] = key;
                    repeated
                }
                None => {
                    let set = many.insert(few.iter().copied().collect());
                    !set.insert(key)
                }
                Some(set) => !set.insert(key),
            };
            if repeated {
                return Err(self.first_attribute_error(e));
            }
            n += 1;
            f(self, key, &Cow::Borrowed(value))?;
        }
        Ok(())
    }

    /// The first error quick-xml finds in an element's attributes.
    #[cold]
    fn first_attribute_error(&self, e: &BytesStart) -> Error {
        match e.attributes().find_map(|a| a.err()) {
            Some(err) => self.xml_error(err),
            None => self.xml_error("malformed attributes"),
        }
    }

    /// An attribute value normalised as XML 1.0 says (references resolved; tab, CR and LF
    /// turned into spaces), borrowed when there is nothing to change.
    fn normalized<'v>(&self, value: &Cow<'v, str>) -> Result<Cow<'v, str>> {
        if !value
            .bytes()
            .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
        {
            return Ok(value.clone());
        }
        let a = Attribute {
            key: QName(""),
            value: value.clone(),
        };
        a.normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| self.xml_error(err))
    }
}

/// [`KEY_STOP`]: XML white space.
const WHITE: u8 = 1;

/// Bytes that end an attribute's name: XML white space ([`WHITE`]) and `=`.
const KEY_STOP: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = WHITE;
    t[b'\t' as usize] = WHITE;
    t[b'\r' as usize] = WHITE;
    t[b'\n' as usize] = WHITE;
    t[b'=' as usize] = 2;
    t
};

/// The attributes of a start tag (the text between `<` and `>`, from the end of the name), split
/// as quick-xml splits well-formed ones: `key="value"` or `key='value'`, with optional XML white
/// space around `=` and between attributes. `Some(None)`: malformed (quick-xml says how).
struct RawAttributes<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> RawAttributes<'a> {
    fn next(&mut self) -> Option<Option<(&'a str, &'a str)>> {
        let b = self.s.as_bytes();
        let white = |c: u8| KEY_STOP[c as usize] == WHITE;
        let mut i = self.i;
        while i < b.len() && white(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            self.i = b.len();
            return None;
        }
        // Malformed: stop here whatever comes next.
        self.i = b.len();
        // The first byte is the key's, even a `=`.
        let key_start = i;
        i += 1;
        while i < b.len() && KEY_STOP[b[i] as usize] == 0 {
            i += 1;
        }
        let key_end = i;
        while i < b.len() && white(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            return Some(None);
        }
        i += 1;
        while i < b.len() && white(b[i]) {
            i += 1;
        }
        let Some(&quote) = b.get(i).filter(|&&q| q == b'"' || q == b'\'') else {
            return Some(None);
        };
        let value_start = i + 1;
        let Some(value_end) = find_byte(b, value_start, quote) else {
            return Some(None);
        };
        // Every boundary is next to an ASCII byte, so these never fail.
        let key = self.s.get(key_start..key_end);
        let value = self.s.get(value_start..value_end);
        self.i = value_end + 1;
        Some(key.zip(value))
    }
}

/// The local part of a name (`xlink:href` → `href`): after the first colon, as quick-xml's
/// `QName::local_name` has it.
fn local(name: &str) -> &str {
    match name.bytes().position(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// [`VALUE_CLASS`]: a reference, which normalising resolves.
const NORMALIZED_REF: u8 = 1;
/// [`VALUE_CLASS`]: tab, CR or LF, which normalising turns into spaces.
const NORMALIZED_WHITE: u8 = 2;
/// [`VALUE_CLASS`]: a byte [`clean`] drops.
const DROPPED: u8 = 4;
/// [`VALUE_CLASS`]: the first byte of U+FFFE and U+FFFF (and of other characters), which
/// [`clean`] may drop.
const MAYBE_DROPPED: u8 = 8;

/// What each byte of an attribute value may need: an attribute value none of whose bytes has a
/// class is the same normalised and cleaned.
const VALUE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = DROPPED;
        b += 1;
    }
    t[b'\t' as usize] = NORMALIZED_WHITE;
    t[b'\n' as usize] = NORMALIZED_WHITE;
    t[b'\r' as usize] = NORMALIZED_WHITE;
    t[b'&' as usize] = NORMALIZED_REF;
    t[0xEF] = MAYBE_DROPPED;
    t
};

/// A byte [`clean`] drops (a C0 control other than tab, LF and CR, which it keeps or turns
/// into LF).
fn is_dropped(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')
}

fn collecting(top: Option<&Frame>) -> bool {
    matches!(top, Some(Frame::Text(_) | Frame::Html | Frame::HtmlTag(_)))
}

/// The HTML element written for an element inside `<notes><html>`; "" for unknown ones, whose
/// text is kept without a tag.
fn html_tag(name: &[u8]) -> &'static str {
    match name {
        b"p" => "p",
        b"span" => "span",
        b"a" => "a",
        b"img" => "img",
        b"br" => "br",
        b"strong" | b"b" => "strong",
        b"em" | b"i" => "em",
        b"u" => "u",
        b"ul" => "ul",
        b"ol" => "ol",
        b"li" => "li",
        b"div" => "div",
        _ => "",
    }
}

/// XMind's "Warning" map that the JSON generation writes as content.xml for old readers.
pub(super) fn is_warning_stub(doc: &Document) -> bool {
    let [sheet] = doc.sheets.as_slice() else {
        return false;
    };
    let root = sheet.root();
    root.id == "1vr0lcte2og4t2sopiogvdmifc"
        || sheet.id == "7abtd0ssc7n4pi1nu6i7b6lsdh"
        || (root.title.starts_with("Warning") && root.title.contains("警告"))
}

/// Reads comments.xml: the comments by the `object-id` of the topic they are on, in order.
/// [`super::finish::resolve`] attaches them, in the same pass over the topics as its joins.
pub(super) fn read_comments(text: &str, limits: &Limits) -> Result<HashMap<String, Vec<Comment>>> {
    let mut reader = Reader::from_str(text);
    let mut by_object: HashMap<String, Vec<Comment>> = HashMap::new();
    let mut current: Option<(String, Comment)> = None;
    let mut in_content = false;
    let mut buf = String::new();
    loop {
        let event = reader.read_event().map_err(|e| Error::Xml {
            entry: "comments.xml".into(),
            offset: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref().as_bytes() == b"comment" =>
            {
                let mut c = Comment::default();
                let mut object = String::new();
                for a in e.attributes().flatten() {
                    let v = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    match a.key.local_name().as_ref().as_bytes() {
                        b"author" => c.author = clean(&v).0,
                        b"object-id" => object = v,
                        b"time" => c.time = v.trim().parse().ok(),
                        _ => {}
                    }
                }
                current = Some((object, c));
            }
            Event::Start(e) if e.local_name().as_ref().as_bytes() == b"content" => {
                in_content = true;
                buf.clear();
            }
            Event::Text(t) if in_content => buf.push_str(&t.xml10_content()),
            Event::CData(t) if in_content => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_content => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else if let Some(s) = resolve_predefined_entity(&r) {
                    buf.push_str(s);
                }
            }
            Event::End(e) if e.local_name().as_ref().as_bytes() == b"content" => {
                in_content = false;
                if let Some((_, c)) = &mut current {
                    if buf.len() <= limits.max_text {
                        c.content = clean(&buf).0;
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref().as_bytes() == b"comment" => {
                if let Some((object, c)) = current.take() {
                    by_object.entry(object).or_default().push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(by_object)
}

/// Reads custom marker names from markers/markerSheet.xml (`name` is usually the image file
/// name; its extension is dropped).
pub(super) fn read_marker_sheet(doc: &mut Document, text: &str) {
    let mut reader = Reader::from_str(text);
    while let Ok(event) = reader.read_event() {
        match event {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref().as_bytes() == b"marker" =>
            {
                let (mut id, mut name) = (String::new(), String::new());
                for a in e.attributes().flatten() {
                    let v = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    match a.key.local_name().as_ref().as_bytes() {
                        b"id" => id = v,
                        b"name" => name = v,
                        _ => {}
                    }
                }
                let name = name
                    .strip_suffix(".png")
                    .or_else(|| name.strip_suffix(".svg"))
                    .unwrap_or(&name)
                    .to_string();
                if !id.is_empty() && !name.is_empty() {
                    doc.marker_names.insert(id, clean(&name).0);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Topic;

    /// quick-xml's attributes of a start tag, checked: the pairs before the first error, and
    /// whether there is one.
    fn quick_xml(tag: &str) -> (Vec<(String, String)>, bool) {
        let mut reader = Reader::from_str(tag);
        let Ok(Event::Start(e) | Event::Empty(e)) = reader.read_event() else {
            return (Vec::new(), true);
        };
        let mut out = Vec::new();
        for a in e.attributes() {
            match a {
                Ok(a) => out.push((a.key.0.to_string(), a.value.into_owned())),
                Err(_) => return (out, true),
            }
        }
        (out, false)
    }

    /// Ours: the pairs, stopping at a malformed attribute or a repeated name.
    fn ours(tag: &str) -> (Vec<(String, String)>, bool) {
        let mut reader = Reader::from_str(tag);
        let Ok(Event::Start(e) | Event::Empty(e)) = reader.read_event() else {
            return (Vec::new(), true);
        };
        let mut attrs = RawAttributes {
            s: &e,
            i: e.name().0.len(),
        };
        let mut out: Vec<(String, String)> = Vec::new();
        while let Some(a) = attrs.next() {
            match a {
                Some((k, v)) if !out.iter().any(|(seen, _)| seen == k) => {
                    out.push((k.to_string(), v.to_string()))
                }
                _ => return (out, true),
            }
        }
        (out, false)
    }

    /// The topic's fields and the dropped count from [`Parser::topic_attributes`], or from its
    /// general way, or the error.
    fn topic_from(tag: &str, general: bool) -> std::result::Result<(Topic, usize), String> {
        let limits = Limits::default();
        let mut reader = Reader::from_str(tag);
        let Ok(Event::Start(e) | Event::Empty(e)) = reader.read_event() else {
            return Err("no tag".into());
        };
        let mut p = Parser::new(Src::Quick(Reader::from_str("")), "content.xml", &limits);
        let id = p.builder().new_topic(None, TopicKind::Root);
        let r = if general {
            p.topic_attributes_in_general(&e, id)
        } else {
            p.topic_attributes(&e, id)
        };
        r.map_err(|e| e.to_string())?;
        Ok((p.builder().topic(id).clone(), p.dropped_controls))
    }

    #[test]
    fn topic_attributes_read_as_their_general_way_reads_them() {
        let pieces = [
            " id=\"t1\"",
            " id='t&amp;2'",
            " x:id=\"t3\"",
            " xlink:href=\"https://e/?a=1&amp;b\"",
            " xlink:href=\" \"",
            " href=\"xmind:#t1\"",
            " branch=\"folded\"",
            " branch=\"expanded\"",
            " timestamp=\"123\"",
            " a=\"\u{FFFE}\"",
            " id=\"x\u{1}y\"",
            " id=\"\u{FFFF}z\"",
            " a=\"&#1;\"",
            " a=\"\t\"",
            " id=\"a\nb\"",
            " b=\"1\"",
            " c = '2'",
            " id=\"&bad;\"",
            " d=\"x",
            " e",
            " 中=\"文\"",
        ];
        let mut seed = 0x0bad_cafe_f00d_u64;
        for _ in 0..50_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let mut tag = String::from("<topic");
            let mut x = seed;
            for _ in 0..(seed >> 60) {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                tag.push_str(pieces[(x >> 33) as usize % pieces.len()]);
            }
            tag.push('>');
            assert_eq!(topic_from(&tag, false), topic_from(&tag, true), "{tag:?}");
        }
    }

    #[test]
    fn attributes_are_split_as_quick_xml_splits_them() {
        let pieces = [
            " ", "  ", "\t", "\n", "\r", "a", "b", "x:y", "=", " = ", "\"", "'", "\"v\"", "'w'",
            "\"a'b\"", "é", "&amp;", ">", "/", "a=\"1\"", "b='2'", "a=\"3\"",
        ];
        let mut seed = 0x1234_5678_9abc_def0_u64;
        for _ in 0..200_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let mut tag = String::from("<t");
            let mut x = seed;
            for _ in 0..(seed >> 61) + 1 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                tag.push_str(pieces[(x >> 33) as usize % pieces.len()]);
            }
            tag.push_str(if seed & 1 == 0 { ">" } else { "/>" });
            let (q, q_err) = quick_xml(&tag);
            let (o, o_err) = ours(&tag);
            assert_eq!(q_err, o_err, "{tag:?}");
            assert_eq!(q, o, "{tag:?}");
        }
    }
}

#[cfg(test)]
mod scanner_tests {
    use super::*;

    fn both(text: &str) -> (Option<Result<Document>>, Result<Document>) {
        let limits = Limits::default();
        let fast = Scanner::new(text)
            .ok()
            .map(|s| parse_with(Src::Fast(s), "content.xml", &limits, false));
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        (
            fast,
            parse_with(Src::Quick(reader), "content.xml", &limits, false),
        )
    }

    /// Whenever the scanner accepts a document, the result is exactly quick-xml's.
    fn check(text: &str) -> bool {
        let (fast, quick) = both(text);
        match fast {
            Some(Ok(doc)) => {
                assert_eq!(Some(&doc), quick.as_ref().ok(), "{text:?}");
                true
            }
            _ => false,
        }
    }

    #[test]
    fn the_scanner_reads_common_maps_and_agrees_with_quick_xml() {
        let map = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xmap-content xmlns=\"urn:x\" \
            xmlns:xlink=\"l\"><sheet id=\"s\"><topic id=\"t0\" xlink:href=\"https://e/?a=1&amp;b\">\
            <title>A &lt;b&gt; &amp; &#x4e2d;&#20013;\r\nx\ry</title><children><topics type=\
            \"attached\"><topic id='t1' timestamp=\"1\"><title>t1</title><notes><plain>p</plain>\
            <html><xhtml:p>a&amp;b<xhtml:img xhtml:src=\"x.png\"/></xhtml:p></html></notes>\
            <labels><label>l</label></labels><marker-refs><marker-ref marker-id=\"m\"/>\
            </marker-refs><extensions><x a=\">\">&unknown;</x></extensions></topic></topics>\
            </children></topic><title>S</title></sheet></xmap-content >";
        assert!(check(map));
    }

    #[test]
    fn the_scanner_declines_what_it_does_not_know() {
        for text in [
            "<xmap-content><!-- c --></xmap-content>",
            "<xmap-content><sheet><topic><title><![CDATA[x]]></title></topic></sheet></xmap-content>",
            "<!DOCTYPE x><xmap-content/>",
            "\u{FEFF}<xmap-content/>",
            "<xmap-content><sheet></sheet >",
            "<xmap-content></xmap>",
            "<xmap-content>&nope;</xmap-content>",
            "<xmap-content>&#0;</xmap-content>",
            "<xmap-content>& </xmap-content>",
            "<xmap-content><a b=\"x></xmap-content>",
            "<xmap-content><sheet><topic><title>x",
            "<?>",
            "<>",
        ] {
            let (fast, quick) = both(text);
            assert!(!matches!(fast, Some(Ok(_))), "{text:?} {quick:?}");
        }
    }

    #[test]
    fn random_documents_read_the_same_through_the_scanner() {
        // Mostly well-formed trees of the elements the reader knows (and some it skips), with
        // texts, references and attributes of every kind, and now and then a stray piece.
        let names = [
            "sheet",
            "topic",
            "title",
            "children",
            "topics",
            "notes",
            "plain",
            "html",
            "xhtml:p",
            "xhtml:span",
            "xhtml:img",
            "xhtml:a",
            "labels",
            "label",
            "marker-refs",
            "marker-ref",
            "boundaries",
            "boundary",
            "summaries",
            "summary",
            "relationships",
            "relationship",
            "extensions",
            "x",
        ];
        let attrs = [
            "",
            " id=\"a\"",
            " id='b&amp;c'",
            " type=\"detached\"",
            " type=\"summary\"",
            " xlink:href=\"h?a=1&amp;b\"",
            " marker-id=\"m\"",
            " range=\"(0,1)\"",
            " topic-id=\"a\"",
            " src=\"x.png\"",
            " a=\">\"",
            " a = 'x' ",
            " id=\"a\" id=\"b\"",
            " a=\"&#10;\"",
            " a=\"\t\"",
            " end1=\"a\" end2=\"b\"",
            " branch=\"folded\"",
        ];
        let texts = [
            "text", " ", "\r\n", "\r", "\n", "&lt;", "&amp;", "&#65;", "&#x4e2d;", "&#13;", "中文",
            "\u{1}", "\u{FFFE}", ">", "\"", "'", "a&gt;b",
        ];
        let stray = [
            "&bad;",
            "&",
            "<!--c-->",
            "<?pi x?>",
            "</ x>",
            "<![CDATA[d]]>",
            "</topic>",
            "<topic>",
            "&#0;",
            "<",
            "<a b='>",
            "</title >",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        let mut accepted = 0;
        let runs = 20_000;
        for _ in 0..runs {
            let mut text = String::from("<xmap-content><sheet><topic><title>T</title>");
            let mut open: Vec<&str> = Vec::new();
            for _ in 0..next() % 40 {
                match next() % 10 {
                    0..=3 => {
                        let name = names[next() % names.len()];
                        let attr = attrs[next() % attrs.len()];
                        if next() % 4 == 0 {
                            text.push_str(&format!("<{name}{attr}/>"));
                        } else {
                            text.push_str(&format!("<{name}{attr}>"));
                            open.push(name);
                        }
                    }
                    4..=5 => {
                        if let Some(name) = open.pop() {
                            text.push_str(&format!("</{name}>"));
                        }
                    }
                    6..=8 => text.push_str(texts[next() % texts.len()]),
                    _ => {
                        if next() % 8 == 0 {
                            text.push_str(stray[next() % stray.len()]);
                        }
                    }
                }
            }
            while let Some(name) = open.pop() {
                text.push_str(&format!("</{name}>"));
            }
            if next() % 16 != 0 {
                text.push_str("</topic></sheet></xmap-content>");
            }
            accepted += check(&text) as usize;
        }
        assert!(
            accepted > runs / 2,
            "only {accepted} of {runs} documents went through the scanner"
        );
    }
}
