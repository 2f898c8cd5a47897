//! content.json reader (XMind Zen 2018 to XMind 2026): serde visitors that build the sheet arena
//! directly, with no intermediate `serde_json::Value`.
//!
//! serde is recursive, so the deserializer runs under `serde_stacker`, which moves deep recursion
//! onto heap-allocated stack segments; the depth of topics is checked against
//! [`Limits::max_depth`]. Data structures built here are never recursive (notes spans are flattened
//! as they are read), so nothing deep is left to drop.
//!
//! Leniency: unknown keys are ignored; `title` may be absent, null, a number; `notes` may be a
//! bare string; `markers` may be bare strings; `labels` may be one string; `children` may be an
//! array; a sheet may lack `rootTopic`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    value::MapAccessDeserializer,
};

use super::Limits;
use super::finish::SheetBuilder;
use super::text::{clean, clean_owned, html_to_text, parse_range};
use crate::error::Error;
use crate::model::{
    Comment, Document, Image, Link, Notes, Relationship, Sheet, TopicId, TopicKind,
};

pub(super) fn parse(text: &str, entry: &str, limits: &Limits) -> crate::Result<Document> {
    let mut st = State {
        limits,
        b: SheetBuilder::default(),
        sheets: Vec::new(),
        warnings: Vec::new(),
        marker_names: BTreeMap::new(),
        limit_hit: None,
        dropped_controls: 0,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let result = {
        let mut stacked = serde_stacker::Deserializer::new(&mut de);
        stacked.red_zone = 128 << 10;
        stacked.stack_size = 4 << 20;
        Sheets(&mut st).deserialize(stacked)
    }
    .and_then(|()| de.end());
    if let Some(limit) = st.limit_hit.take() {
        return Err(limit);
    }
    if let Err(e) = result {
        return Err(json_error(entry, &e));
    }
    if st.dropped_controls > 0 {
        st.warnings.push(format!(
            "{entry}: control characters were removed from {} texts",
            st.dropped_controls
        ));
    }
    Ok(Document {
        sheets: st.sheets,
        marker_names: st.marker_names,
        warnings: st.warnings,
        ..Document::default()
    })
}

fn json_error(entry: &str, e: &serde_json::Error) -> Error {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    Error::Json {
        entry: entry.to_string(),
        line: e.line(),
        column: e.column(),
        message,
    }
}

struct State<'l> {
    limits: &'l Limits,
    /// The sheet being read.
    b: SheetBuilder,
    sheets: Vec<Sheet>,
    warnings: Vec<String>,
    marker_names: BTreeMap<String, String>,
    /// A limit error to report instead of serde's message.
    limit_hit: Option<Error>,
    dropped_controls: usize,
}

impl State<'_> {
    /// Cleans one text value and checks its length.
    fn text<E: de::Error>(&mut self, raw: &str, what: &str) -> Result<String, E> {
        self.check_len(raw, what)?;
        let (s, dropped) = clean(raw);
        self.dropped_controls += dropped as usize;
        Ok(s)
    }

    /// [`State::text`] that reuses the allocation of a string already owned.
    fn owned_text<E: de::Error>(&mut self, raw: Cow<str>, what: &str) -> Result<String, E> {
        let raw = match raw {
            Cow::Borrowed(s) => return self.text(s, what),
            Cow::Owned(s) => s,
        };
        self.check_len(&raw, what)?;
        let (s, dropped) = clean_owned(raw);
        self.dropped_controls += dropped as usize;
        Ok(s)
    }

    fn check_len<E: de::Error>(&mut self, raw: &str, what: &str) -> Result<(), E> {
        if raw.len() > self.limits.max_text {
            self.limit_hit = Some(Error::Limit {
                entry: "content.json".into(),
                what: "length of a text",
                limit: super::archive::format_bytes(self.limits.max_text as u64),
                option: "--max-text",
            });
            return Err(E::custom(format_args!("{what} too long")));
        }
        Ok(())
    }

    fn opt_text<E: de::Error>(&mut self, raw: Txt, what: &str) -> Result<String, E> {
        match raw.0 {
            Some(s) => self.owned_text(s, what),
            None => Ok(String::new()),
        }
    }
}

/// Object keys this reader looks at, matched without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Id,
    Title,
    RootTopic,
    Relationships,
    Legend,
    Notes,
    Labels,
    Markers,
    Href,
    Image,
    Children,
    Summaries,
    Boundaries,
    Branch,
    Comments,
    Attached,
    Detached,
    Summary,
    Callout,
    Plain,
    RealHtml,
    Html,
    Content,
    Paragraphs,
    Spans,
    Text,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(match s {
                    "id" => Key::Id,
                    "title" => Key::Title,
                    "rootTopic" => Key::RootTopic,
                    "relationships" => Key::Relationships,
                    "legend" => Key::Legend,
                    "notes" => Key::Notes,
                    "labels" => Key::Labels,
                    "markers" => Key::Markers,
                    "href" => Key::Href,
                    "image" => Key::Image,
                    "children" => Key::Children,
                    "summaries" => Key::Summaries,
                    "boundaries" => Key::Boundaries,
                    "branch" => Key::Branch,
                    "comments" => Key::Comments,
                    "attached" => Key::Attached,
                    "detached" => Key::Detached,
                    "summary" => Key::Summary,
                    "callout" => Key::Callout,
                    "plain" => Key::Plain,
                    "realHTML" => Key::RealHtml,
                    "html" => Key::Html,
                    "content" => Key::Content,
                    "paragraphs" => Key::Paragraphs,
                    "spans" => Key::Spans,
                    "text" => Key::Text,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// A lenient scalar: a string, or a number or boolean written as text; `None` for null, and for
/// arrays and objects (which are skipped). Borrowed from the input when it has no escapes.
#[derive(Default)]
struct Txt<'de>(Option<Cow<'de, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Txt<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Txt<'a>, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Txt<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Txt<'a>, E> {
                Ok(Txt(Some(Cow::Borrowed(s))))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Txt<'a>, E> {
                Ok(Txt(Some(Cow::Owned(s.to_string()))))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Txt<'a>, E> {
                Ok(Txt(Some(Cow::Owned(s))))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Txt<'a>, E> {
                Ok(Txt(Some(Cow::Owned(b.to_string()))))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Txt<'a>, E> {
                Ok(Txt(Some(Cow::Owned(n.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Txt<'a>, E> {
                Ok(Txt(Some(Cow::Owned(n.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Txt<'a>, E> {
                Ok(Txt(Some(Cow::Owned(n.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Txt<'a>, E> {
                Ok(Txt(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Txt<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Txt(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Txt<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Txt(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A lenient number: a JSON number or a numeric string.
#[derive(Default, Clone, Copy)]
struct Num(Option<f64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        let t = Txt::deserialize(d)?;
        Ok(Num(t
            .0
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite())))
    }
}

/// An array, or one element given on its own; null is empty.
struct OneOrMany<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = seq.next_element()? {
                    v.push(x);
                }
                Ok(OneOrMany(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Ok(OneOrMany(vec![T::deserialize(
                    MapAccessDeserializer::new(map),
                )?]))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                use de::IntoDeserializer;
                let d: de::value::StrDeserializer<E> = s.into_deserializer();
                Ok(OneOrMany(vec![T::deserialize(d)?]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OneOrMany(Vec::new()))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// `{"markerId": "priority-1"}`, or the bare id.
struct MarkerItem<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for MarkerItem<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = MarkerItem<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a marker")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<MarkerItem<'a>, E> {
                Ok(MarkerItem(Some(Cow::Borrowed(s))))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<MarkerItem<'a>, E> {
                Ok(MarkerItem(Some(Cow::Owned(s.to_string()))))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MarkerItem<'a>, A::Error> {
                let mut id = None;
                while let Some(k) = map.next_key::<Txt>()? {
                    if matches!(k.0.as_deref(), Some("markerId" | "markerid" | "id")) {
                        id = id.or(map.next_value::<Txt>()?.0);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(MarkerItem(id))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MarkerItem<'a>, E> {
                Ok(MarkerItem(None))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// `image`: `{"src": …, "width": …, "height": …}`, or the bare source.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ImageItem<'a> {
    #[serde(borrow)]
    src: Txt<'a>,
    width: Num,
    height: Num,
}

/// One entry of `summaries` or `boundaries`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RangeItem<'a> {
    #[serde(borrow)]
    range: Txt<'a>,
    #[serde(rename = "topicId", borrow)]
    topic_id: Txt<'a>,
    #[serde(borrow)]
    title: Txt<'a>,
}

/// One entry of `relationships`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RelationshipItem<'a> {
    #[serde(borrow)]
    id: Txt<'a>,
    #[serde(rename = "end1Id", alias = "end1", borrow)]
    end1: Txt<'a>,
    #[serde(rename = "end2Id", alias = "end2", alias = "end2id", borrow)]
    end2: Txt<'a>,
    #[serde(borrow)]
    title: Txt<'a>,
}

/// One entry of a topic's `comments` (old Zen shape).
#[derive(Deserialize, Default)]
#[serde(default)]
struct CommentItem<'a> {
    #[serde(borrow)]
    author: Txt<'a>,
    #[serde(rename = "creationTime", alias = "time")]
    time: Num,
    #[serde(borrow)]
    content: Txt<'a>,
}

/// `legend`: only `markers.<id>.name` matters.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Legend<'a> {
    #[serde(borrow)]
    markers: Option<BTreeMap<String, LegendMarker<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LegendMarker<'a> {
    #[serde(borrow)]
    name: Txt<'a>,
}

// ---------------------------------------------------------------------------------------------
// The tree: sheets → topics → children, built straight into the arena.

struct Sheets<'a, 'l>(&'a mut State<'l>);

impl<'de> DeserializeSeed<'de> for Sheets<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Sheets<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of sheets")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(SheetSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        // One sheet object instead of an array of them.
        SheetSeed(self.0).visit_map(map)
    }
}

struct SheetSeed<'a, 'l>(&'a mut State<'l>);

impl<'de> DeserializeSeed<'de> for SheetSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SheetSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sheet object")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0
            .warnings
            .push("content.json: a null sheet was skipped".into());
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        st.b = SheetBuilder::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Id => {
                    let v = map.next_value::<Txt>()?;
                    st.b.sheet.id = st.opt_text(v, "sheet id")?;
                }
                Key::Title => {
                    let v = map.next_value::<Txt>()?;
                    st.b.sheet.title = st.opt_text(v, "sheet title")?;
                }
                Key::RootTopic if !st.b.has_root() => map.next_value_seed(TopicSeed {
                    st: &mut *st,
                    parent: None,
                    kind: TopicKind::Root,
                    depth: 0,
                })?,
                Key::Relationships => {
                    for r in map.next_value::<OneOrMany<RelationshipItem>>()?.0 {
                        let rel = Relationship {
                            id: st.opt_text(r.id, "relationship id")?,
                            end1: st.opt_text(r.end1, "relationship end")?,
                            end2: st.opt_text(r.end2, "relationship end")?,
                            title: st.opt_text(r.title, "relationship title")?,
                            from: None,
                            to: None,
                        };
                        st.b.sheet.relationships.push(rel);
                    }
                }
                Key::Legend => {
                    let legend = map.next_value::<Legend>()?;
                    for (id, m) in legend.markers.unwrap_or_default() {
                        if let Some(name) = m.name.0.filter(|n| !n.is_empty()) {
                            st.marker_names.insert(id, name.into_owned());
                        }
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let b = std::mem::take(&mut st.b);
        let sheet = b.finish(&mut st.warnings);
        st.sheets.push(sheet);
        Ok(())
    }
}

struct TopicSeed<'a, 'l> {
    st: &'a mut State<'l>,
    parent: Option<TopicId>,
    kind: TopicKind,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for TopicSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopicSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a topic object")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    /// A bare string where a topic belongs: a topic with that title.
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        let title = self.st.text(s, "title")?;
        let id = self.st.b.new_topic(self.parent, self.kind);
        self.st.b.topic(id).title = title;
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.st;
        if self.depth > st.limits.max_depth {
            st.limit_hit = Some(Error::Limit {
                entry: "content.json".into(),
                what: "nesting depth of topics",
                limit: format!("{} levels", st.limits.max_depth),
                option: "--max-depth",
            });
            return Err(de::Error::custom("topics nested too deep"));
        }
        let id = st.b.new_topic(self.parent, self.kind);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Id => {
                    let v = map.next_value::<Txt>()?;
                    st.b.topic(id).id = st.opt_text(v, "topic id")?;
                }
                Key::Title => {
                    let v = map.next_value::<Txt>()?;
                    st.b.topic(id).title = st.opt_text(v, "title")?;
                }
                Key::Notes => {
                    let notes = map.next_value_seed(NotesSeed(&mut *st))?;
                    st.b.topic(id).notes = notes.map(Box::new);
                }
                Key::Labels => {
                    let mut labels = Vec::new();
                    for l in map.next_value::<OneOrMany<Txt>>()?.0 {
                        if l.0.is_some() {
                            labels.push(st.opt_text(l, "label")?);
                        }
                    }
                    st.b.topic(id).labels = labels.into();
                }
                Key::Markers => {
                    let mut markers = Vec::new();
                    for m in map.next_value::<OneOrMany<MarkerItem>>()?.0 {
                        if let Some(m) = m.0.filter(|m| !m.is_empty()) {
                            markers.push(st.owned_text(m, "marker id")?);
                        }
                    }
                    st.b.topic(id).markers = markers.into();
                }
                Key::Href => {
                    let v = map.next_value::<Txt>()?;
                    let href = st.opt_text(v, "link")?;
                    if !href.trim().is_empty() {
                        st.b.topic(id).link = Some(Box::new(Link::new(href)));
                    }
                }
                Key::Image => {
                    let img = map
                        .next_value::<OneOrMany<ImageItem>>()?
                        .0
                        .into_iter()
                        .next();
                    if let Some(img) = img {
                        let src = st.opt_text(img.src, "image source")?;
                        if !src.is_empty() {
                            st.b.topic(id).image = Some(Box::new(Image {
                                src,
                                width: img.width.0,
                                height: img.height.0,
                            }));
                        }
                    }
                }
                Key::Children => map.next_value_seed(ChildrenSeed {
                    st: &mut *st,
                    parent: id,
                    depth: self.depth,
                })?,
                Key::Summaries => {
                    for r in map.next_value::<OneOrMany<RangeItem>>()?.0 {
                        let range = parse_range(r.range.0.as_deref().unwrap_or(""));
                        let topic = r.topic_id.0.unwrap_or_default().into_owned();
                        st.b.summary(id, topic, range);
                    }
                }
                Key::Boundaries => {
                    for r in map.next_value::<OneOrMany<RangeItem>>()?.0 {
                        let range = parse_range(r.range.0.as_deref().unwrap_or(""));
                        let title = st.opt_text(r.title, "boundary title")?;
                        st.b.boundary(id, range, title);
                    }
                }
                Key::Branch => {
                    let v = map.next_value::<Txt>()?;
                    st.b.topic(id).folded = v.0.as_deref() == Some("folded");
                }
                Key::Comments => {
                    let mut comments = Vec::new();
                    for c in map.next_value::<OneOrMany<CommentItem>>()?.0 {
                        comments.push(Comment {
                            author: st.opt_text(c.author, "comment author")?,
                            time: c.time.0.map(|t| t as i64),
                            content: st.opt_text(c.content, "comment")?,
                        });
                    }
                    st.b.topic(id).comments = comments.into();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// `children`: `{attached, detached, summary, callout}`; an array is read as `attached`.
struct ChildrenSeed<'a, 'l> {
    st: &'a mut State<'l>,
    parent: TopicId,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ChildrenSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ChildrenSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a children object")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        TopicList {
            st: self.st,
            parent: self.parent,
            kind: TopicKind::Attached,
            depth: self.depth + 1,
        }
        .visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Key>()? {
            // Any other child type is kept, as attached children (XMind's model does the same).
            let kind = match key {
                Key::Detached => TopicKind::Floating,
                Key::Summary => TopicKind::Summary,
                Key::Callout => TopicKind::Callout,
                _ => TopicKind::Attached,
            };
            map.next_value_seed(TopicList {
                st: &mut *self.st,
                parent: self.parent,
                kind,
                depth: self.depth + 1,
            })?;
        }
        Ok(())
    }
}

struct TopicList<'a, 'l> {
    st: &'a mut State<'l>,
    parent: TopicId,
    kind: TopicKind,
    depth: usize,
}

impl<'l> TopicList<'_, 'l> {
    fn seed(&mut self) -> TopicSeed<'_, 'l> {
        TopicSeed {
            st: &mut *self.st,
            parent: Some(self.parent),
            kind: self.kind,
            depth: self.depth,
        }
    }
}

impl<'de> DeserializeSeed<'de> for TopicList<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopicList<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of topics")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self.seed())?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, map: A) -> Result<(), A::Error> {
        self.seed().visit_map(map)
    }
}

// ---------------------------------------------------------------------------------------------
// Notes: `plain`, `realHTML` (an HTML string), `html` (Zen's paragraphs of spans), `ops`.

struct NotesSeed<'a, 'l>(&'a mut State<'l>);

impl<'de> DeserializeSeed<'de> for NotesSeed<'_, '_> {
    type Value = Option<Notes>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Notes>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NotesSeed<'_, '_> {
    type Value = Option<Notes>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("notes")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<Notes>, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<Notes>, E> {
        let plain = self.0.text(s, "note")?;
        Ok((!plain.is_empty()).then_some(Notes { plain, html: None }))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Notes>, A::Error> {
        let st = self.0;
        let (mut plain, mut real_html, mut zen) = (None, None, None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Plain => plain = map.next_value::<ContentText>()?.0,
                Key::RealHtml => real_html = map.next_value::<ContentText>()?.0,
                Key::Html => {
                    let mut out = ZenHtml::default();
                    map.next_value_seed(ZenHtmlSeed(&mut out))?;
                    zen = Some(out);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let html = match (real_html, zen.as_mut()) {
            (Some(h), _) if !h.is_empty() => Some(h),
            (_, Some(z)) if !z.html.is_empty() => Some(Cow::Owned(std::mem::take(&mut z.html))),
            _ => None,
        };
        let plain = match plain {
            Some(p) => p,
            None => Cow::Owned(match (zen, &html) {
                (Some(z), _) if !z.plain.is_empty() => z.plain,
                (_, Some(h)) => html_to_text(h),
                _ => String::new(),
            }),
        };
        if plain.is_empty() && html.is_none() {
            return Ok(None);
        }
        let plain = st.owned_text(plain, "note")?;
        let html = match html {
            Some(h) => Some(st.owned_text(h, "note")?),
            None => None,
        };
        Ok(Some(Notes { plain, html }))
    }
}

/// `{"content": "…"}`, or the bare string.
struct ContentText<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for ContentText<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = ContentText<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("note content")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<ContentText<'a>, E> {
                Ok(ContentText(Some(Cow::Borrowed(s))))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ContentText<'a>, E> {
                Ok(ContentText(Some(Cow::Owned(s.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ContentText<'a>, E> {
                Ok(ContentText(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContentText<'a>, A::Error> {
                let mut out = None;
                while let Some(k) = map.next_key::<Key>()? {
                    if k == Key::Content {
                        out = map.next_value::<Txt>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(ContentText(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// Zen's structured notes, flattened while reading into an HTML string and plain text.
#[derive(Default)]
struct ZenHtml {
    html: String,
    plain: String,
}

/// Walks `{"content": {"paragraphs": [{"spans": [...]}]}}` at any nesting of wrapper objects.
struct ZenHtmlSeed<'a>(&'a mut ZenHtml);

impl<'de> DeserializeSeed<'de> for ZenHtmlSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ZenHtmlSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("structured notes")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        // An HTML string where Zen puts its paragraphs.
        self.0.html.push_str(s);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<Key>()? {
            match k {
                Key::Content => map.next_value_seed(ZenHtmlSeed(&mut *self.0))?,
                Key::Paragraphs => map.next_value_seed(Paragraphs(&mut *self.0))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Paragraphs<'a>(&'a mut ZenHtml);

impl<'de> DeserializeSeed<'de> for Paragraphs<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Paragraphs<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("paragraphs")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            let mut p = ZenHtml::default();
            if seq.next_element_seed(Spans(&mut p))?.is_none() {
                break;
            }
            if !self.0.html.is_empty() {
                self.0.plain.push('\n');
            }
            self.0.html.push_str("<p>");
            self.0.html.push_str(&p.html);
            self.0.html.push_str("</p>");
            self.0.plain.push_str(&p.plain);
        }
        Ok(())
    }
}

/// A paragraph `{"spans": [...]}` or a span `{"text"}`, `{"href", "spans"}`, `{"image"}`;
/// arrays of either are read in order.
struct Spans<'a>(&'a mut ZenHtml);

impl<'de> DeserializeSeed<'de> for Spans<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Spans<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("spans")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.0.plain.push_str(s);
        escape_html_into(&mut self.0.html, s);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Spans(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut inner = ZenHtml::default();
        let (mut href, mut image) = (None, None);
        while let Some(k) = map.next_key::<Txt>()? {
            match k.0.as_deref() {
                Some("text" | "spans") => map.next_value_seed(Spans(&mut inner))?,
                Some("href") => href = map.next_value::<Txt>()?.0,
                Some("image") => image = map.next_value::<Txt>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let out = self.0;
        if let Some(src) = image {
            out.html.push_str("<img src=\"");
            escape_html_into(&mut out.html, &src);
            out.html.push_str("\">");
        }
        match href {
            Some(h) => {
                out.html.push_str("<a href=\"");
                escape_html_into(&mut out.html, &h);
                out.html.push_str("\">");
                out.html.push_str(&inner.html);
                out.html.push_str("</a>");
            }
            None => out.html.push_str(&inner.html),
        }
        out.plain.push_str(&inner.plain);
        Ok(())
    }
}

fn escape_html_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
}
