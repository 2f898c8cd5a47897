//! The walk over every topic a tree-shaped format writes as a node (OPML, Mermaid, and through
//! [`super::shared::Ctx::walk`] FreeMind, Org, PlantUML, DOT): the attached children of a topic,
//! then its summary topics and its callouts when those are wanted. [`super::walk`] covers
//! attached children only; this one also reaches summaries and callouts nested anywhere, still
//! with an explicit stack, so nothing recurses on a deep map.

use std::io;

use super::WriteOptions;
use crate::model::{Sheet, TopicId};

/// Appends `n` spaces.
pub(crate) fn pad(line: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let k = left.min(SPACES.len());
        line.push_str(&SPACES[..k]);
        left -= k;
    }
}

/// Why a topic is written where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The start of the walk: a root or a floating topic.
    Top,
    /// An attached subtopic.
    Attached,
    /// The topic of the summary at this index of its parent's `summaries`.
    Summary(usize),
    /// A callout of its parent.
    Callout,
}

/// One step of the walk: entering a topic (with its depth and role), or leaving it after
/// everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Visit {
    Enter(TopicId, usize, Role),
    Leave(TopicId, usize, Role),
}

/// Which non-attached topics hang below their parent in the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    pub summaries: bool,
    pub callouts: bool,
}

/// Depth-first walk from `start` at `depth`: each topic's attached children, then (per `parts`)
/// its summary topics and callouts, each with their own subtrees, down to `opts.depth`.
/// Floating topics are not followed: each format places them itself. `seen` (one flag per topic
/// of the sheet; share it between the walks of one sheet) keeps a topic from being written twice
/// should a malformed file list it twice (two summaries naming one topic).
pub(crate) fn walk_outline(
    sheet: &Sheet,
    start: TopicId,
    depth: usize,
    parts: Parts,
    opts: &WriteOptions,
    seen: &mut [bool],
    mut f: impl FnMut(Visit) -> io::Result<()>,
) -> io::Result<()> {
    let mut stack = vec![Visit::Enter(start, depth, Role::Top)];
    let mut below: Vec<Visit> = Vec::new();
    while let Some(step) = stack.pop() {
        if let Visit::Enter(id, ..) = step {
            match seen.get_mut(id.index()) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
        }
        f(step)?;
        let Visit::Enter(id, d, role) = step else {
            continue;
        };
        stack.push(Visit::Leave(id, d, role));
        if !opts.within_depth(d + 1) {
            continue;
        }
        let t = sheet.topic(id);
        below.clear();
        below.extend(
            t.children
                .iter()
                .map(|&c| Visit::Enter(c, d + 1, Role::Attached)),
        );
        if parts.summaries {
            below.extend(
                t.summaries
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| Some(Visit::Enter(s.topic?, d + 1, Role::Summary(i)))),
            );
        }
        if parts.callouts {
            below.extend(
                t.callouts
                    .iter()
                    .map(|&c| Visit::Enter(c, d + 1, Role::Callout)),
            );
        }
        stack.extend(below.drain(..).rev());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Topic, TopicKind};

    fn titles(sheet: &Sheet, parts: Parts, opts: &WriteOptions) -> Vec<String> {
        let mut out = Vec::new();
        walk_outline(
            sheet,
            TopicId::ROOT,
            0,
            parts,
            opts,
            &mut vec![false; sheet.len()],
            |v| {
                if let Visit::Enter(id, d, role) = v {
                    out.push(format!("{d} {} {role:?}", sheet.topic(id).title));
                }
                Ok(())
            },
        )
        .unwrap();
        out
    }

    #[test]
    fn summaries_and_callouts_follow_the_attached_children() {
        let mut s = Sheet::new("root");
        let a = s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("a"));
        s.add(a, TopicKind::Attached, Topic::new("a1"));
        s.add(TopicId::ROOT, TopicKind::Callout, Topic::new("call"));
        let sum = s.add(TopicId::ROOT, TopicKind::Summary, Topic::new("sum"));
        s.add(sum, TopicKind::Attached, Topic::new("under sum"));
        s.add(TopicId::ROOT, TopicKind::Attached, Topic::new("b"));
        s.add(TopicId::ROOT, TopicKind::Floating, Topic::new("float"));
        let all = Parts {
            summaries: true,
            callouts: true,
        };
        assert_eq!(
            titles(&s, all, &WriteOptions::default()),
            [
                "0 root Top",
                "1 a Attached",
                "2 a1 Attached",
                "1 b Attached",
                "1 sum Summary(0)",
                "2 under sum Attached",
                "1 call Callout",
            ]
        );
        let none = Parts {
            summaries: false,
            callouts: false,
        };
        let opts = WriteOptions {
            depth: Some(1),
            ..WriteOptions::default()
        };
        assert_eq!(
            titles(&s, none, &opts),
            ["0 root Top", "1 a Attached", "1 b Attached"]
        );
    }

    #[test]
    fn a_deep_chain_of_callouts_does_not_recurse() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..100_000 {
            parent = s.add(parent, TopicKind::Callout, Topic::new(i.to_string()));
        }
        let parts = Parts {
            summaries: true,
            callouts: true,
        };
        let (mut enters, mut leaves) = (0, 0);
        walk_outline(
            &s,
            TopicId::ROOT,
            0,
            parts,
            &WriteOptions::default(),
            &mut vec![false; s.len()],
            |v| {
                match v {
                    Visit::Enter(..) => enters += 1,
                    Visit::Leave(..) => leaves += 1,
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!((enters, leaves), (100_001, 100_001));
    }
}
