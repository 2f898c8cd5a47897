//! content.json reader (XMind Zen 2018 to XMind 2026): JSON events from [`super::jsonlex`] drive
//! an explicit stack of sheets, topics and child lists that fills the arena directly, with no
//! intermediate document tree.
//!
//! Why not serde: serde is recursive, so a deep map needs the stack grown on the heap
//! (`serde_stacker`, about 2 KB per topic level), and serde_json recomputes the line and column of
//! an error once per nesting level as the error travels up, so one syntax error at depth 100,000 of
//! a 3 MB map took 48 seconds. Here a level costs a few bytes and an error is located once.
//!
//! The small objects hanging off a topic (notes, markers, labels, image, summaries, boundaries,
//! comments, relationships, legend) are read as a [`Small`] value, whose nesting is capped at
//! [`SMALL_DEPTH`] (anything deeper is skipped), and then interpreted leniently: unknown keys are
//! ignored; `title` may be absent, null, or a number; `notes` may be a bare string; `markers` may be
//! bare strings; `labels` may be one string; any list may be a single object; `children` may be an
//! array; a sheet may lack `rootTopic`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::super::clean::{clean, clean_text, dimension, may_need_clean, parse_range};
use super::finish::SheetBuilder;
use super::jsonlex::{Event, Lexer, SyntaxError};
use crate::error::{Error, Result};
use crate::model::{
    Comment, Document, Image, Link, Notes, Relationship, Sheet, Text, TopicId, TopicKind,
};
use crate::notes::plain_text as html_to_text;
use crate::read::Limits;
use crate::xml;

/// Deepest nesting kept in a [`Small`] value.
const SMALL_DEPTH: usize = 32;

pub(super) fn parse(text: &str, entry: &str, limits: &Limits) -> Result<Document> {
    let mut r = Reader {
        lx: Lexer::new(text),
        entry,
        limits,
        sheets: Vec::new(),
        warnings: Vec::new(),
        marker_names: BTreeMap::new(),
        dropped_controls: 0,
        plain: !may_need_clean(text.as_bytes()),
    };
    r.document()?;
    if r.dropped_controls > 0 {
        r.warnings.push(format!(
            "{entry}: characters XML 1.0 cannot carry were removed from {} texts",
            r.dropped_controls
        ));
    }
    Ok(Document {
        sheets: r.sheets,
        marker_names: r.marker_names,
        warnings: r.warnings,
        ..Document::default()
    })
}

/// A small JSON value hanging off a topic or sheet.
#[derive(Debug)]
enum Small<'a> {
    Null,
    Bool(bool),
    Num(&'a str),
    Str(Cow<'a, str>),
    Arr(Vec<Small<'a>>),
    Obj(Vec<(Cow<'a, str>, Small<'a>)>),
}

impl<'a> Small<'a> {
    /// The value of `key` in an object.
    fn get(&self, key: &str) -> Option<&Small<'a>> {
        match self {
            Small::Obj(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string, or a number or boolean as text.
    fn scalar(&self) -> Option<&str> {
        match self {
            Small::Str(s) => Some(s),
            Small::Num(n) => Some(n),
            Small::Bool(true) => Some("true"),
            Small::Bool(false) => Some("false"),
            _ => None,
        }
    }

    fn number(&self) -> Option<f64> {
        dimension(self.scalar()?)
    }

    /// An array's elements; any other value but null as a list of one.
    fn items(&self) -> &[Small<'a>] {
        match self {
            Small::Arr(v) => v,
            Small::Null => &[],
            one => std::slice::from_ref(one),
        }
    }
}

/// A key of a topic object, told apart once (by length and bytes, not by comparing it with
/// each name in turn).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Title,
    Children,
    Notes,
    Labels,
    Markers,
    Href,
    Image,
    Summaries,
    Boundaries,
    Branch,
    Comments,
    /// Any other key (`class`, `style`, `structureClass`, …): skipped.
    Other,
}

impl Field {
    fn of(key: &str) -> Field {
        match key.as_bytes() {
            b"id" => Field::Id,
            b"title" => Field::Title,
            b"children" => Field::Children,
            b"notes" => Field::Notes,
            b"labels" => Field::Labels,
            b"markers" => Field::Markers,
            b"href" => Field::Href,
            b"image" => Field::Image,
            b"summaries" => Field::Summaries,
            b"boundaries" => Field::Boundaries,
            b"branch" => Field::Branch,
            b"comments" => Field::Comments,
            _ => Field::Other,
        }
    }
}

/// Where the topic walk is.
#[derive(Clone, Copy)]
enum Frame {
    /// Inside a topic object.
    Topic { id: TopicId, depth: usize },
    /// Inside a `children` object.
    Children { id: TopicId, depth: usize },
    /// Inside an array of child topics of `kind`, at `depth`.
    List {
        parent: TopicId,
        kind: TopicKind,
        depth: usize,
    },
}

struct Reader<'a, 'l> {
    lx: Lexer<'a>,
    entry: &'l str,
    limits: &'l Limits,
    sheets: Vec<Sheet>,
    warnings: Vec<String>,
    marker_names: BTreeMap<String, String>,
    dropped_controls: usize,
    /// The whole entry needs no [`clean`]: a string taken from it as it is (with no escape)
    /// is kept without looking at it again.
    plain: bool,
}

impl<'a> Reader<'a, '_> {
    fn syntax(&self, e: SyntaxError) -> Error {
        self.error_at(e.offset, e.message)
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> Error {
        let (line, column) = self.lx.line_column(offset);
        Error::Json {
            entry: self.entry.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// The next event; the end of the document is an error here (callers know more must come).
    fn next(&mut self) -> Result<Event<'a>> {
        match self.lx.next() {
            Ok(Some(e)) => Ok(e),
            Ok(None) => Err(self.error_at(usize::MAX, "EOF while parsing a value")),
            Err(e) => Err(self.syntax(e)),
        }
    }

    fn skip(&mut self, first: &Event<'a>) -> Result<()> {
        self.lx.skip(first).map_err(|e| self.syntax(e))
    }

    /// Reads the value that `first` starts as a [`Small`], without recursion.
    fn small(&mut self, first: Event<'a>) -> Result<Small<'a>> {
        // Open containers being filled, each with the key its value will be stored under.
        let mut stack: Vec<(Small<'a>, Option<Cow<'a, str>>)> = Vec::new();
        let mut key: Option<Cow<'a, str>> = None;
        let mut event = first;
        loop {
            let value = match event {
                Event::StartObject | Event::StartArray if stack.len() >= SMALL_DEPTH => {
                    self.skip(&event)?;
                    Small::Null
                }
                Event::StartObject => {
                    stack.push((Small::Obj(Vec::new()), key.take()));
                    event = self.next()?;
                    continue;
                }
                Event::StartArray => {
                    stack.push((Small::Arr(Vec::new()), key.take()));
                    event = self.next()?;
                    continue;
                }
                Event::Key(k) => {
                    key = Some(k);
                    event = self.next()?;
                    continue;
                }
                Event::EndObject | Event::EndArray => {
                    let (done, k) = stack.pop().expect("the lexer balances brackets");
                    key = k;
                    done
                }
                Event::Str(s) => Small::Str(s),
                Event::Num(n) => Small::Num(n),
                Event::Bool(b) => Small::Bool(b),
                Event::Null => Small::Null,
            };
            match stack.last_mut() {
                None => return Ok(value),
                Some((Small::Arr(items), _)) => items.push(value),
                Some((Small::Obj(fields), _)) => {
                    fields.push((key.take().unwrap_or_default(), value));
                }
                Some(_) => unreachable!("only containers are stacked"),
            }
            event = self.next()?;
        }
    }

    /// The scalar items of a list, or of a lone value taken as a list of one: what
    /// `self.small(first)?.items()` kept by [`Small::scalar`] gives, without building the value.
    /// Objects and arrays among the items are skipped. The texts are cleaned by the caller, after
    /// the whole value has been read (as with a `Small`, a syntax error later in the value wins).
    fn scalar_items(&mut self, first: Event<'a>) -> Result<Vec<Cow<'a, str>>> {
        let mut out = Vec::new();
        if first != Event::StartArray {
            self.push_scalar(first, &mut out)?;
            return Ok(out);
        }
        loop {
            match self.next()? {
                Event::EndArray => return Ok(out),
                e => self.push_scalar(e, &mut out)?,
            }
        }
    }

    /// Pushes a scalar event's text (a number or boolean as written); skips a container.
    fn push_scalar(&mut self, e: Event<'a>, out: &mut Vec<Cow<'a, str>>) -> Result<()> {
        if let Some(s) = self.scalar_event(e)? {
            out.push(s);
        }
        Ok(())
    }

    /// A scalar event's text ([`Small::scalar`]); `None` for null, or for a container, skipped.
    fn scalar_event(&mut self, e: Event<'a>) -> Result<Option<Cow<'a, str>>> {
        Ok(match e {
            Event::Str(s) => Some(s),
            Event::Num(n) => Some(Cow::Borrowed(n)),
            Event::Bool(b) => Some(Cow::Borrowed(if b { "true" } else { "false" })),
            Event::Null => None,
            other => {
                self.skip(&other)?;
                None
            }
        })
    }

    /// The marker ids of `markers`: each item an object with `markerId` (or `markerid`, or `id`:
    /// the first of these whose first occurrence is a scalar) or a bare scalar; a lone value is a
    /// list of one. The same as reading a `Small` and looking the keys up, without building it.
    fn marker_items(&mut self, first: Event<'a>) -> Result<Vec<Cow<'a, str>>> {
        let mut out = Vec::new();
        if first != Event::StartArray {
            self.push_marker(first, &mut out)?;
            return Ok(out);
        }
        loop {
            match self.next()? {
                Event::EndArray => return Ok(out),
                e => self.push_marker(e, &mut out)?,
            }
        }
    }

    fn push_marker(&mut self, e: Event<'a>, out: &mut Vec<Cow<'a, str>>) -> Result<()> {
        if e != Event::StartObject {
            return self.push_scalar(e, out);
        }
        // The first occurrence of each key, and whether it was a scalar.
        let mut found: [Option<Option<Cow<'a, str>>>; 3] = [None, None, None];
        loop {
            let key = match self.next()? {
                Event::EndObject => break,
                Event::Key(k) => k,
                _ => unreachable!("objects hold keys"),
            };
            let value = self.next()?;
            let slot = match key.as_ref() {
                "markerId" => Some(0),
                "markerid" => Some(1),
                "id" => Some(2),
                _ => None,
            };
            match slot {
                Some(i) if found[i].is_none() => found[i] = Some(self.scalar_event(value)?),
                _ => self.skip(&value)?,
            }
        }
        if let Some(m) = found.into_iter().flatten().flatten().next() {
            out.push(m);
        }
        Ok(())
    }

    /// [`Reader::text`] for a title or id, made straight into the model's [`Text`].
    /// `as_stored`: the string is a slice of the entry (it had no escape), so `self.plain`
    /// covers it.
    fn model_text(&mut self, raw: &str, as_stored: bool) -> Result<Text> {
        self.check_length(raw)?;
        if self.plain && as_stored {
            return Ok(Text::from(raw));
        }
        let (s, dropped) = clean_text(raw);
        self.dropped_controls += dropped as usize;
        Ok(s)
    }

    #[inline]
    fn check_length(&self, raw: &str) -> Result<()> {
        if raw.len() > self.limits.max_text {
            return Err(Error::Limit {
                entry: self.entry.to_string(),
                what: "length of a text",
                limit: super::archive::format_bytes(self.limits.max_text as u64),
                option: "--max-text",
            });
        }
        Ok(())
    }

    /// Cleans one text and checks its length.
    fn text(&mut self, raw: &str) -> Result<String> {
        self.check_length(raw)?;
        let (s, dropped) = clean(raw);
        self.dropped_controls += dropped as usize;
        Ok(s)
    }

    fn scalar_text(&mut self, v: &Small) -> Result<String> {
        match v.scalar() {
            Some(s) => self.text(s),
            None => Ok(String::new()),
        }
    }

    /// The whole document: an array of sheets.
    fn document(&mut self) -> Result<()> {
        let first = self.next()?;
        if first != Event::StartArray {
            let at = self.lx.event_start();
            return Err(self.error_at(at, "expected an array of sheets"));
        }
        loop {
            match self.next()? {
                Event::EndArray => break,
                Event::StartObject => self.sheet()?,
                Event::Null => self
                    .warnings
                    .push(format!("{}: a null sheet was skipped", self.entry)),
                _ => {
                    let at = self.lx.event_start();
                    return Err(self.error_at(at, "expected a sheet object"));
                }
            }
        }
        match self.lx.next() {
            Ok(_) => Ok(()),
            Err(e) => Err(self.syntax(e)),
        }
    }

    /// One sheet object, after its `{`.
    fn sheet(&mut self) -> Result<()> {
        let mut b = SheetBuilder::default();
        loop {
            let key = match self.next()? {
                Event::EndObject => break,
                Event::Key(k) => k,
                _ => unreachable!("objects hold keys"),
            };
            let value = self.next()?;
            match key.as_ref() {
                "id" => {
                    let v = self.small(value)?;
                    b.sheet.id = self.scalar_text(&v)?;
                }
                "title" => {
                    let v = self.small(value)?;
                    b.sheet.title = self.scalar_text(&v)?;
                }
                "rootTopic" if !b.has_root() => match value {
                    Event::StartObject => self.topics(&mut b)?,
                    Event::Str(s) => {
                        let title = self.text(&s)?;
                        let id = b.new_topic(None, TopicKind::Root);
                        b.topic(id).title = title.into();
                    }
                    other => self.skip(&other)?,
                },
                "relationships" => {
                    let v = self.small(value)?;
                    for r in v.items() {
                        let field = |names: &[&str]| names.iter().find_map(|n| r.get(n));
                        let mut get = |names: &[&str]| -> Result<String> {
                            match field(names) {
                                Some(v) => self.scalar_text(v),
                                None => Ok(String::new()),
                            }
                        };
                        let rel = Relationship {
                            id: get(&["id"])?,
                            end1: get(&["end1Id", "end1"])?,
                            end2: get(&["end2Id", "end2id", "end2"])?,
                            title: get(&["title"])?,
                            from: None,
                            to: None,
                        };
                        b.sheet.relationships.push(rel);
                    }
                }
                "legend" => {
                    let v = self.small(value)?;
                    if let Some(Small::Obj(markers)) = v.get("markers") {
                        for (id, m) in markers {
                            if let Some(name) = m.get("name").and_then(Small::scalar) {
                                if !name.is_empty() {
                                    let name = self.text(name)?;
                                    self.marker_names.insert(id.to_string(), name);
                                }
                            }
                        }
                    }
                }
                _ => self.skip(&value)?,
            }
        }
        let sheet = b.finish(&mut self.warnings);
        self.sheets.push(sheet);
        Ok(())
    }

    /// The root topic object (after its `{`) and everything below it.
    fn topics(&mut self, b: &mut SheetBuilder) -> Result<()> {
        let root = b.new_topic(None, TopicKind::Root);
        let mut stack = vec![Frame::Topic { id: root, depth: 0 }];
        while let Some(&frame) = stack.last() {
            let event = self.next()?;
            match frame {
                Frame::Topic { id, depth } => {
                    let key = match event {
                        Event::EndObject => {
                            stack.pop();
                            continue;
                        }
                        Event::Key(k) => k,
                        _ => unreachable!("objects hold keys"),
                    };
                    let value = self.next()?;
                    let field = Field::of(&key);
                    if field == Field::Children {
                        match value {
                            Event::StartObject => stack.push(Frame::Children { id, depth }),
                            Event::StartArray => stack.push(Frame::List {
                                parent: id,
                                kind: TopicKind::Attached,
                                depth: depth + 1,
                            }),
                            other => self.skip(&other)?,
                        }
                    } else {
                        self.topic_field(b, id, &key, field, value)?;
                    }
                }
                Frame::Children { id, depth } => {
                    let key = match event {
                        Event::EndObject => {
                            stack.pop();
                            continue;
                        }
                        Event::Key(k) => k,
                        _ => unreachable!("objects hold keys"),
                    };
                    // Any other child type is kept, as attached children (XMind's model does
                    // the same with child types it does not know).
                    let kind = match key.as_ref() {
                        "detached" => TopicKind::Floating,
                        "summary" => TopicKind::Summary,
                        "callout" => TopicKind::Callout,
                        _ => TopicKind::Attached,
                    };
                    let frame = Frame::List {
                        parent: id,
                        kind,
                        depth: depth + 1,
                    };
                    match self.next()? {
                        Event::StartArray => stack.push(frame),
                        one => {
                            // A single topic where a list belongs.
                            if let Some(f) = self.list_item(b, frame, one)? {
                                stack.push(f);
                            }
                        }
                    }
                }
                Frame::List { .. } => {
                    if event == Event::EndArray {
                        stack.pop();
                    } else if let Some(f) = self.list_item(b, frame, event)? {
                        stack.push(f);
                    }
                }
            }
        }
        Ok(())
    }

    /// One element of a child list: a topic object (returns its frame), a bare string (a topic
    /// with that title), or anything else (skipped).
    fn list_item(
        &mut self,
        b: &mut SheetBuilder,
        list: Frame,
        event: Event<'a>,
    ) -> Result<Option<Frame>> {
        let Frame::List {
            parent,
            kind,
            depth,
        } = list
        else {
            unreachable!("called for lists")
        };
        match event {
            Event::StartObject => {
                if depth > self.limits.max_depth {
                    return Err(Error::Limit {
                        entry: self.entry.to_string(),
                        what: "nesting depth of topics",
                        limit: format!("{} levels", self.limits.max_depth),
                        option: "--max-depth",
                    });
                }
                let id = b.new_topic(Some(parent), kind);
                Ok(Some(Frame::Topic { id, depth }))
            }
            Event::Str(s) => {
                let title = self.text(&s)?;
                let id = b.new_topic(Some(parent), kind);
                b.topic(id).title = title.into();
                Ok(None)
            }
            other => {
                self.skip(&other)?;
                Ok(None)
            }
        }
    }

    /// A key of a topic other than `children`, whose value starts with `value`.
    #[inline]
    fn topic_field(
        &mut self,
        b: &mut SheetBuilder,
        id: TopicId,
        key: &str,
        field: Field,
        value: Event<'a>,
    ) -> Result<()> {
        match (field, &value) {
            // Titles, ids and links are nearly always plain strings, labels and markers short
            // lists, and notes plain: read them straight from the events, with no `Small` value.
            (Field::Title, Event::Str(s)) => {
                b.topic(id).title = self.model_text(s, matches!(s, Cow::Borrowed(_)))?;
                return Ok(());
            }
            (Field::Id, Event::Str(s)) => {
                b.topic(id).id = self.model_text(s, matches!(s, Cow::Borrowed(_)))?;
                return Ok(());
            }
            (Field::Href, Event::Str(s)) => {
                let href = self.text(s)?;
                if !href.trim().is_empty() {
                    b.topic(id).link = Some(Box::new(Link::new(href)));
                }
                return Ok(());
            }
            (Field::Labels, _) => {
                let raw = self.scalar_items(value)?;
                let mut labels = Vec::with_capacity(raw.len());
                for l in &raw {
                    labels.push(self.text(l)?);
                }
                b.topic(id).labels = labels.into();
                return Ok(());
            }
            (Field::Markers, _) => {
                let raw = self.marker_items(value)?;
                let mut markers = Vec::with_capacity(raw.len());
                for m in raw.iter().filter(|m| !m.is_empty()) {
                    markers.push(self.text(m)?);
                }
                b.topic(id).markers = markers.into();
                return Ok(());
            }
            (Field::Notes, _) => {
                if let Some((plain, html)) = self.quick_notes(&value)? {
                    let notes = self.finish_notes(plain.as_deref(), html.as_deref(), None)?;
                    b.topic(id).notes = notes.map(Box::new);
                    return Ok(());
                }
            }
            (Field::Other | Field::Children, _) => return self.skip(&value),
            _ => {}
        }
        let v = self.small(value)?;
        match key {
            "id" => b.topic(id).id = self.scalar_text(&v)?.into(),
            "title" => b.topic(id).title = self.scalar_text(&v)?.into(),
            "notes" => {
                let notes = self.notes(&v)?;
                b.topic(id).notes = notes.map(Box::new);
            }
            "href" => {
                let href = self.scalar_text(&v)?;
                if !href.trim().is_empty() {
                    b.topic(id).link = Some(Box::new(Link::new(href)));
                }
            }
            "image" => {
                if let Some(img) = v.items().first() {
                    let src = match img {
                        Small::Obj(_) => img.get("src").and_then(Small::scalar),
                        other => other.scalar(),
                    };
                    if let Some(src) = src.filter(|s| !s.is_empty()) {
                        let image = Image {
                            src: self.text(src)?,
                            width: img.get("width").and_then(Small::number),
                            height: img.get("height").and_then(Small::number),
                        };
                        b.topic(id).image = Some(Box::new(image));
                    }
                }
            }
            "summaries" | "boundaries" => {
                for r in v.items() {
                    let range = parse_range(r.get("range").and_then(Small::scalar).unwrap_or(""));
                    if key == "summaries" {
                        let topic = r.get("topicId").and_then(Small::scalar).unwrap_or("");
                        b.summary(id, topic.to_string(), range);
                    } else {
                        let title = match r.get("title") {
                            Some(t) => self.scalar_text(t)?,
                            None => String::new(),
                        };
                        let bid = r.get("id").and_then(Small::scalar).unwrap_or("");
                        b.boundary(id, bid.to_string(), range, title);
                    }
                }
            }
            "branch" => b.topic(id).folded = v.scalar() == Some("folded"),
            "comments" => {
                let mut comments = Vec::new();
                for c in v.items() {
                    let get = |k: &str| c.get(k).and_then(Small::scalar).unwrap_or("");
                    let (author, content) = (get("author"), get("content"));
                    let time = c
                        .get("creationTime")
                        .or_else(|| c.get("time"))
                        .and_then(Small::number);
                    comments.push(Comment {
                        author: self.text(author)?,
                        time: time.map(|t| t as i64),
                        content: self.text(content)?,
                    });
                }
                b.topic(id).comments = comments.into();
            }
            _ => {}
        }
        Ok(())
    }

    /// `notes`: `{"plain": {"content"}, "realHTML": {"content"}, "html": {…paragraphs…}}`, or a
    /// bare string.
    fn notes(&mut self, v: &Small) -> Result<Option<Notes>> {
        fn content<'v>(v: Option<&'v Small>) -> Option<&'v str> {
            match v? {
                o @ Small::Obj(_) => o.get("content").and_then(Small::scalar),
                other => other.scalar(),
            }
        }
        match v {
            Small::Obj(_) => {
                let mut zen = ZenHtml::default();
                if let Some(h) = v.get("html") {
                    zen.read(h);
                }
                let (plain, real_html) = (content(v.get("plain")), content(v.get("realHTML")));
                self.finish_notes(plain, real_html, Some(&zen))
            }
            other => self.finish_notes(other.scalar(), None, None),
        }
    }

    /// `notes` in its common shapes, read straight from the events: a string, or an object of
    /// `plain` and `realHTML`, each a string or `{"content": string}`. Gives their texts, or
    /// `None` for any other shape, with the lexer put back at the start of the value for
    /// [`Reader::small`] (an error met on the way is the error `small` would meet).
    #[allow(clippy::type_complexity)]
    fn quick_notes(
        &mut self,
        first: &Event<'a>,
    ) -> Result<Option<(Option<Cow<'a, str>>, Option<Cow<'a, str>>)>> {
        if let Event::Str(s) = first {
            return Ok(Some((Some(s.clone()), None)));
        }
        if *first != Event::StartObject {
            return Ok(None);
        }
        let mark = self.lx.mark();
        let (mut plain, mut html) = (None, None);
        loop {
            let key = match self.next()? {
                Event::EndObject => return Ok(Some((plain, html))),
                Event::Key(k) => k,
                _ => unreachable!("objects hold keys"),
            };
            let slot = match key.as_ref() {
                "plain" if plain.is_none() => &mut plain,
                "realHTML" if html.is_none() => &mut html,
                _ => break,
            };
            let text = match self.next()? {
                Event::Str(s) => s,
                Event::StartObject => {
                    if !matches!(self.next()?, Event::Key(k) if k == "content") {
                        break;
                    }
                    let Event::Str(s) = self.next()? else { break };
                    if self.next()? != Event::EndObject {
                        break;
                    }
                    s
                }
                _ => break,
            };
            *slot = Some(text);
        }
        self.lx.reset(mark);
        Ok(None)
    }

    /// Notes from their parts: `plain`, `realHTML`, and Zen's structured `html` if any.
    fn finish_notes(
        &mut self,
        plain: Option<&str>,
        real_html: Option<&str>,
        zen: Option<&ZenHtml>,
    ) -> Result<Option<Notes>> {
        let (zen_html, zen_plain) = zen.map_or(("", ""), |z| (z.html.as_str(), z.plain.as_str()));
        // Borrowed until the one copy that `text` makes.
        let html: Option<Cow<str>> = match real_html {
            Some(h) if !h.is_empty() => Some(Cow::Borrowed(h)),
            _ if !zen_html.is_empty() => Some(Cow::Borrowed(zen_html)),
            _ => None,
        };
        let plain: Cow<str> = match plain {
            Some(p) => Cow::Borrowed(p),
            None if !zen_plain.is_empty() => Cow::Borrowed(zen_plain),
            None => Cow::Owned(html.as_deref().map(html_to_text).unwrap_or_default()),
        };
        if plain.is_empty() && html.is_none() {
            return Ok(None);
        }
        let plain = self.text(&plain)?;
        let html = match html {
            Some(h) => Some(self.text(&h)?),
            None => None,
        };
        Ok(Some(Notes {
            plain: plain.into(),
            html: html.map(Text::from),
        }))
    }
}

/// Zen's structured notes (`html.content.paragraphs[].spans[]`) as an HTML string and plain
/// text. Recursion is bounded by [`SMALL_DEPTH`].
#[derive(Default)]
struct ZenHtml {
    html: String,
    plain: String,
}

impl ZenHtml {
    fn read(&mut self, v: &Small) {
        match v {
            Small::Str(s) => self.html.push_str(s),
            Small::Obj(_) => {
                if let Some(c) = v.get("content") {
                    self.read(c);
                }
                if let Some(ps) = v.get("paragraphs") {
                    for p in ps.items() {
                        let mut inner = ZenHtml::default();
                        inner.spans(p);
                        if !self.html.is_empty() {
                            self.plain.push('\n');
                        }
                        self.html.push_str("<p>");
                        self.html.push_str(&inner.html);
                        self.html.push_str("</p>");
                        self.plain.push_str(&inner.plain);
                    }
                }
            }
            _ => {}
        }
    }

    /// A paragraph `{"spans"}` or a span `{"text"}`, `{"href", "spans"}`, `{"image"}`.
    fn spans(&mut self, v: &Small) {
        match v {
            Small::Str(s) => {
                self.plain.push_str(s);
                xml::escape_with_breaks_into(&mut self.html, s);
            }
            Small::Arr(items) => items.iter().for_each(|i| self.spans(i)),
            Small::Obj(_) => {
                let mut inner = ZenHtml::default();
                for k in ["text", "spans"] {
                    if let Some(x) = v.get(k) {
                        inner.spans(x);
                    }
                }
                if let Some(src) = v.get("image").and_then(Small::scalar) {
                    self.html.push_str("<img src=\"");
                    xml::escape_with_breaks_into(&mut self.html, src);
                    self.html.push_str("\">");
                }
                match v.get("href").and_then(Small::scalar) {
                    Some(h) => {
                        self.html.push_str("<a href=\"");
                        xml::escape_with_breaks_into(&mut self.html, h);
                        self.html.push_str("\">");
                        self.html.push_str(&inner.html);
                        self.html.push_str("</a>");
                    }
                    None => self.html.push_str(&inner.html),
                }
                self.plain.push_str(&inner.plain);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader<'a>(text: &'a str, limits: &'a Limits) -> Reader<'a, 'a> {
        Reader {
            lx: Lexer::new(text),
            entry: "content.json",
            limits,
            sheets: Vec::new(),
            warnings: Vec::new(),
            marker_names: BTreeMap::new(),
            dropped_controls: 0,
            plain: false,
        }
    }

    /// The notes, labels and markers read from the events equal what the general path (a
    /// `Small` value, then its lookups) gives, for the common shapes and for the odd ones that
    /// send the quick paths back.
    #[test]
    fn quick_paths_equal_the_small_value_path() {
        let notes = [
            r#""bare""#,
            r#"{"plain": {"content": "p"}}"#,
            r#"{"plain": {"content": "p\n\u00e9"}, "realHTML": {"content": "<p>h</p>"}}"#,
            r#"{"realHTML": {"content": "<p>only <b>html</b></p>"}}"#,
            r#"{"plain": "as a string"}"#,
            r#"{"plain": {"content": 12}}"#,
            r#"{"plain": {"content": "p", "x": 1}}"#,
            r#"{"plain": {"content": "first"}, "plain": {"content": "second"}}"#,
            r#"{"plain": null, "realHTML": {"content": "<p>h</p>"}}"#,
            r#"{"html": {"content": {"paragraphs": [{"spans": [{"text": "zen"}]}]}}}"#,
            r#"{"plain": {"content": "p"}, "html": {"content": {"paragraphs": []}}}"#,
            r#"{"other": 1, "plain": {"content": "p"}}"#,
            r#"{"plain": {"x": "y"}}"#,
            r#"{}"#,
            r#"null"#,
            r#"7"#,
            r#"[1, 2]"#,
        ];
        let limits = Limits::default();
        for n in notes {
            let mut general = reader(n, &limits);
            let first = general.next().unwrap();
            let v = general.small(first).unwrap();
            let expected = general.notes(&v).unwrap();

            let doc = format!(r#"[{{"rootTopic": {{"title": "r", "notes": {n}}}}}]"#);
            let got = parse(&doc, "content.json", &limits).unwrap();
            let got = got.sheets[0].topics[0].notes.as_deref().cloned();
            assert_eq!(got, expected, "notes {n}");
        }

        let lists = [
            r#"["a", "b"]"#,
            r#""one""#,
            r#"[1, true, null, {"x": 1}, ["y"], "z"]"#,
            r#"[{"markerId": "m"}, {"markerid": "l"}, {"id": "i"}, "bare"]"#,
            r#"[{"markerId": {"deep": 1}, "id": "fallback"}, {"markerId": "a", "markerId": "b"}]"#,
            r#"[{"markerId": null, "markerid": "x"}, {"markerId": ""}, {}]"#,
            r#"{"markerId": "lone"}"#,
            r#"null"#,
        ];
        for l in lists {
            let mut general = reader(l, &limits);
            let first = general.next().unwrap();
            let v = general.small(first).unwrap();
            let labels: Vec<String> = v
                .items()
                .iter()
                .filter_map(|x| x.scalar())
                .map(str::to_string)
                .collect();
            let markers: Vec<String> = v
                .items()
                .iter()
                .filter_map(|m| match m {
                    Small::Obj(_) => ["markerId", "markerid", "id"]
                        .iter()
                        .find_map(|k| m.get(k).and_then(Small::scalar)),
                    other => other.scalar(),
                })
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect();
            let doc = format!(r#"[{{"rootTopic": {{"labels": {l}, "markers": {l}}}}}]"#);
            let got = parse(&doc, "content.json", &limits).unwrap();
            let root = &got.sheets[0].topics[0];
            assert_eq!(root.labels.to_vec(), labels, "labels {l}");
            assert_eq!(root.markers.to_vec(), markers, "markers {l}");
        }
    }

    /// A quick path that gives up rewinds the lexer: what follows the value is still read.
    #[test]
    fn a_rewound_value_leaves_the_rest_of_the_topic_intact() {
        let doc = r#"[{"rootTopic": {"notes": {"plain": {"content": "p", "x": [1, {"a": 2}]}}, "title": "after", "children": {"attached": [{"title": "c"}]}}}]"#;
        let d = parse(doc, "content.json", &Limits::default()).unwrap();
        let t = &d.sheets[0].topics;
        assert_eq!((t[0].title.as_str(), t[1].title.as_str()), ("after", "c"));
        assert_eq!(t[0].notes.as_ref().unwrap().plain.as_str(), "p");
    }
}
