//! What a run writes, decided once for every writer: the extras (the writer's defaults and the
//! options), the topics down to `--depth`, where floating topics, relationships and anchors go;
//! and the one walk over it that every writer follows.
//!
//! The rule, for every format: a sheet's root is written at depth 0. Below a written topic at
//! depth `d`, when `d + 1` is within [`WriteOptions::depth`], come its attached children, then
//! (when summaries are wanted) the topics of its summaries and (when callouts are wanted) its
//! callouts, each at depth `d + 1` with its own subtree; [`Order`] says whether summary topics and
//! callouts come before or after the attached children. When floating topics are wanted, each
//! floating topic whose anchor (the topic it hangs from) is written and whose depth (the anchor's
//! plus one) is within the limit starts a tree of its own after the sheet's tree, in document
//! order: `--depth 0` writes the root alone. A topic is written at most once, even when a
//! malformed file lists it twice (the first listing in the walk wins).
//!
//! Nothing recurses: the walk keeps its own stack, and the plan keeps one bit per topic.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::{Extra, WriteOptions, Writer};
use crate::model::{Document, Link, LinkKind, Sheet, TopicId, TopicKind, TopicRef};

/// Whether summary topics and callouts come before or after a topic's attached children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Attached children first (outlines, diagrams).
    #[default]
    ChildrenFirst,
    /// Summary topics and callouts first, with the topic's own extras (Markdown's block quote,
    /// HTML's extras box).
    SubtopicsFirst,
}

/// Why a topic is written where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A sheet's root topic.
    Root,
    /// An attached subtopic.
    Attached,
    /// The topic of the summary at this index of its parent's `summaries`.
    Summary(usize),
    /// A callout of its parent.
    Callout,
    /// A floating topic: the start of a tree of its own.
    Floating,
}

/// A topic in the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The topic.
    pub id: TopicId,
    /// Levels below the root, as `--depth` counts them (a floating topic is one below its
    /// anchor).
    pub depth: usize,
    /// Nesting in the walk: 0 for the root and for each floating topic, one more per level
    /// below them. Indented formats indent by this.
    pub level: usize,
    /// How it hangs from the topic above it in the walk.
    pub role: Role,
    /// How many attached children are written below it.
    pub children: usize,
    /// How many summary topics and callouts are written below it.
    pub subtopics: usize,
}

impl Entry {
    /// Whether anything is written below it.
    pub fn has_below(&self) -> bool {
        self.children + self.subtopics > 0
    }
}

/// One step of [`Plan::walk`]: entering a topic, or leaving it after everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Before everything below the topic.
    Enter(Entry),
    /// After everything below the topic.
    Leave(Entry),
}

/// Relationship end flags of [`Plan::targets`].
const LINKED: u8 = 1;
const RELATED: u8 = 2;

/// What one run writes of a document: see the module documentation.
pub struct Plan<'a> {
    doc: &'a Document,
    opts: &'a WriteOptions,
    on: [bool; Extra::ALL.len()],
    order: Order,
    sheets: Vec<SheetPlan>,
    /// Every topic with an id (the first one, when ids repeat), found by the hash of its id, for
    /// topic links the reader has not resolved (a document built by hand) and links inside rich
    /// notes: built the first time one asks, so that a map without them never hashes every id.
    by_id: OnceCell<(RandomState, HashTable<TopicRef>)>,
}

struct SheetPlan {
    /// One bit per topic: written.
    written: Bits,
    /// The floating topics written, with their depths, in order.
    floating: Vec<(TopicId, usize)>,
    /// For each relationship, the written end that carries it in formats that write a
    /// relationship at one of its ends: the first end when written, else the second; and
    /// whether that is the first end.
    carrier: Vec<Option<(TopicId, bool)>>,
    /// The relationships with a written end at a topic: index, and whether the topic is the
    /// first end. Empty unless relationships are written.
    ends: HashMap<TopicId, Vec<(usize, bool)>>,
    /// Written topics that a written topic link ([`LINKED`]) or a relationship carried
    /// elsewhere ([`RELATED`]) points at.
    targets: BTreeMap<TopicId, u8>,
    /// Σ of [`Entry::level`] over the written topics.
    levels: u64,
    /// Largest [`Entry::depth`].
    deepest: usize,
    /// Written topics with nothing written below them.
    leaves: u64,
    /// Written topics.
    topics: u64,
}

impl<'a> Plan<'a> {
    /// The plan for `writer` (its default extras, what it carries, its order) with `opts`.
    pub fn new<W: Writer + ?Sized>(doc: &'a Document, opts: &'a WriteOptions, writer: &W) -> Self {
        let carries = writer.carries();
        let defaults = writer.default_extras();
        let on = Extra::ALL.map(|e| carries.contains(&e) && opts.wants(e, defaults.contains(&e)));
        let mut plan = Plan {
            doc,
            opts,
            on,
            order: writer.order(),
            sheets: Vec::with_capacity(doc.sheets.len()),
            by_id: OnceCell::new(),
        };
        let mut linked: Vec<Vec<TopicId>> = Vec::new();
        for s in 0..doc.sheets.len() {
            let (sheet_plan, links) = plan.plan_sheet(s);
            plan.sheets.push(sheet_plan);
            linked.push(links);
        }
        // Link targets need every sheet's written topics.
        let mut targets = Vec::new();
        for (s, links) in linked.into_iter().enumerate() {
            for id in links {
                let link = doc.sheets[s].topic(id).link.as_deref();
                if let Some(r) = link.and_then(|l| plan.link_target(l)) {
                    if plan.written(r.sheet, r.topic) {
                        targets.push(r);
                    }
                }
            }
        }
        for r in targets {
            *plan.sheets[r.sheet].targets.entry(r.topic).or_default() |= LINKED;
        }
        plan
    }

    fn plan_sheet(&self, s: usize) -> (SheetPlan, Vec<TopicId>) {
        let sheet = &self.doc.sheets[s];
        let mut walker = Walker::new(self, sheet, Tops::Candidates(floating_candidates(sheet)));
        let mut p = SheetPlan {
            written: Bits::new(0),
            floating: Vec::new(),
            carrier: Vec::new(),
            ends: HashMap::new(),
            targets: BTreeMap::new(),
            levels: 0,
            deepest: 0,
            leaves: 0,
            topics: 0,
        };
        let links = self.wants(Extra::Links);
        let mut linked = Vec::new();
        while let Some(e) = walker.enter() {
            p.levels += e.level as u64;
            p.deepest = p.deepest.max(e.depth);
            p.leaves += u64::from(!e.has_below());
            p.topics += 1;
            if e.role == Role::Floating {
                p.floating.push((e.id, e.depth));
            }
            if links
                && sheet
                    .topic(e.id)
                    .link
                    .as_deref()
                    .is_some_and(|l| l.kind == LinkKind::Topic)
            {
                linked.push(e.id);
            }
        }
        p.written = walker.seen;
        if self.wants(Extra::Relationships) && !sheet.relationships.is_empty() {
            let shown = |t: Option<TopicId>| t.filter(|&t| p.written.get(t.index()));
            for (r, rel) in sheet.relationships.iter().enumerate() {
                let (from, to) = (shown(rel.from), shown(rel.to));
                if let Some(f) = from {
                    p.ends.entry(f).or_default().push((r, true));
                }
                if let Some(t) = to {
                    p.ends.entry(t).or_default().push((r, false));
                }
                let carrier = match (from, to) {
                    (Some(f), other) => {
                        if let Some(o) = other {
                            *p.targets.entry(o).or_default() |= RELATED;
                        }
                        Some((f, true))
                    }
                    (None, Some(t)) => Some((t, false)),
                    (None, None) => None,
                };
                p.carrier.push(carrier);
            }
        }
        (p, linked)
    }

    /// The document.
    pub fn doc(&self) -> &'a Document {
        self.doc
    }

    /// The options.
    pub fn opts(&self) -> &'a WriteOptions {
        self.opts
    }

    /// Whether this run writes `extra`.
    pub fn wants(&self, extra: Extra) -> bool {
        self.on[extra.index()]
    }

    /// Whether the children of a topic written at `depth` are written (the depth limit).
    pub fn children_shown(&self, depth: usize) -> bool {
        self.opts.within_depth(depth + 1)
    }

    /// The walk over sheet `s`: its root's tree, then each floating topic's tree.
    pub fn walk(&self, s: usize) -> Walk<'_> {
        let sheet = &self.doc.sheets[s];
        Walk(Walker::new(
            self,
            sheet,
            Tops::Planned(self.sheets[s].floating.clone().into_iter()),
        ))
    }

    /// Whether topic `id` of sheet `s` is written.
    pub fn written(&self, s: usize, id: TopicId) -> bool {
        self.sheets
            .get(s)
            .is_some_and(|p| p.written.get(id.index()))
    }

    /// The floating topics of sheet `s` that are written, with their depths, in order.
    pub fn floating(&self, s: usize) -> &[(TopicId, usize)] {
        &self.sheets[s].floating
    }

    /// Levels below the root of the deepest topic written.
    pub fn deepest(&self) -> usize {
        self.sheets.iter().map(|p| p.deepest).max().unwrap_or(0)
    }

    /// Bytes of indentation a format writes that indents each topic `per_level` bytes for each
    /// [`Entry::level`]: a lower bound of its output, for [`Writer::min_size`].
    pub fn indentation(&self, per_level: u64) -> u64 {
        self.sheets
            .iter()
            .map(|p| p.levels.saturating_mul(per_level))
            .fold(0, u64::saturating_add)
    }

    /// How many topics are written.
    pub fn topics(&self) -> u64 {
        self.sheets.iter().map(|p| p.topics).sum()
    }

    /// Written topics with nothing written below them (the rows of a table of paths).
    pub fn leaves(&self) -> u64 {
        self.sheets.iter().map(|p| p.leaves).sum()
    }

    /// Where a topic link points: the target the reader resolved, else (in a document built by
    /// hand) the first topic with the linked id. `None` for other links and missing targets.
    pub fn link_target(&self, link: &Link) -> Option<TopicRef> {
        if link.kind != LinkKind::Topic {
            return None;
        }
        let found = link.target.or_else(|| self.topic_by_id(link.target_name()));
        found.filter(|r| {
            self.doc
                .sheets
                .get(r.sheet)
                .is_some_and(|s| r.topic.index() < s.len())
        })
    }

    /// The first topic (in sheet and arena order) whose id is `id`.
    pub fn topic_by_id(&self, id: &str) -> Option<TopicRef> {
        let doc = self.doc;
        let id_of = |r: &TopicRef| doc.sheets[r.sheet].topic(r.topic).id.as_str();
        let (hasher, table) = self.by_id.get_or_init(|| {
            let hasher = RandomState::new();
            let mut table = HashTable::new();
            for (s, sheet) in doc.sheets.iter().enumerate() {
                for (i, t) in sheet.topics.iter().enumerate() {
                    if t.id.is_empty() {
                        continue;
                    }
                    let hash = hasher.hash_one(t.id.as_str());
                    if table.find(hash, |r| id_of(r) == t.id.as_str()).is_none() {
                        let r = TopicRef {
                            sheet: s,
                            topic: TopicId(i as u32),
                        };
                        table.insert_unique(hash, r, |r| hasher.hash_one(id_of(r)));
                    }
                }
            }
            (hasher, table)
        });
        table.find(hasher.hash_one(id), |r| id_of(r) == id).copied()
    }

    /// The relationships of sheet `s` that topic `id` carries (see [`Plan::carrier`]), as their
    /// index and whether `id` is their first end, in order.
    pub fn relationships_at(&self, s: usize, id: TopicId) -> impl Iterator<Item = (usize, bool)> {
        let p = &self.sheets[s];
        self.relationship_ends(s, id)
            .iter()
            .copied()
            .filter(move |&(r, first)| p.carrier[r] == Some((id, first)))
    }

    /// The relationships of sheet `s` with a written end at topic `id` (both ends count), as
    /// their index and whether `id` is their first end, in order. Empty when relationships are
    /// not written.
    pub fn relationship_ends(&self, s: usize, id: TopicId) -> &[(usize, bool)] {
        self.sheets[s].ends.get(&id).map_or(&[], Vec::as_slice)
    }

    /// For formats that write a relationship at one of its ends: the end that carries
    /// relationship `r` of sheet `s` (its first end when written, else its second), and whether
    /// it is the first end. `None` when neither end is written or relationships are not.
    pub fn carrier(&self, s: usize, r: usize) -> Option<(TopicId, bool)> {
        self.sheets[s].carrier.get(r).copied().flatten()
    }

    /// The relationships of sheet `s` whose two ends are written: index, first end, second end.
    pub fn drawn(&self, s: usize) -> impl Iterator<Item = (usize, TopicId, TopicId)> + '_ {
        let sheet = &self.doc.sheets[s];
        let p = &self.sheets[s];
        sheet
            .relationships
            .iter()
            .enumerate()
            .filter(|_| !p.carrier.is_empty())
            .filter_map(move |(i, r)| match (r.from, r.to) {
                (Some(a), Some(b)) if p.written.get(a.index()) && p.written.get(b.index()) => {
                    Some((i, a, b))
                }
                _ => None,
            })
    }

    /// The written topics of sheet `s` that anchors should mark: targets of written topic links
    /// (and with `relationships`, also the far ends of relationships written as text at their
    /// other end), in arena order.
    pub fn targets(&self, s: usize, relationships: bool) -> impl Iterator<Item = TopicId> + '_ {
        let mask = if relationships {
            LINKED | RELATED
        } else {
            LINKED
        };
        self.sheets[s]
            .targets
            .iter()
            .filter(move |&(_, &f)| f & mask != 0)
            .map(|(&t, _)| t)
    }
}

/// The floating topics of a sheet in document order (pre-order over every kind of child, the
/// floating topics of a topic after its attached subtree); empty without a pass over the sheet
/// when no topic has any.
fn floating_candidates(sheet: &Sheet) -> Vec<TopicId> {
    if sheet.topics.iter().all(|t| t.floating.is_empty()) {
        return Vec::new();
    }
    sheet.floating_topics()
}

/// The walk over one sheet: see [`Plan::walk`].
pub struct Walk<'p>(Walker<'p>);

impl Iterator for Walk<'_> {
    type Item = Event;
    fn next(&mut self) -> Option<Event> {
        self.0.next()
    }
}

/// Where the trees after a sheet's root tree start.
enum Tops {
    /// While planning: every floating topic, to be written when its anchor is.
    Candidates(Vec<TopicId>),
    /// While writing: the planned ones.
    Planned(std::vec::IntoIter<(TopicId, usize)>),
}

enum Step {
    Enter {
        id: TopicId,
        depth: usize,
        level: usize,
        role: Role,
    },
    Leave(Entry),
}

/// The walk itself, shared by planning and writing so that both see the same topics.
struct Walker<'p> {
    /// [`Plan::wants`] of each extra.
    on: [bool; Extra::ALL.len()],
    opts: &'p WriteOptions,
    order: Order,
    sheet: &'p Sheet,
    /// Topics entered or waiting to be (marked when put on the stack).
    seen: Bits,
    stack: Vec<Step>,
    tops: Tops,
    /// Next candidate of [`Tops::Candidates`].
    next_top: usize,
    /// Depths of the written topics that floating topics hang from (planning only).
    anchors: HashMap<TopicId, usize>,
}

impl<'p> Walker<'p> {
    fn new(plan: &Plan<'p>, sheet: &'p Sheet, tops: Tops) -> Self {
        let mut seen = Bits::new(sheet.len());
        let mut stack = Vec::new();
        if !sheet.is_empty() {
            seen.set(0);
            stack.push(Step::Enter {
                id: TopicId::ROOT,
                depth: 0,
                level: 0,
                role: Role::Root,
            });
        }
        Walker {
            on: plan.on,
            opts: plan.opts,
            order: plan.order,
            sheet,
            seen,
            stack,
            tops,
            next_top: 0,
            anchors: HashMap::new(),
        }
    }

    /// The next topic entered (for planning, which needs no leaving: a planning walk makes no
    /// [`Event::Leave`]).
    fn enter(&mut self) -> Option<Entry> {
        loop {
            match self.next()? {
                Event::Enter(e) => return Some(e),
                Event::Leave(_) => {}
            }
        }
    }

    /// Starts the next floating topic's tree, if any is left.
    fn next_tree(&mut self) -> bool {
        loop {
            let (id, depth) = match &mut self.tops {
                Tops::Planned(it) => match it.next() {
                    Some(top) => top,
                    None => return false,
                },
                Tops::Candidates(list) => {
                    let Some(&id) = list.get(self.next_top) else {
                        return false;
                    };
                    self.next_top += 1;
                    let t = self.sheet.topic(id);
                    let anchor = t.parent().and_then(|p| self.anchors.get(&p).copied());
                    match anchor {
                        Some(d)
                            if self.on[Extra::Floating.index()]
                                && t.kind == TopicKind::Floating
                                && self.opts.within_depth(d + 1) =>
                        {
                            (id, d + 1)
                        }
                        _ => continue,
                    }
                }
            };
            if id.index() >= self.sheet.len() || self.seen.get(id.index()) {
                continue;
            }
            self.seen.set(id.index());
            self.stack.push(Step::Enter {
                id,
                depth,
                level: 0,
                role: Role::Floating,
            });
            return true;
        }
    }

    /// Puts `c`, below a topic at `depth` and `level`, on the stack unless it is seen already;
    /// whether it was.
    #[inline]
    fn below(&mut self, c: TopicId, depth: usize, level: usize, role: Role) -> bool {
        let i = c.index();
        if i >= self.seen.len() || self.seen.get(i) {
            return false;
        }
        self.seen.set(i);
        self.stack.push(Step::Enter {
            id: c,
            depth: depth + 1,
            level: level + 1,
            role,
        });
        true
    }

    fn next(&mut self) -> Option<Event> {
        let step = match self.stack.pop() {
            Some(step) => step,
            None => {
                if !self.next_tree() {
                    return None;
                }
                self.stack.pop()?
            }
        };
        let (id, depth, level, role) = match step {
            Step::Leave(e) => return Some(Event::Leave(e)),
            Step::Enter {
                id,
                depth,
                level,
                role,
            } => (id, depth, level, role),
        };
        let sheet = self.sheet;
        let t = sheet.topic(id);
        if matches!(self.tops, Tops::Candidates(_)) && !t.floating.is_empty() {
            self.anchors.insert(id, depth);
        }
        let mut entry = Entry {
            id,
            depth,
            level,
            role,
            children: 0,
            subtopics: 0,
        };
        // The topics below go on the stack right after the topic's `Leave` (filled in once they
        // are counted), each marked seen in listing order (the first listing wins), then turned
        // around so that the first one comes off the stack first: no list in between.
        // Planning only enters topics (see [`Walker::enter`]): no `Leave` for it.
        let planning = matches!(self.tops, Tops::Candidates(_));
        let leave = self.stack.len();
        if !planning {
            self.stack.push(Step::Leave(entry));
        }
        // A leaf (most topics) has no topics below it to put on the stack: its entry (and its
        // `Leave`) are complete as they are, with no passes over its lists.
        let leaf = t.children.is_empty() && t.summaries.is_empty() && t.callouts.is_empty();
        if !leaf && self.opts.within_depth(depth + 1) {
            let first = self.stack.len();
            let (summaries, callouts) = (
                self.on[Extra::Summaries.index()],
                self.on[Extra::Callouts.index()],
            );
            let (mut children, mut subtopics) = (0, 0);
            for pass in 0..2 {
                let subs = (pass == 0) == (self.order == Order::SubtopicsFirst);
                if !subs {
                    for &c in &t.children {
                        children += usize::from(self.below(c, depth, level, Role::Attached));
                    }
                    continue;
                }
                if summaries {
                    for (i, sm) in t.summaries.iter().enumerate() {
                        if let Some(c) = sm.topic {
                            subtopics += usize::from(self.below(c, depth, level, Role::Summary(i)));
                        }
                    }
                }
                if callouts {
                    for &c in &t.callouts {
                        subtopics += usize::from(self.below(c, depth, level, Role::Callout));
                    }
                }
            }
            entry.children = children;
            entry.subtopics = subtopics;
            self.stack[first..].reverse();
            if !planning {
                self.stack[leave] = Step::Leave(entry);
            }
        }
        Some(Event::Enter(entry))
    }
}

/// One bit per topic.
#[derive(Debug, Clone)]
struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    fn new(len: usize) -> Bits {
        Bits {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }
    fn len(&self) -> usize {
        self.len
    }
    fn get(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] >> (i % 64) & 1 == 1
    }
    fn set(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Summary, Topic};
    use crate::write::{Markdown, Text};

    fn doc(sheet: Sheet) -> Document {
        Document {
            sheets: vec![sheet],
            ..Document::default()
        }
    }

    fn entered(plan: &Plan<'_>) -> Vec<String> {
        let sheet = &plan.doc().sheets[0];
        plan.walk(0)
            .filter_map(|e| match e {
                Event::Enter(e) => Some(format!(
                    "{} {}/{} {:?}",
                    sheet.topic(e.id).title,
                    e.depth,
                    e.level,
                    e.role
                )),
                Event::Leave(_) => None,
            })
            .collect()
    }

    fn sample() -> Sheet {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        s.add(a, TopicKind::Attached, Topic::new("a1"));
        s.add(TopicId::ROOT, TopicKind::Callout, Topic::new("call"));
        let sum = s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("sum"));
        s.add(sum, TopicKind::Attached, Topic::new("under sum"));
        s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("b"));
        let f = s.add(TopicId::ROOT, TopicKind::Floating, Topic::new("float"));
        s.add(f, TopicKind::Attached, Topic::new("f1"));
        s.add(a, TopicKind::Floating, Topic::new("deep float"));
        s
    }

    #[test]
    fn the_walk_follows_the_documented_rule() {
        let d = doc(sample());
        let opts = WriteOptions::default();
        let plan = Plan::new(&d, &opts, &Markdown);
        assert_eq!(
            entered(&plan),
            [
                "root 0/0 Root",
                "sum 1/1 Summary(0)",
                "under sum 2/2 Attached",
                "call 1/1 Callout",
                "a 1/1 Attached",
                "a1 2/2 Attached",
                "b 1/1 Attached",
                // Document order: the floating topics of `a` come with `a`'s subtree, before the
                // root's own.
                "deep float 2/0 Floating",
                "float 1/0 Floating",
                "f1 2/1 Attached",
            ]
        );
        let mut o = WriteOptions {
            depth: Some(1),
            ..WriteOptions::default()
        };
        let plan = Plan::new(&d, &o, &Text);
        assert_eq!(
            entered(&plan),
            [
                "root 0/0 Root",
                "a 1/1 Attached",
                "b 1/1 Attached",
                "float 1/0 Floating"
            ]
        );
        o.depth = Some(0);
        let plan = Plan::new(&d, &o, &Text);
        assert_eq!(entered(&plan), ["root 0/0 Root"]);
    }

    #[test]
    fn a_topic_listed_twice_is_written_once_and_leaves_balance() {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        let z = s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("z"));
        s.topics[0].summaries.push(Summary {
            range: None,
            topic: Some(z),
        });
        s.topics[a.index()].children.push(z);
        let d = doc(s);
        let opts = WriteOptions::default();
        let plan = Plan::new(&d, &opts, &Markdown);
        let events: Vec<Event> = plan.walk(0).collect();
        let enters = events
            .iter()
            .filter(|e| matches!(e, Event::Enter(_)))
            .count();
        assert_eq!((enters, events.len()), (3, 6));
        assert_eq!(entered(&plan)[1], "z 1/1 Summary(0)");
    }

    #[test]
    fn a_deep_chain_is_walked_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..200_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let d = doc(s);
        let opts = WriteOptions::default();
        let plan = Plan::new(&d, &opts, &Text);
        assert_eq!(plan.deepest(), 200_000);
        assert_eq!(plan.walk(0).count(), 400_002);
        assert_eq!(plan.indentation(1), (0..=200_000u64).sum::<u64>());
    }
}
