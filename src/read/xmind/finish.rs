//! Assembly shared by both readers: the sheet arena as it is filled, then the joins by id that
//! need the whole sheet or document (summaries, boundaries, relationships, topic links), each in
//! one pass over a hash map.

use std::collections::HashMap;

use super::super::clean::RawRange;
use crate::model::{
    Boundary, Comment, Document, Link, LinkKind, Sheet, Summary, Topic, TopicId, TopicKind,
    TopicRef,
};

/// A sheet being read, with the parts that can only be joined once all its topics exist.
#[derive(Default)]
pub(super) struct SheetBuilder {
    pub sheet: Sheet,
    /// (owner, summary topic) for every `children.summary` topic.
    summary_topics: Vec<(TopicId, TopicId)>,
    /// (owner, `topicId`, range) for every `summaries[]` entry.
    summary_ranges: Vec<(TopicId, String, RawRange)>,
    /// (owner, range, title) for every `boundaries[]` entry.
    boundaries: Vec<(TopicId, String, RawRange, String)>,
}

impl SheetBuilder {
    /// Creates a topic under `parent` (or the root when `parent` is `None`) and returns its id.
    pub fn new_topic(&mut self, parent: Option<TopicId>, kind: TopicKind) -> TopicId {
        let id = TopicId(self.sheet.topics.len() as u32);
        let Some(parent) = parent else {
            debug_assert!(self.sheet.topics.is_empty());
            let mut root = Topic::default();
            root.kind = TopicKind::Root;
            self.sheet.topics.push(root);
            return id;
        };
        let mut topic = Topic::default();
        topic.kind = kind;
        topic.set_parent(Some(parent));
        self.sheet.topics.push(topic);
        let p = &mut self.sheet.topics[parent.index()];
        match kind {
            TopicKind::Floating => p.floating.push(id),
            TopicKind::Callout => p.callouts.push(id),
            TopicKind::Summary => self.summary_topics.push((parent, id)),
            TopicKind::Attached | TopicKind::Root => p.children.push(id),
        }
        id
    }

    pub fn has_root(&self) -> bool {
        !self.sheet.topics.is_empty()
    }

    pub fn topic(&mut self, id: TopicId) -> &mut Topic {
        &mut self.sheet.topics[id.index()]
    }

    pub fn summary(&mut self, owner: TopicId, topic_id: String, range: RawRange) {
        self.summary_ranges.push((owner, topic_id, range));
    }

    pub fn boundary(&mut self, owner: TopicId, id: String, range: RawRange, title: String) {
        self.boundaries.push((owner, id, range, title));
    }

    /// Joins summaries and boundaries and returns the finished sheet.
    pub fn finish(mut self, warnings: &mut Vec<String>) -> Sheet {
        if self.sheet.topics.is_empty() {
            self.new_topic(None, TopicKind::Root);
        }
        let topics = &mut self.sheet.topics;
        for (owner, id, range, title) in self.boundaries {
            let len = topics[owner.index()].children.len();
            let range = range.boundary(len);
            topics[owner.index()]
                .boundaries
                .push(Boundary { id, range, title });
        }
        if !self.summary_ranges.is_empty() || !self.summary_topics.is_empty() {
            let by_id: HashMap<(TopicId, &str), TopicId> = self
                .summary_topics
                .iter()
                .map(|&(owner, t)| ((owner, topics[t.index()].id.as_str()), t))
                .collect();
            let mut used = vec![false; topics.len()];
            let mut joined = Vec::with_capacity(self.summary_ranges.len());
            for (owner, topic_id, raw) in &self.summary_ranges {
                let topic = by_id.get(&(*owner, topic_id.as_str())).copied();
                match topic {
                    Some(t) => used[t.index()] = true,
                    None => warnings.push(format!(
                        "summary over {:?} of topic {:?} points at a missing summary topic {:?}",
                        raw,
                        topics[owner.index()].title,
                        topic_id
                    )),
                }
                let range = raw.children(topics[owner.index()].children.len());
                joined.push((*owner, Summary { range, topic }));
            }
            for &(owner, t) in &self.summary_topics {
                if !used[t.index()] {
                    joined.push((
                        owner,
                        Summary {
                            range: None,
                            topic: Some(t),
                        },
                    ));
                }
            }
            for (owner, s) in joined {
                topics[owner.index()].summaries.push(s);
            }
        }
        self.sheet
    }
}

/// Document-wide joins: relationship ends within their sheet, topic links across sheets, and
/// comments from comments.xml (`comments`, by the id of their topic) onto their topics.
///
/// Only the ids that something points at are looked up: one pass over the topics fills a map
/// keyed by those ids (borrowed, not copied), where the first topic with an id wins; the same
/// pass finds the topics of the comments (the first topic with their id, an empty one too).
pub(crate) fn resolve(doc: &mut Document, mut comments: HashMap<String, Vec<Comment>>) {
    fn topic_link(t: &Topic) -> Option<&Link> {
        t.link.as_deref().filter(|l| l.kind == LinkKind::Topic)
    }
    let mut wanted: HashMap<&str, Option<TopicRef>> = HashMap::new();
    for sheet in &doc.sheets {
        for rel in &sheet.relationships {
            wanted.insert(&rel.end1, None);
            wanted.insert(&rel.end2, None);
        }
        for link in sheet.topics.iter().filter_map(topic_link) {
            wanted.insert(link.target_name(), None);
        }
    }
    if wanted.is_empty() && comments.is_empty() {
        return;
    }
    // Comments found for a topic: sheet, topic, comments.
    let mut commented: Vec<(usize, usize, Vec<Comment>)> = Vec::new();
    for (si, sheet) in doc.sheets.iter().enumerate() {
        for (ti, t) in sheet.topics.iter().enumerate() {
            if !comments.is_empty() {
                if let Some(cs) = comments.remove(t.id.as_str()) {
                    commented.push((si, ti, cs));
                }
            }
            if t.id.is_empty() || wanted.is_empty() {
                continue;
            }
            if let Some(slot @ None) = wanted.get_mut(t.id.as_str()) {
                *slot = Some(TopicRef {
                    sheet: si,
                    topic: TopicId(ti as u32),
                });
            }
        }
    }
    let find = |id: &str| wanted.get(id).copied().flatten();
    let ends: Vec<Vec<(Option<TopicId>, Option<TopicId>)>> = doc
        .sheets
        .iter()
        .enumerate()
        .map(|(si, sheet)| {
            let in_sheet = |id: &str| find(id).filter(|r| r.sheet == si).map(|r| r.topic);
            sheet
                .relationships
                .iter()
                .map(|rel| (in_sheet(&rel.end1), in_sheet(&rel.end2)))
                .collect()
        })
        .collect();
    let mut targets: Vec<(usize, usize, Option<TopicRef>)> = Vec::new();
    for (si, sheet) in doc.sheets.iter().enumerate() {
        for (ti, t) in sheet.topics.iter().enumerate() {
            if let Some(link) = topic_link(t) {
                // A link to a sheet id (XMind 8 allows that) or to a deleted topic stays
                // unresolved.
                targets.push((si, ti, find(link.target_name())));
            }
        }
    }
    drop(wanted);
    for (si, ti, cs) in commented {
        doc.sheets[si].topics[ti].comments = cs.into();
    }
    if !comments.is_empty() {
        let n: usize = comments.values().map(Vec::len).sum();
        doc.warnings.push(format!(
            "comments.xml: {n} comments on sheets or missing topics were not attached"
        ));
    }
    let warnings = &mut doc.warnings;
    for ((si, sheet), ends) in doc.sheets.iter_mut().enumerate().zip(ends) {
        for (rel, (from, to)) in sheet.relationships.iter_mut().zip(ends) {
            rel.from = from;
            rel.to = to;
            if rel.from.is_none() || rel.to.is_none() {
                warnings.push(format!(
                    "relationship {:?} in sheet {} has an end that is not a topic of the sheet",
                    rel.id,
                    si + 1
                ));
            }
        }
    }
    for (si, ti, target) in targets {
        if let Some(link) = doc.sheets[si].topics[ti].link.as_mut() {
            link.target = target;
        }
    }
}
