//! Our own JSON (`-t json`, `schema/xmindconv.schema.json`) read back into the model, so that a
//! map can be edited in a pipe (`xmindconv -t json m.xmind | jq … | xmindconv -f json -t …`) and
//! a program can write JSON that becomes a map.
//!
//! The nesting of topics is walked with an explicit stack over the events of the iterative JSON
//! lexer the content.json reader uses (a 100,000-level map costs heap, not stack); the small
//! values hanging off a topic (notes, link, image, labels, markers, boundaries, comments,
//! relationships) are gathered into `serde_json::Value`s, at most [`VALUE_DEPTH`] deep, and then
//! checked against the schema. Syntax errors name the line and column; schema violations name the
//! JSON path (`sheets[0].root.children[2].title`). Keys the schema does not list are ignored, as
//! the schema asks of consumers. Derived keys (`link.kind`, `link.target`, a relationship's
//! `resolved`) are recomputed from the map, not trusted. Texts are taken as they are: our writer
//! wrote them from the model.

use serde_json::{Map, Value};

use super::ReadOptions;
use super::common::{decode, depth_limit, text_limit};
use super::xmind::finish::resolve;
use super::xmind::jsonlex::{Event, Lexer, SyntaxError};
use crate::error::{Error, Result};
use crate::model::{
    Boundary, BoundaryRange, ChildRange, Comment, Document, Image, Link, Notes, Relationship,
    Sheet, Source, Summary, Text, Topic, TopicId, TopicKind,
};

const FORMAT: &str = "json";

/// Deepest nesting inside one small value (a note, a link…).
const VALUE_DEPTH: usize = 64;

pub(super) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let text = decode(bytes, FORMAT)?;
    let mut r = Reader {
        text,
        lx: Lexer::new(text),
        options,
        frames: Vec::new(),
        doc: Document::default(),
        saw_sheets: false,
    };
    r.run()?;
    let mut doc = r.doc;
    if doc.sheets.is_empty() {
        return Err(schema(if r.saw_sheets { "sheets" } else { "$" }, {
            if r.saw_sheets {
                "the map has no sheets"
            } else {
                "missing key \"sheets\""
            }
        }));
    }
    resolve(&mut doc, Default::default());
    Ok(doc)
}

fn schema(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Schema {
        format: FORMAT,
        path: path.into(),
        message: message.into(),
    }
}

/// One step of a JSON path.
#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A copy of the innermost frame's state, so that the walk can borrow the reader.
#[derive(Clone, Copy)]
enum Here {
    Top,
    Sheets(usize),
    Sheet(bool, bool),
    Topic(TopicId, usize, bool, bool),
    Topics(TopicId, TopicKind, usize, usize),
    Summaries(TopicId, usize, usize),
    Summary(
        TopicId,
        usize,
        usize,
        Option<usize>,
        Option<usize>,
        [bool; 3],
    ),
}

/// Where the walk is; each frame knows the step of the path that led to it.
enum Frame {
    /// The top-level object.
    Top,
    /// The `sheets` array; `n` sheets so far.
    Sheets { n: usize },
    /// A sheet object.
    Sheet {
        seg: Seg,
        sheet: Box<Sheet>,
        has_title: bool,
        has_root: bool,
    },
    /// A topic object.
    Topic {
        seg: Seg,
        id: TopicId,
        depth: usize,
        has_title: bool,
        has_children: bool,
    },
    /// An array of topics hanging from `parent` as `kind`.
    Topics {
        seg: Seg,
        parent: TopicId,
        kind: TopicKind,
        depth: usize,
        n: usize,
    },
    /// A topic's `summaries` array.
    Summaries {
        seg: Seg,
        owner: TopicId,
        depth: usize,
        n: usize,
    },
    /// One summary object, the `index`th of its owner.
    Summary {
        seg: Seg,
        owner: TopicId,
        index: usize,
        depth: usize,
        start: Option<usize>,
        end: Option<usize>,
        seen: [bool; 3],
    },
}

struct Reader<'a, 'o> {
    text: &'a str,
    lx: Lexer<'a>,
    options: &'o ReadOptions,
    frames: Vec<Frame>,
    doc: Document,
    saw_sheets: bool,
}

impl<'a> Reader<'a, '_> {
    fn syntax(&self, e: SyntaxError) -> Error {
        self.syntax_at(e.offset, e.message)
    }

    fn syntax_at(&self, offset: usize, message: &str) -> Error {
        let (line, column) = self.lx.line_column(offset.min(self.text.len()));
        Error::Syntax {
            format: FORMAT,
            line,
            column,
            message: message.to_string(),
        }
    }

    fn next(&mut self) -> Result<Event<'a>> {
        match self.lx.next() {
            Ok(Some(e)) => Ok(e),
            Ok(None) => Err(self.syntax_at(usize::MAX, "EOF while parsing a value")),
            Err(e) => Err(self.syntax(e)),
        }
    }

    /// The JSON path of the innermost frame, plus `extra` steps.
    fn path(&self, extra: &[Seg]) -> String {
        let mut out = String::new();
        let segs = self
            .frames
            .iter()
            .filter_map(|f| match f {
                Frame::Top => None,
                Frame::Sheets { .. } => Some(Seg::Key("sheets".into())),
                Frame::Sheet { seg, .. }
                | Frame::Topic { seg, .. }
                | Frame::Topics { seg, .. }
                | Frame::Summaries { seg, .. }
                | Frame::Summary { seg, .. } => Some(seg.clone()),
            })
            .chain(extra.iter().cloned());
        for s in segs {
            match s {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if out.is_empty() { "$".into() } else { out }
    }

    fn err(&self, extra: &[Seg], message: impl Into<String>) -> Error {
        schema(self.path(extra), message)
    }

    /// A whole small value, starting with `first`, as a `serde_json::Value` (no recursion).
    fn value(&mut self, first: Event<'a>, at: &[Seg]) -> Result<Value> {
        let mut stack: Vec<(Value, Option<String>)> = Vec::new();
        let mut key: Option<String> = None;
        let mut event = first;
        loop {
            let v = match event {
                Event::StartObject | Event::StartArray if stack.len() >= VALUE_DEPTH => {
                    return Err(self.err(at, "nested too deeply"));
                }
                Event::StartObject => {
                    stack.push((Value::Object(Map::new()), key.take()));
                    event = self.next()?;
                    continue;
                }
                Event::StartArray => {
                    stack.push((Value::Array(Vec::new()), key.take()));
                    event = self.next()?;
                    continue;
                }
                Event::Key(k) => {
                    key = Some(k.into_owned());
                    event = self.next()?;
                    continue;
                }
                Event::EndObject | Event::EndArray => {
                    let (v, k) = stack.pop().expect("the lexer balances brackets");
                    key = k;
                    v
                }
                Event::Str(s) => {
                    if s.len() > self.options.limits.max_text {
                        return Err(text_limit(FORMAT, &self.options.limits));
                    }
                    Value::String(s.into_owned())
                }
                Event::Num(n) => match serde_json::from_str::<serde_json::Number>(n) {
                    Ok(n) => Value::Number(n),
                    Err(_) => Value::String(n.to_string()),
                },
                Event::Bool(b) => Value::Bool(b),
                Event::Null => Value::Null,
            };
            match stack.last_mut() {
                None => return Ok(v),
                Some((Value::Array(items), _)) => items.push(v),
                Some((Value::Object(m), _)) => {
                    m.insert(key.take().unwrap_or_default(), v);
                }
                Some(_) => unreachable!("only containers are stacked"),
            }
            event = self.next()?;
        }
    }

    fn run(&mut self) -> Result<()> {
        match self.next()? {
            Event::StartObject => self.frames.push(Frame::Top),
            _ => {
                return Err(self.err(&[], "expected an object with \"sheets\" (our JSON)"));
            }
        }
        while !self.frames.is_empty() {
            let event = self.next()?;
            self.step(event)?;
        }
        match self.lx.next() {
            Ok(_) => Ok(()),
            Err(e) => Err(self.syntax(e)),
        }
    }

    /// The sheet being read (the innermost Sheet frame).
    fn sheet(&mut self) -> &mut Sheet {
        self.frames
            .iter_mut()
            .rev()
            .find_map(|f| match f {
                Frame::Sheet { sheet, .. } => Some(&mut **sheet),
                _ => None,
            })
            .expect("topics are read inside a sheet")
    }

    fn new_topic(&mut self, parent: Option<TopicId>, kind: TopicKind) -> TopicId {
        let sheet = self.sheet();
        let id = TopicId(sheet.topics.len() as u32);
        let mut t = Topic::default();
        t.kind = kind;
        t.set_parent(parent);
        sheet.topics.push(t);
        if let Some(p) = parent {
            let p = &mut sheet.topics[p.index()];
            match kind {
                TopicKind::Floating => p.floating.push(id),
                TopicKind::Callout => p.callouts.push(id),
                TopicKind::Attached => p.children.push(id),
                TopicKind::Summary | TopicKind::Root => {}
            }
        }
        id
    }

    fn open_topic(&mut self, seg: Seg, parent: Option<TopicId>, kind: TopicKind, depth: usize) {
        let id = self.new_topic(parent, kind);
        self.frames.push(Frame::Topic {
            seg,
            id,
            depth,
            has_title: false,
            has_children: false,
        });
    }

    fn expect_array(&self, event: &Event, key: &str) -> Result<()> {
        if *event == Event::StartArray {
            Ok(())
        } else {
            Err(self.err(&[Seg::Key(key.into())], "expected an array"))
        }
    }

    fn skip(&mut self, value: &Event<'a>) -> Result<()> {
        self.lx.skip(value).map_err(|e| self.syntax(e))
    }

    fn top(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a frame is open")
    }

    fn step(&mut self, event: Event<'a>) -> Result<()> {
        let here = match self.top() {
            Frame::Top => Here::Top,
            Frame::Sheets { n } => Here::Sheets(*n),
            Frame::Sheet {
                has_title,
                has_root,
                ..
            } => Here::Sheet(*has_title, *has_root),
            Frame::Topic {
                id,
                depth,
                has_title,
                has_children,
                ..
            } => Here::Topic(*id, *depth, *has_title, *has_children),
            Frame::Topics {
                parent,
                kind,
                depth,
                n,
                ..
            } => Here::Topics(*parent, *kind, *depth, *n),
            Frame::Summaries {
                owner, depth, n, ..
            } => Here::Summaries(*owner, *depth, *n),
            Frame::Summary {
                owner,
                index,
                depth,
                start,
                end,
                seen,
                ..
            } => Here::Summary(*owner, *index, *depth, *start, *end, *seen),
        };
        match (here, event) {
            (Here::Top, Event::EndObject) => {
                self.frames.pop();
            }
            (Here::Top, Event::Key(k)) => {
                let value = self.next()?;
                let at = [Seg::Key(k.to_string())];
                match k.as_ref() {
                    "sheets" => {
                        self.expect_array(&value, "sheets")?;
                        self.saw_sheets = true;
                        self.frames.push(Frame::Sheets { n: 0 });
                    }
                    "name" => match self.value(value, &at)? {
                        Value::Null => self.doc.name = None,
                        Value::String(s) => self.doc.name = Some(s),
                        _ => return Err(self.err(&at, "expected a string or null")),
                    },
                    "source" => {
                        self.doc.source = match self.value(value, &at)? {
                            Value::String(s) if s == "content.json" => Source::Json,
                            Value::String(s) if s == "content.xml" => Source::Xml,
                            Value::String(s) => match super::other_format(&s) {
                                Some(name) => Source::Format(name),
                                None => {
                                    return Err(self.err(
                                        &at,
                                        "expected \"content.json\", \"content.xml\" or the name \
                                         of an input format",
                                    ));
                                }
                            },
                            _ => return Err(self.err(&at, "expected a string")),
                        }
                    }
                    "marker_names" => {
                        let Value::Object(m) = self.value(value, &at)? else {
                            return Err(self.err(&at, "expected an object"));
                        };
                        for (id, name) in m {
                            let Value::String(name) = name else {
                                let p = [at[0].clone(), Seg::Key(id)];
                                return Err(self.err(&p, "expected a string"));
                            };
                            self.doc.marker_names.insert(id, name);
                        }
                    }
                    _ => self.skip(&value)?,
                }
            }
            (Here::Sheets(_), Event::EndArray) => {
                self.frames.pop();
            }
            (Here::Sheets(n), Event::StartObject) => {
                if let Frame::Sheets { n } = self.top() {
                    *n += 1;
                }
                self.frames.push(Frame::Sheet {
                    seg: Seg::Index(n),
                    sheet: Box::default(),
                    has_title: false,
                    has_root: false,
                });
            }
            (Here::Sheets(n), _) => {
                return Err(self.err(&[Seg::Index(n)], "expected a sheet object"));
            }
            (Here::Sheet(has_title, has_root), Event::EndObject) => {
                if !has_title || !has_root {
                    let key = if has_title { "root" } else { "title" };
                    return Err(self.err(&[], format!("missing key {key:?}")));
                }
                let Some(Frame::Sheet { sheet, .. }) = self.frames.pop() else {
                    unreachable!("the top frame is a sheet")
                };
                self.doc.sheets.push(*sheet);
            }
            (Here::Sheet(_, has_root), Event::Key(k)) => {
                let at = [Seg::Key(k.to_string())];
                let value = self.next()?;
                match k.as_ref() {
                    "root" if !has_root => {
                        if value != Event::StartObject {
                            return Err(self.err(&at, "expected a topic object"));
                        }
                        if let Frame::Sheet { has_root, .. } = self.top() {
                            *has_root = true;
                        }
                        self.open_topic(Seg::Key("root".into()), None, TopicKind::Root, 0);
                    }
                    "root" => return Err(self.err(&at, "a sheet has one root")),
                    "id" | "title" => {
                        let Value::String(s) = self.value(value, &at)? else {
                            return Err(self.err(&at, "expected a string"));
                        };
                        let is_title = k == "title";
                        if let Frame::Sheet {
                            sheet, has_title, ..
                        } = self.top()
                        {
                            if is_title {
                                *has_title = true;
                                sheet.title = s;
                            } else {
                                sheet.id = s;
                            }
                        }
                    }
                    "relationships" => {
                        let v = self.value(value, &at)?;
                        let rels = self.relationships(v, &at)?;
                        self.sheet().relationships = rels;
                    }
                    _ => self.skip(&value)?,
                }
            }
            (Here::Topic(id, _, has_title, has_children), Event::EndObject) => {
                if !has_title || !has_children {
                    let key = if has_title { "children" } else { "title" };
                    return Err(self.err(&[], format!("missing key {key:?}")));
                }
                self.check_ranges(id)?;
                self.frames.pop();
            }
            (Here::Topic(id, depth, _, _), Event::Key(k)) => {
                let at = [Seg::Key(k.to_string())];
                let value = self.next()?;
                let kind = match k.as_ref() {
                    "children" => Some(TopicKind::Attached),
                    "floating" => Some(TopicKind::Floating),
                    "callouts" => Some(TopicKind::Callout),
                    _ => None,
                };
                if let Some(kind) = kind {
                    self.expect_array(&value, &k)?;
                    if let Frame::Topic { has_children, .. } = self.top() {
                        *has_children |= kind == TopicKind::Attached;
                    }
                    self.frames.push(Frame::Topics {
                        seg: at[0].clone(),
                        parent: id,
                        kind,
                        depth: depth + 1,
                        n: 0,
                    });
                } else if k == "summaries" {
                    self.expect_array(&value, &k)?;
                    self.frames.push(Frame::Summaries {
                        seg: at[0].clone(),
                        owner: id,
                        depth: depth + 1,
                        n: 0,
                    });
                } else {
                    if k == "title" {
                        if let Frame::Topic { has_title, .. } = self.top() {
                            *has_title = true;
                        }
                    }
                    let v = self.value(value, &at)?;
                    self.topic_field(id, &k, v, &at)?;
                }
            }
            (Here::Topics(..) | Here::Summaries(..), Event::EndArray) => {
                self.frames.pop();
            }
            (Here::Topics(parent, kind, depth, n), Event::StartObject) => {
                if let Frame::Topics { n, .. } = self.top() {
                    *n += 1;
                }
                if depth > self.options.limits.max_depth {
                    return Err(depth_limit(FORMAT, &self.options.limits));
                }
                self.open_topic(Seg::Index(n), Some(parent), kind, depth);
            }
            (Here::Topics(.., n), _) => {
                return Err(self.err(&[Seg::Index(n)], "expected a topic object"));
            }
            (Here::Summaries(owner, depth, n), Event::StartObject) => {
                if let Frame::Summaries { n, .. } = self.top() {
                    *n += 1;
                }
                let summaries = &mut self.sheet().topics[owner.index()].summaries;
                summaries.push(Summary {
                    range: None,
                    topic: None,
                });
                let index = summaries.len() - 1;
                self.frames.push(Frame::Summary {
                    seg: Seg::Index(n),
                    owner,
                    index,
                    depth,
                    start: None,
                    end: None,
                    seen: [false; 3],
                });
            }
            (Here::Summaries(.., n), _) => {
                return Err(self.err(&[Seg::Index(n)], "expected a summary object"));
            }
            (Here::Summary(owner, index, _, start, end, seen), Event::EndObject) => {
                if let Some(i) = seen.iter().position(|s| !s) {
                    let key = ["start", "end", "topic"][i];
                    return Err(self.err(&[], format!("missing key {key:?}")));
                }
                let range = match (start, end) {
                    (Some(start), Some(end)) => Some(ChildRange { start, end }),
                    (None, None) => None,
                    _ => {
                        return Err(
                            self.err(&[], "\"start\" and \"end\" are both numbers or both null")
                        );
                    }
                };
                self.sheet().topics[owner.index()].summaries[index].range = range;
                self.frames.pop();
            }
            (Here::Summary(owner, index, depth, ..), Event::Key(k)) => {
                let at = [Seg::Key(k.to_string())];
                let value = self.next()?;
                let which = match k.as_ref() {
                    "start" => 0,
                    "end" => 1,
                    "topic" => 2,
                    _ => return self.skip(&value),
                };
                if let Frame::Summary { seen, .. } = self.top() {
                    seen[which] = true;
                }
                if which == 2 {
                    match value {
                        Event::Null => {}
                        Event::StartObject => {
                            if depth > self.options.limits.max_depth {
                                return Err(depth_limit(FORMAT, &self.options.limits));
                            }
                            let id = TopicId(self.sheet().topics.len() as u32);
                            self.sheet().topics[owner.index()].summaries[index].topic = Some(id);
                            self.open_topic(
                                Seg::Key("topic".into()),
                                Some(owner),
                                TopicKind::Summary,
                                depth,
                            );
                        }
                        _ => return Err(self.err(&at, "expected a topic object or null")),
                    }
                    return Ok(());
                }
                let v = match value {
                    Event::Null => None,
                    Event::Num(n) => Some(n.parse::<usize>().map_err(|_| {
                        self.err(&at, "expected a whole number of at least 0, or null")
                    })?),
                    _ => return Err(self.err(&at, "expected a whole number or null")),
                };
                if let Frame::Summary { start, end, .. } = self.top() {
                    if which == 0 {
                        *start = v;
                    } else {
                        *end = v;
                    }
                }
            }
            (_, _) => unreachable!("objects hold keys; arrays were matched above"),
        }
        Ok(())
    }

    /// Summary and boundary ranges must cover existing children, in order.
    fn check_ranges(&mut self, id: TopicId) -> Result<()> {
        let t = &self.sheet().topics[id.index()];
        let n = t.children.len();
        let bad = |r: &ChildRange| r.start > r.end || r.end >= n;
        let summary = t
            .summaries
            .iter()
            .position(|s| s.range.as_ref().is_some_and(bad));
        let boundary = t.boundaries.iter().position(|b| match &b.range {
            BoundaryRange::Children(r) => bad(r),
            _ => false,
        });
        let problem = summary
            .map(|i| ("summaries", i))
            .or(boundary.map(|i| ("boundaries", i)));
        if let Some((key, i)) = problem {
            return Err(self.err(
                &[Seg::Key(key.into()), Seg::Index(i)],
                format!("the range is not within the topic's {n} children (start ≤ end < {n})"),
            ));
        }
        Ok(())
    }

    fn topic_field(&mut self, id: TopicId, key: &str, v: Value, at: &[Seg]) -> Result<()> {
        let at_key = |k: &str| {
            let mut p = at.to_vec();
            p.push(Seg::Key(k.into()));
            p
        };
        let string = |this: &Self, v: &Value, path: &[Seg]| -> Result<String> {
            match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(this.err(path, "expected a string")),
            }
        };
        let object = |this: &Self, v: Value| -> Result<Map<String, Value>> {
            match v {
                Value::Object(m) => Ok(m),
                _ => Err(this.err(at, "expected an object")),
            }
        };
        let required = |this: &Self, m: &Map<String, Value>, k: &str| -> Result<String> {
            match m.get(k) {
                Some(v) => string(this, v, &at_key(k)),
                None => Err(this.err(at, format!("missing key {k:?}"))),
            }
        };
        let strings = |this: &Self, v: Value| -> Result<Vec<String>> {
            let Value::Array(items) = v else {
                return Err(this.err(at, "expected an array of strings"));
            };
            items
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let mut p = at.to_vec();
                    p.push(Seg::Index(i));
                    string(this, s, &p)
                })
                .collect()
        };
        match key {
            "id" => {
                let s = string(self, &v, at)?;
                self.sheet().topics[id.index()].id = s.into();
            }
            "title" => {
                let s = string(self, &v, at)?;
                self.sheet().topics[id.index()].title = s.into();
            }
            "notes" => {
                let m = object(self, v)?;
                let plain: Text = required(self, &m, "plain")?.into();
                let html = match m.get("html") {
                    Some(h) => Some(string(self, h, &at_key("html"))?.into()),
                    None => None,
                };
                self.sheet().topics[id.index()].notes = Some(Box::new(Notes { plain, html }));
            }
            "labels" => {
                let l = strings(self, v)?;
                self.sheet().topics[id.index()].labels = l.into();
            }
            "markers" => {
                let l = strings(self, v)?;
                self.sheet().topics[id.index()].markers = l.into();
            }
            "link" => {
                let m = object(self, v)?;
                let href = required(self, &m, "href")?;
                self.sheet().topics[id.index()].link = Some(Box::new(Link::new(href)));
            }
            "image" => {
                let m = object(self, v)?;
                let src = required(self, &m, "src")?;
                let mut size = [None, None];
                for (i, k) in ["width", "height"].into_iter().enumerate() {
                    match m.get(k) {
                        None => {}
                        Some(Value::Number(n)) => size[i] = n.as_f64(),
                        Some(_) => return Err(self.err(&at_key(k), "expected a number")),
                    }
                }
                self.sheet().topics[id.index()].image = Some(Box::new(Image {
                    src,
                    width: size[0],
                    height: size[1],
                }));
            }
            "folded" => match v {
                Value::Bool(b) => self.sheet().topics[id.index()].folded = b,
                _ => return Err(self.err(at, "expected true")),
            },
            "boundaries" => {
                let Value::Array(items) = v else {
                    return Err(self.err(at, "expected an array"));
                };
                let mut out = Vec::new();
                for (i, b) in items.into_iter().enumerate() {
                    let mut p = at.to_vec();
                    p.push(Seg::Index(i));
                    let Value::Object(m) = b else {
                        return Err(self.err(&p, "expected an object"));
                    };
                    let title = match m.get("title") {
                        Some(t) => {
                            string(self, t, &[&p[..], &[Seg::Key("title".into())]].concat())?
                        }
                        None => return Err(self.err(&p, "missing key \"title\"")),
                    };
                    let index = |k: &str| -> Result<Option<usize>> {
                        match m.get(k) {
                            None => Ok(None),
                            Some(v) => v.as_u64().map(|n| Some(n as usize)).ok_or_else(|| {
                                self.err(
                                    &[&p[..], &[Seg::Key(k.into())]].concat(),
                                    "expected a whole number of at least 0",
                                )
                            }),
                        }
                    };
                    let range = if m.get("master") == Some(&Value::Bool(true)) {
                        BoundaryRange::Master
                    } else {
                        match (index("start")?, index("end")?) {
                            (Some(start), Some(end)) => {
                                BoundaryRange::Children(ChildRange { start, end })
                            }
                            (None, None) => BoundaryRange::Unknown,
                            _ => {
                                return Err(self.err(&p, "\"start\" and \"end\" go together"));
                            }
                        }
                    };
                    let id = match m.get("id") {
                        Some(t) => string(self, t, &[&p[..], &[Seg::Key("id".into())]].concat())?,
                        None => String::new(),
                    };
                    out.push(Boundary { id, range, title });
                }
                self.sheet().topics[id.index()].boundaries = out.into();
            }
            "comments" => {
                let Value::Array(items) = v else {
                    return Err(self.err(at, "expected an array"));
                };
                let mut out = Vec::new();
                for (i, c) in items.into_iter().enumerate() {
                    let mut p = at.to_vec();
                    p.push(Seg::Index(i));
                    let Value::Object(m) = c else {
                        return Err(self.err(&p, "expected an object"));
                    };
                    let field = |k: &str| -> Result<String> {
                        let kp = [&p[..], &[Seg::Key(k.into())]].concat();
                        match m.get(k) {
                            Some(v) => string(self, v, &kp),
                            None => Err(self.err(&p, format!("missing key {k:?}"))),
                        }
                    };
                    let time = match m.get("time") {
                        Some(Value::Null) | None => None,
                        Some(v) => Some(v.as_i64().ok_or_else(|| {
                            self.err(
                                &[&p[..], &[Seg::Key("time".into())]].concat(),
                                "expected a whole number or null",
                            )
                        })?),
                    };
                    out.push(Comment {
                        author: field("author")?,
                        time,
                        content: field("content")?,
                    });
                }
                self.sheet().topics[id.index()].comments = out.into();
            }
            _ => {}
        }
        Ok(())
    }

    fn relationships(&self, v: Value, at: &[Seg]) -> Result<Vec<Relationship>> {
        let Value::Array(items) = v else {
            return Err(self.err(at, "expected an array"));
        };
        let mut out = Vec::new();
        for (i, r) in items.into_iter().enumerate() {
            let p = [at, &[Seg::Index(i)]].concat();
            let Value::Object(m) = r else {
                return Err(self.err(&p, "expected an object"));
            };
            let field = |k: &str, required: bool| -> Result<String> {
                match m.get(k) {
                    Some(Value::String(s)) => Ok(s.clone()),
                    Some(_) => Err(self.err(
                        &[&p[..], &[Seg::Key(k.into())]].concat(),
                        "expected a string",
                    )),
                    None if required => Err(self.err(&p, format!("missing key {k:?}"))),
                    None => Ok(String::new()),
                }
            };
            out.push(Relationship {
                id: field("id", false)?,
                end1: field("end1", true)?,
                end2: field("end2", true)?,
                title: field("title", true)?,
                from: None,
                to: None,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<Document> {
        read(s.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn a_small_map_reads() {
        let doc = read_str(
            r#"{"name":null,"sheets":[{"title":"S","root":{"title":"R","children":[
            {"id":"a","title":"A","children":[],"notes":{"plain":"n"},"link":{"kind":"web","href":"xmind:#b"}},
            {"id":"b","title":"B","children":[],"markers":["task-done"],"folded":true}],
            "summaries":[{"start":0,"end":1,"topic":{"title":"Σ","children":[]}}]}}]}"#,
        )
        .unwrap();
        let s = &doc.sheets[0];
        assert_eq!(s.title, "S");
        assert_eq!(s.root().title, "R");
        assert_eq!(s.root().children.len(), 2);
        let a = s.topic(s.root().children[0]);
        assert_eq!(a.notes.as_ref().unwrap().plain, "n");
        assert_eq!(a.link.as_ref().unwrap().target.unwrap().topic, TopicId(2));
        let sm = &s.root().summaries[0];
        assert_eq!(sm.range, Some(ChildRange { start: 0, end: 1 }));
        assert_eq!(s.topic(sm.topic.unwrap()).kind, TopicKind::Summary);
    }

    #[test]
    fn errors_name_the_line_or_the_path() {
        let e = read_str("{\"sheets\":[\n  {\"title\": }]}").unwrap_err();
        assert!(
            e.to_string().starts_with("invalid json at line 2, column "),
            "{e}"
        );
        let e = read_str(r#"{"sheets":[{"title":"S","root":{"title":"R","children":[{"title":3,"children":[]}]}}]}"#)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "json: at sheets[0].root.children[0].title: expected a string"
        );
        let e = read_str(r#"{"sheets":[{"title":"S","root":{"title":"R"}}]}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "json: at sheets[0].root: missing key \"children\""
        );
        let e = read_str(r#"{"sheets":[]}"#).unwrap_err();
        assert_eq!(e.to_string(), "json: at sheets: the map has no sheets");
        let e = read_str(r#"{"sheets":[{"title":"S","root":{"title":"R","children":[],"summaries":[{"start":0,"end":0,"topic":null}]}}]}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("at sheets[0].root.summaries[0]: the range"),
            "{e}"
        );
    }

    #[test]
    fn deep_nesting_costs_no_stack() {
        let n = 100_000;
        let mut s = String::from(r#"{"sheets":[{"title":"","root":"#);
        for _ in 0..n {
            s.push_str(r#"{"title":"x","children":["#);
        }
        s.push_str(r#"{"title":"leaf","children":[]}"#);
        for _ in 0..n {
            s.push_str("]}");
        }
        s.push_str("}]}");
        let doc = read_str(&s).unwrap();
        assert_eq!(doc.sheets[0].len(), n + 1);
    }
}
