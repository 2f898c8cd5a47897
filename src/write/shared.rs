//! What the FreeMind, Org, PlantUML and Graphviz emitters share: which topics are written and in
//! what order (a walk with an explicit stack, never recursion), unique ids, and the extras as
//! short lines of plain text.
//!
//! The tree these formats write: a sheet's root topic, below each topic its attached children,
//! then the topics of its summaries (when summaries are wanted), then its callouts (when callouts
//! are wanted), all down to `--depth`; and each floating topic of the sheet (when wanted) as the
//! start of a tree of its own, one level below the root (`--depth 0` leaves them out). A topic is
//! written at most once, even if a malformed file lists it twice.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, RandomState};
use std::io;

use hashbrown::HashTable;

use super::outline::{self, Parts, Role, walk_outline};
use super::{Extra, WriteOptions};
use crate::markers;
use crate::model::{BoundaryRange, ChildRange, Comment, Document, Link, Sheet, Topic, TopicId};

/// Why a topic is written where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A sheet's root topic.
    Root,
    /// An attached subtopic.
    Attached,
    /// The topic of the summary at this index of its parent's `summaries`.
    Summary(usize),
    /// A callout of its parent.
    Callout,
    /// A floating topic, the start of a tree of its own.
    Floating,
}

/// A topic in the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Node {
    pub id: TopicId,
    /// Levels below the root (floating topics are at 1).
    pub depth: usize,
    pub kind: Kind,
}

/// One step of a walk: entering a topic, or leaving it after everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visit {
    Enter(Node),
    Leave(Node),
}

/// A document with the options of one run, and which topics that run writes.
pub(crate) struct Ctx<'a> {
    pub doc: &'a Document,
    pub opts: &'a WriteOptions,
    on: [bool; Extra::ALL.len()],
    /// Per sheet, indexed like `Sheet::topics`.
    written: Vec<Vec<bool>>,
    /// Per sheet: see [`Ctx::relationships_at`]. Built once, so that looking up a topic's
    /// relationships costs the same whatever the number of relationships.
    rel_ends: Vec<HashMap<TopicId, Vec<(usize, bool)>>>,
}

impl<'a> Ctx<'a> {
    /// `defaults`: the extras this format writes unless told otherwise.
    pub fn new(doc: &'a Document, opts: &'a WriteOptions, defaults: &[Extra]) -> Self {
        let on = Extra::ALL.map(|e| opts.wants(e, defaults.contains(&e)));
        let mut ctx = Ctx {
            doc,
            opts,
            on,
            written: Vec::new(),
            rel_ends: Vec::new(),
        };
        let written = doc
            .sheets
            .iter()
            .map(|sheet| {
                let mut seen = vec![false; sheet.len()];
                for (start, depth, kind) in ctx.tops(sheet) {
                    // Only records what is entered; the closure cannot fail.
                    let _ = ctx.walk(sheet, start, depth, kind, &mut seen, |_| Ok(()));
                }
                seen
            })
            .collect();
        ctx.written = written;
        ctx.rel_ends = (0..doc.sheets.len())
            .map(|s| ctx.relationship_ends(s))
            .collect();
        ctx
    }

    /// Whether this run writes `extra`.
    pub fn wants(&self, extra: Extra) -> bool {
        Extra::ALL
            .iter()
            .position(|&e| e == extra)
            .is_some_and(|i| self.on[i])
    }

    /// The floating topics written for `sheet`, in document order.
    pub fn floating(&self, sheet: &Sheet) -> Vec<TopicId> {
        if self.wants(Extra::Floating) && self.opts.within_depth(1) {
            sheet.floating_topics()
        } else {
            Vec::new()
        }
    }

    /// Where the walks of a sheet start: the root, then each floating topic.
    pub fn tops(&self, sheet: &Sheet) -> Vec<(TopicId, usize, Kind)> {
        let mut out = vec![(TopicId::ROOT, 0, Kind::Root)];
        out.extend(
            self.floating(sheet)
                .into_iter()
                .map(|f| (f, 1, Kind::Floating)),
        );
        out
    }

    /// What is written right below topic `id` (written at `depth`): its attached children, the
    /// topics of its summaries, its callouts; nothing past `--depth`.
    pub fn below(&self, sheet: &Sheet, id: TopicId, depth: usize) -> Vec<(TopicId, Kind)> {
        if !self.opts.within_depth(depth + 1) {
            return Vec::new();
        }
        let t = sheet.topic(id);
        let mut out: Vec<(TopicId, Kind)> =
            t.children.iter().map(|&c| (c, Kind::Attached)).collect();
        if self.wants(Extra::Summaries) {
            for (i, s) in t.summaries.iter().enumerate() {
                if let Some(st) = s.topic {
                    out.push((st, Kind::Summary(i)));
                }
            }
        }
        if self.wants(Extra::Callouts) {
            out.extend(t.callouts.iter().map(|&c| (c, Kind::Callout)));
        }
        out
    }

    /// Depth-first walk from `start` (written as `kind`) over what [`Ctx::below`] lists, with
    /// the explicit stack of [`walk_outline`]. `seen` (one flag per topic of the sheet, shared by
    /// the walks of one sheet) keeps any topic from being entered twice.
    pub fn walk(
        &self,
        sheet: &Sheet,
        start: TopicId,
        depth: usize,
        kind: Kind,
        seen: &mut [bool],
        mut f: impl FnMut(Visit) -> io::Result<()>,
    ) -> io::Result<()> {
        let parts = Parts {
            summaries: self.wants(Extra::Summaries),
            callouts: self.wants(Extra::Callouts),
        };
        let node = |id, depth, role| Node {
            id,
            depth,
            kind: match role {
                Role::Top => kind,
                Role::Attached => Kind::Attached,
                Role::Summary(i) => Kind::Summary(i),
                Role::Callout => Kind::Callout,
            },
        };
        walk_outline(sheet, start, depth, parts, self.opts, seen, |v| match v {
            outline::Visit::Enter(id, d, r) => f(Visit::Enter(node(id, d, r))),
            outline::Visit::Leave(id, d, r) => f(Visit::Leave(node(id, d, r))),
        })
    }

    /// Whether topic `id` of sheet `s` is written.
    pub fn is_written(&self, s: usize, id: TopicId) -> bool {
        self.written
            .get(s)
            .and_then(|w| w.get(id.index()))
            .copied()
            .unwrap_or(false)
    }

    /// Whether something is written right below topic `id` (written at `depth`).
    pub fn has_below(&self, sheet: &Sheet, id: TopicId, depth: usize) -> bool {
        !self.below(sheet, id, depth).is_empty()
    }

    /// Where a topic link points, when the target is written.
    pub fn link_target(&self, link: &Link) -> Option<(usize, TopicId)> {
        let r = link.target?;
        self.is_written(r.sheet, r.topic)
            .then_some((r.sheet, r.topic))
    }

    /// The relationships of sheet `s` whose two ends are written: index, first end, second end.
    pub fn drawn_relationships(&self, s: usize) -> Vec<(usize, TopicId, TopicId)> {
        let sheet = &self.doc.sheets[s];
        sheet
            .relationships
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match (r.from, r.to) {
                (Some(a), Some(b)) if self.is_written(s, a) && self.is_written(s, b) => {
                    Some((i, a, b))
                }
                _ => None,
            })
            .collect()
    }

    /// For formats that write a relationship as text at one of its ends: the topic that carries
    /// each relationship of sheet `s` (its first end when written, else its second end), with
    /// the relationship's index and whether that topic is the first end.
    fn relationship_ends(&self, s: usize) -> HashMap<TopicId, Vec<(usize, bool)>> {
        let mut out: HashMap<TopicId, Vec<(usize, bool)>> = HashMap::new();
        if !self.wants(Extra::Relationships) {
            return out;
        }
        let shown = |t: Option<TopicId>| t.filter(|&t| self.is_written(s, t));
        for (i, r) in self.doc.sheets[s].relationships.iter().enumerate() {
            match (shown(r.from), shown(r.to)) {
                (Some(a), _) => out.entry(a).or_default().push((i, true)),
                (None, Some(b)) => out.entry(b).or_default().push((i, false)),
                (None, None) => {}
            }
        }
        out
    }

    /// For formats that write a relationship as text at one of its ends: the relationships that
    /// topic `id` of sheet `s` carries (see [`Ctx::relationship_ends`]), as their index and
    /// whether `id` is their first end. Empty when relationships are not wanted.
    pub fn relationships_at(&self, s: usize, id: TopicId) -> &[(usize, bool)] {
        self.rel_ends
            .get(s)
            .and_then(|m| m.get(&id))
            .map_or(&[], Vec::as_slice)
    }

    /// Every topic of sheet `s` that carries relationships, with them (in no particular order).
    pub fn relationship_carriers(
        &self,
        s: usize,
    ) -> impl Iterator<Item = (TopicId, &[(usize, bool)])> + '_ {
        self.rel_ends
            .get(s)
            .into_iter()
            .flatten()
            .map(|(&t, v)| (t, v.as_slice()))
    }

    /// A relationship seen from one end, as text: `Relationship (title): → other end`, with `←`
    /// when this is the second end; the other end is `(missing topic ID)` or
    /// `TITLE (not in this output)` when it is not written.
    pub fn relationship_text(&self, s: usize, r: usize, first_end: bool) -> String {
        let sheet = &self.doc.sheets[s];
        let rel = &sheet.relationships[r];
        let (other, other_id, arrow) = if first_end {
            (rel.to, &rel.end2, "→")
        } else {
            (rel.from, &rel.end1, "←")
        };
        let target = match other {
            Some(o) if self.is_written(s, o) => reference(sheet, o),
            Some(o) => format!("{} (not in this output)", reference(sheet, o)),
            None => format!("(missing topic {})", fold(other_id)),
        };
        format!("{}: {arrow} {target}", labelled("Relationship", &rel.title))
    }

    /// The marker ids of `t` as words or emoji (`--marker-style`), see [`crate::markers`].
    pub fn marker_names(&self, t: &Topic) -> Vec<String> {
        t.markers
            .iter()
            .map(|m| {
                markers::display(m, self.opts.marker_style, &self.doc.marker_names).into_owned()
            })
            .collect()
    }

    /// The extras of topic `id` (written at `depth`) as lines of plain text, for formats that
    /// write them inside the topic's box: `Labels: …`, `Markers: …`, `Link: …`, `Image: …`,
    /// `Note: …` (one line per line of the note), `Comment (author, date): …`,
    /// `Relationship (title): → other`, `Boundary (first … last): title`, and `Summary (first …
    /// last)` for a summary whose topic is missing. Extras in `skip` are left out (a format
    /// that writes them in its own way).
    pub fn extra_lines(&self, s: usize, id: TopicId, depth: usize, skip: &[Extra]) -> Vec<String> {
        let wants = |e: Extra| self.wants(e) && !skip.contains(&e);
        let sheet = &self.doc.sheets[s];
        let t = sheet.topic(id);
        let mut out = Vec::new();
        if wants(Extra::Labels) && !t.labels.is_empty() {
            let labels: Vec<String> = t.labels.iter().map(|l| fold(l)).collect();
            out.push(format!("Labels: {}", labels.join(", ")));
        }
        if wants(Extra::Markers) && !t.markers.is_empty() {
            out.push(format!("Markers: {}", self.marker_names(t).join(", ")));
        }
        if wants(Extra::Links) {
            if let Some(l) = t.link.as_deref() {
                out.push(format!("Link: {}", self.link_text(l)));
            }
        }
        if wants(Extra::Images) {
            if let Some(img) = t.image.as_deref() {
                out.push(format!("Image: {}", fold(&self.opts.media_link(&img.src))));
            }
        }
        if wants(Extra::Notes) {
            if let Some(n) = t.notes.as_deref() {
                let text = n.plain.trim_end();
                if !text.trim().is_empty() {
                    for (i, line) in text.split('\n').enumerate() {
                        out.push(if i == 0 {
                            format!("Note: {line}")
                        } else {
                            line.to_string()
                        });
                    }
                }
            }
        }
        if wants(Extra::Comments) {
            for c in t.comments.iter() {
                for (i, line) in c.content.trim_end().split('\n').enumerate() {
                    out.push(if i == 0 {
                        format!("{}: {line}", comment_label(c))
                    } else {
                        line.to_string()
                    });
                }
            }
        }
        if wants(Extra::Relationships) {
            for &(r, first) in self.relationships_at(s, id) {
                out.push(self.relationship_text(s, r, first));
            }
        }
        let children_shown = self.opts.within_depth(depth + 1);
        if wants(Extra::Boundaries) {
            out.extend(boundary_texts(sheet, t, children_shown));
        }
        if wants(Extra::Summaries) && children_shown {
            for sm in t.summaries.iter().filter(|sm| sm.topic.is_none()) {
                out.push(match sm.range {
                    Some(r) => format!("Summary ({})", range_text(sheet, t, r)),
                    None => "Summary".to_string(),
                });
            }
        }
        out
    }

    /// A link as text: the URL (an archive entry through `--extract-media`), or for a topic
    /// link `→ TITLE` of the target (`(not in this output)` when it is not written).
    pub fn link_text(&self, l: &Link) -> String {
        use crate::model::LinkKind;
        match l.kind {
            LinkKind::Topic => match l.target {
                Some(r) if r.sheet < self.doc.sheets.len() => {
                    let sheet = &self.doc.sheets[r.sheet];
                    if r.topic.index() >= sheet.len() {
                        return fold(&l.href);
                    }
                    let title = reference(sheet, r.topic);
                    if self.is_written(r.sheet, r.topic) {
                        format!("→ {title}")
                    } else {
                        format!("→ {title} (not in this output)")
                    }
                }
                _ => fold(&l.href),
            },
            LinkKind::Attachment => fold(&self.opts.media_link(&l.href)),
            _ => fold(&l.href),
        }
    }
}

/// `Label (text)`, or `Label` when the text is blank; the text on one line.
pub(crate) fn labelled(label: &str, text: &str) -> String {
    let text = fold(text);
    if text.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({text})")
    }
}

/// `Comment (author, date)`, with the parts the comment has (date in UTC).
pub(crate) fn comment_label(c: &Comment) -> String {
    let mut who = Vec::new();
    if !c.author.trim().is_empty() {
        who.push(fold(&c.author));
    }
    if let Some(date) = c.time.and_then(super::markdown::date) {
        who.push(date);
    }
    if who.is_empty() {
        "Comment".to_string()
    } else {
        format!("Comment ({})", who.join(", "))
    }
}

/// The boundaries of `t` as text: `Boundary (whole topic): title`, `Boundary (first … last):
/// title` (only when the children are shown), `Boundary: title`.
pub(crate) fn boundary_texts(sheet: &Sheet, t: &Topic, children_shown: bool) -> Vec<String> {
    let mut out = Vec::new();
    for b in t.boundaries.iter() {
        let head = match b.range {
            BoundaryRange::Master => "Boundary (whole topic)".to_string(),
            BoundaryRange::Children(r) if children_shown => {
                format!("Boundary ({})", range_text(sheet, t, r))
            }
            BoundaryRange::Children(_) => continue,
            BoundaryRange::Unknown => "Boundary".to_string(),
        };
        let title = fold(&b.title);
        out.push(if title.is_empty() {
            head
        } else {
            format!("{head}: {title}")
        });
    }
    out
}

/// A topic's title on one line, for references (`(no title)` when empty).
pub(crate) fn reference(sheet: &Sheet, id: TopicId) -> String {
    let title = fold(&sheet.topic(id).title);
    if title.is_empty() {
        "(no title)".to_string()
    } else {
        title
    }
}

/// The children a range covers: `first … last`, or one title.
pub(crate) fn range_text(sheet: &Sheet, t: &Topic, r: ChildRange) -> String {
    let title = |i: usize| {
        t.children
            .get(i)
            .map_or_else(|| "(no title)".to_string(), |&c| reference(sheet, c))
    };
    if r.start == r.end {
        title(r.start)
    } else {
        format!("{} … {}", title(r.start), title(r.end))
    }
}

/// Runs of white space folded into one space, trimmed.
pub(crate) fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a link would run code or carry data instead of pointing somewhere (`javascript:`,
/// `vbscript:`, `data:`): such links are written as text, never as links.
pub(crate) fn unsafe_scheme(href: &str) -> bool {
    super::markdown::unsafe_scheme(href)
}

/// Unique ids: the first topic to ask for a name gets it, later ones get `NAME_2`, `NAME_3`…
///
/// Every emitter that names each topic (FreeMind, DOT) asks for a million names on a
/// 1,000,000-topic map, so the names live one after another in one string and are found by their
/// hash in a [`HashTable`] of indices: one hash per name asked, no allocation per name, nothing
/// to free name by name. The hashes come from std's randomly keyed SipHash, so ids crafted to
/// collide cannot slow the table down.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    /// Every name given, one after another.
    text: String,
    /// Where each name ends in `text` (name `k` starts where name `k - 1` ends).
    ends: Vec<usize>,
    /// The names given, as (hash, index).
    table: HashTable<(u64, u32)>,
    hasher: RandomState,
    /// For each name asked for more than once, the N to try first next time: without it, a map
    /// whose 50,000 topics share one id tried 2, 3, … again for each of them (quadratic).
    next: HashMap<String, usize>,
    /// The candidate `base_N` being tried.
    scratch: String,
}

/// One name given by [`Ids`], read with [`Ids::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Name(u32);

impl Ids {
    /// `base`, or `base_N` for the smallest N ≥ 2 that is still free.
    pub fn unique(&mut self, base: &str) -> String {
        let k = self.give(base);
        self.name(k).to_string()
    }

    /// Like [`Ids::unique`], giving the name's index instead of a copy of it.
    ///
    /// Names are never given back, so every N below the one remembered for `base` is taken.
    /// Linear overall: a name `base_N` of its own is skipped at most once, when the count for
    /// `base` passes it.
    pub fn give(&mut self, base: &str) -> Name {
        let hash = self.hasher.hash_one(base);
        if self.find(hash, base).is_none() {
            return self.add(hash, base);
        }
        let mut n = self.next.get(base).copied().unwrap_or(2);
        let mut candidate = std::mem::take(&mut self.scratch);
        let k = loop {
            candidate.clear();
            let _ = write!(candidate, "{base}_{n}");
            n += 1;
            let hash = self.hasher.hash_one(candidate.as_str());
            if self.find(hash, &candidate).is_none() {
                break self.add(hash, &candidate);
            }
        };
        self.scratch = candidate;
        match self.next.get_mut(base) {
            Some(next) => *next = n,
            None => {
                self.next.insert(base.to_string(), n);
            }
        }
        k
    }

    /// The name given as `k`.
    pub fn name(&self, k: Name) -> &str {
        let k = k.0 as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[start..self.ends[k]]
    }

    fn find(&self, hash: u64, name: &str) -> Option<Name> {
        self.table
            .find(hash, |&(h, k)| h == hash && self.name(Name(k)) == name)
            .map(|&(_, k)| Name(k))
    }

    fn add(&mut self, hash: u64, name: &str) -> Name {
        let k = Name(self.ends.len() as u32);
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.table.insert_unique(hash, (hash, k.0), |&(h, _)| h);
        k
    }
}

/// A unique id for every topic of a document, read with [`TopicIds::get`].
#[derive(Debug)]
pub(crate) struct TopicIds {
    ids: Ids,
    /// The name of each topic, per sheet, indexed like `Sheet::topics`.
    of: Vec<Vec<Name>>,
}

impl TopicIds {
    /// Names every topic of every sheet in order, after the names `ids` has already given:
    /// `base(sheet, index, topic, buf)` writes the name a topic asks for into the empty `buf`.
    pub fn new(
        doc: &Document,
        mut ids: Ids,
        mut base: impl FnMut(usize, usize, &Topic, &mut String),
    ) -> TopicIds {
        let mut buf = String::new();
        let of = doc
            .sheets
            .iter()
            .enumerate()
            .map(|(s, sheet)| {
                sheet
                    .topics
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        buf.clear();
                        base(s, i, t, &mut buf);
                        ids.give(&buf)
                    })
                    .collect()
            })
            .collect();
        TopicIds { ids, of }
    }

    /// The id of topic `t` of sheet `s`.
    pub fn get(&self, s: usize, t: TopicId) -> &str {
        self.ids.name(self.of[s][t.index()])
    }
}

/// Percent-encodes white space, control characters and the characters in `also` in a URL.
pub(crate) fn percent_encode(url: &str, also: &[char]) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_whitespace() || c.is_control() || also.contains(&c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` may not appear in an XML 1.0 document even as a character reference (C0
/// controls other than tab, LF and CR; U+FFFE, U+FFFF), or is a control character no text
/// format should carry raw.
pub(crate) fn is_forbidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Summary, TopicKind};

    #[test]
    fn ids_are_unique() {
        let mut ids = Ids::default();
        assert_eq!(ids.unique("a"), "a");
        assert_eq!(ids.unique("a"), "a_2");
        assert_eq!(ids.unique("a_2"), "a_2_2");
        assert_eq!(ids.unique("a"), "a_3");
        // A name of that shape taken first is skipped; the count goes on from there.
        assert_eq!(ids.unique("b_2"), "b_2");
        assert_eq!(ids.unique("b"), "b");
        assert_eq!(ids.unique("b"), "b_3");
        assert_eq!(ids.unique("b"), "b_4");
        assert_eq!(ids.unique("b_4"), "b_4_2");
        assert_eq!(ids.unique("b"), "b_5");
    }

    #[test]
    fn a_topic_listed_twice_is_written_once() {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        let z = s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("z"));
        // A second summary pointing at the same topic, as a malformed file can have.
        s.topics[0].summaries.push(Summary {
            range: None,
            topic: Some(z),
        });
        let doc = Document {
            sheets: vec![s],
            ..Document::default()
        };
        let opts = WriteOptions::default();
        let ctx = Ctx::new(&doc, &opts, &Extra::ALL);
        let sheet = &doc.sheets[0];
        let mut seen = vec![false; sheet.len()];
        let mut entered = Vec::new();
        ctx.walk(sheet, TopicId::ROOT, 0, Kind::Root, &mut seen, |v| {
            if let Visit::Enter(n) = v {
                entered.push(n.id);
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(entered, [TopicId::ROOT, a, z]);
    }

    #[test]
    fn urls_are_percent_encoded() {
        assert_eq!(percent_encode("a b\n[c]", &['[', ']']), "a%20b%0A%5Bc%5D");
        assert_eq!(percent_encode("中 文", &[]), "中%20文");
    }
}
