//! Names for topics that must be unique in a document: FreeMind's and DOT's node ids, and the
//! anchors (`topic-…`) that Markdown, Org and DOT give the targets of links and relationships.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::Plan;
use crate::model::{Document, Topic, TopicId};

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

/// Appends `id` with every character other than an ASCII letter, a digit, `-`, `_` (and `.`
/// when `dot`) replaced by `replacement`: a name that is safe as an XML name's tail, a URL
/// fragment or a DOT id.
pub(crate) fn sanitize_into(out: &mut String, id: &str, dot: bool, replacement: char) {
    out.extend(id.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' || (dot && c == '.') {
            c
        } else {
            replacement
        }
    }));
}

/// Anchors `topic-ID` for the [`Plan::targets`] of every sheet (targets of relationships too
/// when `relationships`), unique in the document (`_2`, `_3`… for repeats). `base` gives the id
/// a topic's anchor is made from (its XMind id, or another writer's node id); an empty one
/// gives `topic-SHEET-INDEX`.
pub(crate) fn anchors(
    plan: &Plan<'_>,
    relationships: bool,
    base: impl Fn(usize, TopicId, &Topic) -> String,
) -> HashMap<(usize, TopicId), String> {
    let doc = plan.doc();
    let mut ids = Ids::default();
    let mut out = HashMap::new();
    let mut name = String::new();
    for s in 0..doc.sheets.len() {
        for id in plan.targets(s, relationships) {
            let t = doc.sheets[s].topic(id);
            name.clear();
            name.push_str("topic-");
            let b = base(s, id, t);
            if b.is_empty() {
                let _ = write!(name, "{}-{}", s + 1, id.0);
            } else {
                sanitize_into(&mut name, &b, false, '-');
            }
            out.insert((s, id), ids.unique(&name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
