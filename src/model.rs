//! The neutral outline model every reader fills and every emitter reads: Document → Sheet → Topic.
//!
//! Topics of a sheet live in one flat arena (`Sheet::topics`) and point at each other with
//! [`TopicId`] indexes. A deep map is therefore a long `Vec`, not a deep chain of boxes: dropping,
//! cloning, comparing and debug-printing a 100,000-level map never recurses. Walk the tree with
//! [`Sheet::walk`] (an explicit stack) instead of writing recursive code.
//!
//! Each field says where it comes from: first the key in `content.json` (XMind Zen / 2020 and
//! later), then the element or attribute in `content.xml` (XMind 3 to 8).

use std::collections::BTreeMap;

/// One `.xmind` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// The file name the map was read from (`大模型发展.xmind`), or `None` for bytes or stdin.
    /// Not stored in the archive; set by [`crate::read::read_path`].
    pub name: Option<String>,
    /// The sheets (tabs) in tab order: the top-level JSON array; `<sheet>` elements of
    /// `<xmap-content>`.
    pub sheets: Vec<Sheet>,
    /// Which generation the content came from.
    pub source: Source,
    /// Names of custom markers, by marker id: `legend.markers.<id>.name` in content.json;
    /// `markers/markerSheet.xml` `<marker id name>` (and `<legend><marker-description>`) for XML.
    pub marker_names: BTreeMap<String, String>,
    /// Files stored in the archive that the map refers to (`xap:` images and attachments), by
    /// their path in the archive (`resources/ab12….png`). Empty unless
    /// [`crate::read::ReadOptions::media`] asked for them.
    pub media: BTreeMap<String, Vec<u8>>,
    /// Messages about input that was read leniently (dropped control characters, dangling
    /// relationship ends, malformed ranges). Never fatal.
    pub warnings: Vec<String>,
}

impl Document {
    /// Keeps only the sheets at `indexes` (into [`Document::sheets`]), in that order. Topic links
    /// are re-pointed at the sheets' new positions; a link into a sheet that was dropped loses
    /// its target.
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn select_sheets(&mut self, indexes: &[usize]) {
        let new_index = |old: usize| indexes.iter().position(|&i| i == old);
        let mut old: Vec<Option<Sheet>> = self.sheets.drain(..).map(Some).collect();
        self.sheets = indexes.iter().filter_map(|&i| old[i].take()).collect();
        for sheet in &mut self.sheets {
            for t in &mut sheet.topics {
                if let Some(link) = t.link.as_mut() {
                    link.target = link
                        .target
                        .and_then(|r| new_index(r.sheet).map(|sheet| TopicRef { sheet, ..r }));
                }
            }
        }
    }
}

/// What the map was read from: which entry of an `.xmind` archive, or which other format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// `content.json`: XMind Zen (2018/2019), XMind 2020 to 2026.
    #[default]
    Json,
    /// `content.xml`: XMind 3 to XMind 8 (format 2.0).
    Xml,
    /// Another input format, by the name of the reader that read it: `markdown`, `opml`,
    /// `freemind`, `mermaid` or `text`. (Our own JSON keeps the source it names.)
    Format(&'static str),
}

/// Index of a topic in its sheet's [`Sheet::topics`] arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicId(pub u32);

impl TopicId {
    /// The root topic is always the first topic of a sheet's arena.
    pub const ROOT: TopicId = TopicId(0);

    /// The arena index as `usize`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One sheet (tab) of a map.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    /// Sheet id: `id`; `<sheet id>`.
    pub id: String,
    /// Tab name: `title`; `<sheet><title>`. Empty when absent (SDK-written files).
    pub title: String,
    /// Every topic of the sheet; `topics[0]` is the root topic (`rootTopic`; the `<topic>` child
    /// of `<sheet>`). A sheet with no root topic gets an empty one, so the root always exists.
    pub topics: Vec<Topic>,
    /// Lines between topics: `relationships`; `<relationships><relationship>`.
    pub relationships: Vec<Relationship>,
}

/// How a topic hangs from its parent: the key of `children` in content.json, the `type` of
/// `<topics>` in content.xml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TopicKind {
    /// The sheet's central topic.
    Root,
    /// An ordinary subtopic: `children.attached`; `<topics type="attached">`.
    #[default]
    Attached,
    /// A floating topic, a separate tree anchored to its parent: `children.detached`;
    /// `<topics type="detached">`.
    Floating,
    /// The topic a summary points at: `children.summary`; `<topics type="summary">`.
    Summary,
    /// A callout bubble: `children.callout`; `<topics type="callout">`.
    Callout,
}

/// One topic (node) of a map.
///
/// Lists are [`List`]s (most topics leave them empty, and most topics are leaves): one pointer,
/// no allocation when empty, and read like slices (`t.children.iter()`, `t.labels.is_empty()`,
/// `&t.callouts[..]`). A 100,000-topic map holds 100,000 of these, so the struct is kept small.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// Topic id: `id`; `<topic id>`. Targets of topic links and relationships.
    pub id: Text,
    /// Title text: `title`; `<title>`. Empty when absent. Line breaks are `\n`.
    pub title: Text,
    /// How this topic hangs from its parent.
    pub kind: TopicKind,
    /// The topic this one hangs from, as an arena index; `u32::MAX` for the root. Read it with
    /// [`Topic::parent`].
    parent: u32,
    /// Attached subtopics in order: `children.attached`; `<children><topics type="attached">`.
    pub children: List<TopicId>,
    /// Floating topics anchored here: `children.detached`; `<topics type="detached">`.
    pub floating: List<TopicId>,
    /// Callouts: `children.callout`; `<topics type="callout">`.
    pub callouts: List<TopicId>,
    /// Summaries over ranges of `children`: `summaries` joined with `children.summary` on
    /// `topicId`; `<summaries><summary topic-id>` joined with `<topics type="summary">`.
    pub summaries: List<Summary>,
    /// Boundaries around ranges of `children`: `boundaries`; `<boundaries><boundary>`.
    pub boundaries: List<Boundary>,
    /// Notes: `notes`; `<notes>`.
    pub notes: Option<Box<Notes>>,
    /// Labels in order: `labels`; `<labels><label>`.
    pub labels: List<String>,
    /// Marker ids in order (`priority-1`, `task-done`, …): `markers[].markerId`;
    /// `<marker-refs><marker-ref marker-id>`.
    pub markers: List<String>,
    /// Hyperlink: `href`; `xlink:href` attribute of `<topic>`.
    pub link: Option<Box<Link>>,
    /// Topic image: `image`; `<xhtml:img>`.
    pub image: Option<Box<Image>>,
    /// Comments (XMind 8): `comments.xml` entries whose `object-id` is this topic; `comments`
    /// in content.json when a writer put them there.
    pub comments: List<Comment>,
    /// Collapsed in the editor: `"branch": "folded"`; `branch="folded"`.
    pub folded: bool,
}

impl Default for Topic {
    fn default() -> Topic {
        Topic {
            id: Text::default(),
            title: Text::default(),
            kind: TopicKind::default(),
            parent: NO_PARENT,
            children: List::new(),
            floating: List::new(),
            callouts: List::new(),
            summaries: List::new(),
            boundaries: List::new(),
            notes: None,
            labels: List::new(),
            markers: List::new(),
            link: None,
            image: None,
            comments: List::new(),
            folded: false,
        }
    }
}

const NO_PARENT: u32 = u32::MAX;

impl Topic {
    /// A topic with this title and nothing else.
    pub fn new(title: impl Into<Text>) -> Topic {
        Topic {
            title: title.into(),
            ..Topic::default()
        }
    }

    /// The topic this one hangs from (`None` for the root).
    pub fn parent(&self) -> Option<TopicId> {
        (self.parent != NO_PARENT).then_some(TopicId(self.parent))
    }

    /// Hangs this topic from `parent` (for readers building the arena).
    pub fn set_parent(&mut self, parent: Option<TopicId>) {
        self.parent = parent.map_or(NO_PARENT, |p| p.0);
    }
}

/// A topic's id or title: a string holding exactly its bytes. It reads like a `&str`
/// (`t.title.is_empty()`, `t.title.lines()`, `&t.title[..]`, `t.title == "x"`) and is made from a
/// `String` or `&str` with `.into()`.
///
/// Held as a [`compact_str::CompactString`]: a text of up to 24 bytes (most ids and many titles)
/// is stored in place, with no allocation of its own; a longer one is on the heap, as a `String`
/// would be. A 100,000-topic map holds 200,000 of these, and one allocation each was a tenth of
/// the reader's time.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(compact_str::CompactString);

impl Text {
    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    /// Takes the string's buffer when it is longer than 24 bytes; a shorter one is copied in
    /// place and its buffer freed.
    fn from(s: String) -> Text {
        Text(s.into())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.into())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0.into_string()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

/// A list that is usually empty: a single pointer, with no allocation while empty. It
/// dereferences to a slice, so it reads like a `Vec` (`len`, `iter`, `is_empty`, indexing,
/// `join`, `for x in &list`), and grows with [`List::push`].
#[derive(Clone)]
// The box keeps the field one pointer wide; a bare Vec would be three.
#[allow(clippy::box_collection)]
pub struct List<T>(Option<Box<Vec<T>>>);

impl<T> List<T> {
    /// An empty list (no allocation).
    pub const fn new() -> List<T> {
        List(None)
    }

    /// Appends an item. The first item allocates room for one: most lists stay that short.
    pub fn push(&mut self, item: T) {
        self.0
            .get_or_insert_with(|| Box::new(Vec::with_capacity(1)))
            .push(item);
    }

    /// The items as a slice.
    pub fn as_slice(&self) -> &[T] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// The items as a mutable slice.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.0.as_deref_mut().map_or(&mut [], Vec::as_mut_slice)
    }

    /// The items as a `Vec`, without copying them.
    pub fn into_vec(self) -> Vec<T> {
        self.0.map_or_else(Vec::new, |v| *v)
    }
}

impl<T> Default for List<T> {
    fn default() -> List<T> {
        List(None)
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> std::ops::DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for List<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
}

impl<T> From<Vec<T>> for List<T> {
    /// Takes the items without copying them; spare capacity is given back.
    fn from(mut v: Vec<T>) -> List<T> {
        v.shrink_to_fit();
        List((!v.is_empty()).then(|| Box::new(v)))
    }
}

impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> List<T> {
        Vec::from_iter(iter).into()
    }
}

impl<T> Extend<T> for List<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter().peekable();
        if iter.peek().is_some() {
            self.0.get_or_insert_with(Box::default).extend(iter);
        }
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<'a, T> IntoIterator for &'a mut List<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_mut_slice().iter_mut()
    }
}

impl<T: PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &List<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for List<T> {}

impl<T: PartialEq<U>, U> PartialEq<[U]> for List<T> {
    fn eq(&self, other: &[U]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq<U>, U> PartialEq<&[U]> for List<T> {
    fn eq(&self, other: &&[U]) -> bool {
        self.as_slice() == *other
    }
}

impl<T: PartialEq<U>, U, const N: usize> PartialEq<[U; N]> for List<T> {
    fn eq(&self, other: &[U; N]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq<U>, U> PartialEq<Vec<U>> for List<T> {
    fn eq(&self, other: &Vec<U>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// A topic's notes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Notes {
    /// The note as plain text, line breaks as `\n`: `notes.plain.content`; `<notes><plain>`.
    /// When the file has only a rich note, the text of that note.
    pub plain: Text,
    /// The rich note as an HTML fragment, when the file has one: `notes.realHTML.content`, or
    /// `notes.html.content.paragraphs` turned into `<p>` elements; `<notes><html>` with the
    /// `xhtml:` prefix removed.
    pub html: Option<Text>,
}

/// What a topic's hyperlink points at, from the form of `href`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `http:`, `https:`, `mailto:`, `ftp:`, or a bare `www.` host.
    Web,
    /// `xmind:#<id>`: another topic (or sheet) of the same workbook.
    Topic,
    /// `file:` a local file, absolute or relative to the map.
    File,
    /// `xap:<entry>`: a file stored inside the archive (`resources/…`, `attachments/…`).
    Attachment,
    /// Any other scheme (`obsidian://…`), passed through.
    Other,
}

/// A topic's hyperlink: `href`; `xlink:href`.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The classification of `href`.
    pub kind: LinkKind,
    /// The value as stored in the file.
    pub href: Text,
    /// For [`LinkKind::Topic`]: where the target topic is, when it exists in this document.
    pub target: Option<TopicRef>,
}

impl Link {
    /// Classifies a raw `href` value.
    pub fn new(href: impl Into<Text>) -> Link {
        let href = href.into();
        Link {
            kind: classify_href(&href),
            href,
            target: None,
        }
    }

    /// The archive entry of an attachment (`xap:resources/x.txt` → `resources/x.txt`), or the
    /// topic id of a topic link (`xmind:#abc` → `abc`); otherwise the whole `href`.
    pub fn target_name(&self) -> &str {
        match self.kind {
            LinkKind::Attachment => self.href.strip_prefix("xap:").unwrap_or(&self.href),
            LinkKind::Topic => self.href.strip_prefix("xmind:#").unwrap_or(&self.href),
            _ => &self.href,
        }
    }
}

fn classify_href(href: &str) -> LinkKind {
    let lower = href.trim_start().to_ascii_lowercase();
    if lower.starts_with("xmind:#") {
        LinkKind::Topic
    } else if lower.starts_with("xap:") {
        LinkKind::Attachment
    } else if lower.starts_with("file:") {
        LinkKind::File
    } else if ["http://", "https://", "mailto:", "ftp://", "www."]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        LinkKind::Web
    } else {
        LinkKind::Other
    }
}

/// Where a topic is in a document: its sheet's index and its id in that sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TopicRef {
    /// Index into [`Document::sheets`].
    pub sheet: usize,
    /// Index into that sheet's [`Sheet::topics`].
    pub topic: TopicId,
}

/// A topic image: `image`; `<xhtml:img>`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Image {
    /// `image.src`; `xhtml:src`. Usually `xap:resources/<sha256>.<ext>` (an archive entry), sometimes
    /// an external URL.
    pub src: String,
    /// `image.width`; `svg:width`.
    pub width: Option<f64>,
    /// `image.height`; `svg:height`.
    pub height: Option<f64>,
}

impl Image {
    /// The archive entry the image is stored in (`resources/…` or `attachments/…`), if any.
    pub fn entry(&self) -> Option<&str> {
        self.src.strip_prefix("xap:")
    }
}

/// A range of a topic's attached children, zero-based and inclusive at both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildRange {
    /// First child covered.
    pub start: usize,
    /// Last child covered (`end >= start`).
    pub end: usize,
}

/// A summary: a bracket over some attached children, pointing at a summary topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The children covered: `summaries[].range`; `<summary range>`, e.g. `(0,2)`. `None` when the
    /// range is missing or cannot be read at all; a malformed end like `(0,)` covers one child.
    /// Always clamped to the existing children.
    pub range: Option<ChildRange>,
    /// The summary topic (of kind [`TopicKind::Summary`]): the `children.summary` topic whose id
    /// is `summaries[].topicId`; `<topics type="summary">` topic whose id is `topic-id`. `None`
    /// when that topic does not exist.
    pub topic: Option<TopicId>,
}

/// Which part of a topic a boundary surrounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryRange {
    /// `"master"`: the topic itself with its whole subtree.
    Master,
    /// Some attached children.
    Children(ChildRange),
    /// The range was missing or unreadable.
    Unknown,
}

/// A boundary: `boundaries[]`; `<boundaries><boundary>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    /// `id`; `id` attribute. Relationship ends may name it (XMind draws lines to boundaries).
    /// Empty when absent.
    pub id: String,
    /// `range`; `range` attribute.
    pub range: BoundaryRange,
    /// Label shown on the boundary: `title`; `<title>`. Empty when absent.
    pub title: String,
}

/// A relationship line between two topics: `relationships[]`; `<relationship>`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Relationship {
    /// `id`; `id` attribute.
    pub id: String,
    /// Id of the first end: `end1Id`; `end1`.
    pub end1: String,
    /// Id of the second end: `end2Id`; `end2`.
    pub end2: String,
    /// The topic of the first end, when it exists in the sheet.
    pub from: Option<TopicId>,
    /// The topic of the second end, when it exists in the sheet.
    pub to: Option<TopicId>,
    /// Label on the line: `title`; `<title>`. Empty when absent.
    pub title: String,
}

/// A comment on a topic (XMind 8): `<comment author time>` in `comments.xml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comment {
    /// `author` attribute.
    pub author: String,
    /// `time` attribute: milliseconds since the Unix epoch.
    pub time: Option<i64>,
    /// `<content>` text.
    pub content: String,
}

impl Sheet {
    /// An empty sheet whose root topic has this title.
    pub fn new(root_title: impl Into<Text>) -> Sheet {
        let mut root = Topic::new(root_title);
        root.kind = TopicKind::Root;
        Sheet {
            topics: vec![root],
            ..Sheet::default()
        }
    }

    /// The root (central) topic.
    ///
    /// # Panics
    /// Only on a hand-built sheet with an empty arena; readers always create a root.
    pub fn root(&self) -> &Topic {
        &self.topics[0]
    }

    /// The topic with this id.
    pub fn topic(&self, id: TopicId) -> &Topic {
        &self.topics[id.index()]
    }

    /// Adds `topic` under `parent` as `kind` and returns its id.
    pub fn add(&mut self, parent: TopicId, kind: TopicKind, mut topic: Topic) -> TopicId {
        let id = TopicId(self.topics.len() as u32);
        topic.kind = kind;
        topic.set_parent(Some(parent));
        self.topics.push(topic);
        let p = &mut self.topics[parent.index()];
        match kind {
            TopicKind::Floating => p.floating.push(id),
            TopicKind::Callout => p.callouts.push(id),
            TopicKind::Summary => p.summaries.push(Summary {
                range: None,
                topic: Some(id),
            }),
            TopicKind::Attached | TopicKind::Root => p.children.push(id),
        }
        id
    }

    /// Depth-first, pre-order walk over `start` and its attached children, without recursion.
    /// `visit` gets each topic with its depth (0 for `start`) and returns whether to descend into
    /// its children.
    pub fn walk(&self, start: TopicId, mut visit: impl FnMut(TopicId, usize) -> bool) {
        let mut stack = vec![(start, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            if visit(id, depth) {
                let t = self.topic(id);
                stack.extend(t.children.iter().rev().map(|&c| (c, depth + 1)));
            }
        }
    }

    /// Every floating topic of the sheet, in document order (pre-order over all topics, the
    /// floating topics of a topic after its attached subtree), including floating topics that
    /// hang inside other floating topics.
    pub fn floating_topics(&self) -> Vec<TopicId> {
        let mut out = Vec::new();
        // Pre-order over every kind of child, collecting the floating ones.
        let mut stack = vec![TopicId::ROOT];
        while let Some(id) = stack.pop() {
            let t = self.topic(id);
            if t.kind == TopicKind::Floating {
                out.push(id);
            }
            let summary_topics = t.summaries.iter().filter_map(|s| s.topic);
            let start = stack.len();
            stack.extend(t.children.iter().copied());
            stack.extend(t.floating.iter().copied());
            stack.extend(t.callouts.iter().copied());
            stack.extend(summary_topics);
            stack[start..].reverse();
        }
        out
    }

    /// Number of topics in the sheet, of every kind.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    /// Whether the arena is empty (never true for a sheet made by a reader).
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_classified_by_prefix() {
        let kind = |h: &str| Link::new(h).kind;
        assert_eq!(kind("https://example.com"), LinkKind::Web);
        assert_eq!(kind("www.acwing.com"), LinkKind::Web);
        assert_eq!(kind("xmind:#abc"), LinkKind::Topic);
        assert_eq!(kind("xap:resources/a.txt"), LinkKind::Attachment);
        assert_eq!(kind("file:///tmp/a.png"), LinkKind::File);
        assert_eq!(kind("obsidian://open?vault=x"), LinkKind::Other);
        assert_eq!(
            Link::new("xap:resources/a.txt").target_name(),
            "resources/a.txt"
        );
        assert_eq!(Link::new("xmind:#abc").target_name(), "abc");
    }

    #[test]
    fn selecting_sheets_repoints_topic_links() {
        let mut doc = Document::default();
        for title in ["a", "b", "c"] {
            doc.sheets.push(Sheet::new(title));
        }
        let mut to_c = Link::new("xmind:#c-root");
        to_c.target = Some(TopicRef {
            sheet: 2,
            topic: TopicId::ROOT,
        });
        let mut to_b = Link::new("xmind:#b-root");
        to_b.target = Some(TopicRef {
            sheet: 1,
            topic: TopicId::ROOT,
        });
        doc.sheets[0].topics[0].link = Some(Box::new(to_c));
        doc.sheets[2].topics[0].link = Some(Box::new(to_b));
        doc.select_sheets(&[2, 0]);
        let target = |s: usize| doc.sheets[s].root().link.as_ref().unwrap().target;
        assert_eq!(doc.sheets[0].root().title, "c");
        assert_eq!(target(0), None, "sheet b was dropped");
        assert_eq!(target(1).unwrap().sheet, 0, "sheet c is now first");
    }

    #[test]
    fn lists_read_like_slices_and_stay_small() {
        let mut l: List<String> = List::new();
        assert!(l.is_empty() && l == List::default() && l == Vec::<String>::new());
        l.push("a".into());
        l.extend(["b".to_string()]);
        assert_eq!(l, ["a", "b"]);
        assert_eq!(
            (l.len(), l.join(", "), &l[1]),
            (2, "a, b".to_string(), &"b".to_string())
        );
        assert_eq!(format!("{l:?}"), r#"["a", "b"]"#);
        assert_eq!(List::from(Vec::<u8>::new()), List::new());
        let v: Vec<&String> = (&l).into_iter().collect();
        assert_eq!(v.len(), 2);
        assert_eq!(
            std::mem::size_of::<List<String>>(),
            std::mem::size_of::<usize>()
        );
        #[cfg(target_pointer_width = "64")]
        assert!(
            std::mem::size_of::<Topic>() <= 144,
            "{}",
            std::mem::size_of::<Topic>()
        );
    }

    #[test]
    fn walk_is_preorder_and_handles_deep_chains() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..200_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let mut n = 0;
        let mut max = 0;
        s.walk(TopicId::ROOT, |_, d| {
            n += 1;
            max = max.max(d);
            true
        });
        assert_eq!((n, max), (200_001, 200_000));
        let copy = s.clone();
        assert_eq!(copy, s);
        drop(copy);
    }
}
