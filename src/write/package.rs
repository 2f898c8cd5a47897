//! What the two `.xmind` writers share: ids unique in the file, the stored files renamed by
//! their SHA-256, and zip entries that give the same bytes for the same map.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime};

use super::ids::{Ids, Name};
use crate::error::Error;
use crate::model::{Document, TopicId};

/// Options for one entry: fixed time stamp and permissions, so that the same map gives the same
/// bytes; deflated, except stored files (images are compressed already).
pub(crate) fn options(deflate: bool) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(if deflate {
            CompressionMethod::Deflated
        } else {
            CompressionMethod::Stored
        })
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
        .large_file(false)
}

pub(crate) fn zip_error(e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(e) => Error::Io(e),
        other => Error::Io(io::Error::other(other)),
    }
}

/// Ids unique in the written file, for every sheet, topic, relationship and boundary: the
/// input's own where it is non-empty and not taken yet (first come, in document order),
/// `NAME_2`, `NAME_3`… for repeats, and generated ones (`xmc-SHEET-INDEX`) for the rest, made
/// after every kept id so that none of those changes.
pub(crate) struct Names {
    pub ids: Ids,
    pub sheets: Vec<Name>,
    pub topics: Vec<Vec<Name>>,
    pub relationships: Vec<Vec<Name>>,
    /// Per sheet: (owner, index in its `boundaries`) → the boundary's id.
    boundaries: Vec<HashMap<(TopicId, usize), Name>>,
    /// Per sheet: a boundary's id in the input → the first boundary with it, for relationship
    /// ends that name a boundary.
    boundary_ids: Vec<HashMap<String, (TopicId, usize)>>,
    /// The boundaries written so far: (sheet, owner, index).
    written: HashSet<(usize, TopicId, usize)>,
}

impl Names {
    pub fn new(doc: &Document) -> Names {
        let mut ids = Ids::default();
        let kept = |ids: &mut Ids, id: &str| (!id.is_empty()).then(|| ids.give(id));
        let mut sheets = Vec::new();
        let mut topics = Vec::new();
        let mut relationships = Vec::new();
        let mut boundaries = Vec::new();
        let mut boundary_ids = Vec::new();
        for sheet in &doc.sheets {
            sheets.push(kept(&mut ids, &sheet.id));
            topics.push(
                sheet
                    .topics
                    .iter()
                    .map(|t| kept(&mut ids, &t.id))
                    .collect::<Vec<_>>(),
            );
            relationships.push(
                sheet
                    .relationships
                    .iter()
                    .map(|r| kept(&mut ids, &r.id))
                    .collect::<Vec<_>>(),
            );
            let mut names = Vec::new();
            let mut by_id = HashMap::new();
            for (i, t) in sheet.topics.iter().enumerate() {
                let owner = TopicId(i as u32);
                for (j, b) in t.boundaries.iter().enumerate() {
                    names.push(((owner, j), kept(&mut ids, &b.id)));
                    if !b.id.is_empty() {
                        by_id.entry(b.id.clone()).or_insert((owner, j));
                    }
                }
            }
            boundaries.push(names);
            boundary_ids.push(by_id);
        }
        let mut buf = String::new();
        let mut made = |ids: &mut Ids, name: Option<Name>, what: &str, s: usize, i: usize| {
            name.unwrap_or_else(|| {
                buf.clear();
                let _ = write!(buf, "xmc-{what}{}-{i}", s + 1);
                ids.give(&buf)
            })
        };
        let sheets = sheets
            .into_iter()
            .enumerate()
            .map(|(s, n)| made(&mut ids, n, "s", s, 0))
            .collect();
        let topics = topics
            .into_iter()
            .enumerate()
            .map(|(s, v)| {
                v.into_iter()
                    .enumerate()
                    .map(|(i, n)| made(&mut ids, n, "t", s, i))
                    .collect()
            })
            .collect();
        let relationships = relationships
            .into_iter()
            .enumerate()
            .map(|(s, v)| {
                v.into_iter()
                    .enumerate()
                    .map(|(i, n)| made(&mut ids, n, "r", s, i))
                    .collect()
            })
            .collect();
        let boundaries = boundaries
            .into_iter()
            .enumerate()
            .map(|(s, v)| {
                v.into_iter()
                    .map(|((owner, j), n)| {
                        let name = n.unwrap_or_else(|| {
                            buf.clear();
                            let _ = write!(buf, "xmc-b{}-{}-{j}", s + 1, owner.0);
                            ids.give(&buf)
                        });
                        ((owner, j), name)
                    })
                    .collect()
            })
            .collect();
        Names {
            ids,
            sheets,
            topics,
            relationships,
            boundaries,
            boundary_ids,
            written: HashSet::new(),
        }
    }

    /// The id of boundary `i` of topic `t` in sheet `s`, which is then counted as written.
    pub fn boundary(&mut self, s: usize, t: TopicId, i: usize) -> &str {
        self.written.insert((s, t, i));
        let k = self.boundaries[s].get(&(t, i)).copied();
        // Every boundary of the document was named in `new`.
        k.map_or("", |k| self.ids.name(k))
    }

    /// The new id of the boundary a relationship end names in the input, if that boundary
    /// was written.
    pub fn boundary_end(&self, s: usize, end: &str) -> Option<&str> {
        let &(t, i) = self.boundary_ids[s].get(end)?;
        if !self.written.contains(&(s, t, i)) {
            return None;
        }
        Some(self.ids.name(*self.boundaries[s].get(&(t, i))?))
    }

    pub fn topic(&self, s: usize, t: TopicId) -> &str {
        self.ids.name(self.topics[s][t.index()])
    }

    /// A fresh id for a summary (it has none in the model).
    pub fn fresh(&mut self, what: &str, s: usize, t: TopicId, i: usize) -> String {
        self.ids.unique(&format!("xmc-{what}{}-{}-{i}", s + 1, t.0))
    }
}

/// The map's stored files, written as `FOLDER/<sha256>.<ext>`, and the new name of each
/// `xap:` entry the content refers to.
pub(crate) struct Resources<'a> {
    /// The folder the files go in (`resources/`, `attachments/`).
    folder: &'static str,
    doc: &'a Document,
    /// Old entry → new entry, for entries whose bytes the document holds.
    renamed: BTreeMap<&'a str, String>,
    /// New entry → bytes, in name order (the zip's order).
    pub written: BTreeMap<String, &'a [u8]>,
}

impl<'a> Resources<'a> {
    pub fn new(doc: &'a Document, folder: &'static str) -> Resources<'a> {
        Resources {
            folder,
            doc,
            renamed: BTreeMap::new(),
            written: BTreeMap::new(),
        }
    }

    /// The `xap:` reference to write for `src`: `xap:resources/<sha256>.<ext>` when the map
    /// stores that file; other sources unchanged. `None` for a `xap:` entry the map refers to
    /// but does not hold (a broken file): nothing to point at.
    pub fn src(&mut self, src: &str) -> Option<String> {
        let Some(entry) = src.trim().strip_prefix("xap:") else {
            return Some(src.to_string());
        };
        let (old, bytes) = self.doc.media.get_key_value(entry)?;
        if let Some(new) = self.renamed.get(old.as_str()) {
            return Some(format!("xap:{new}"));
        }
        let digest = Sha256::digest(bytes);
        let mut new = String::from(self.folder);
        for b in digest {
            let _ = write!(new, "{b:02x}");
        }
        // The extension, from the old name, only if it is short and alphanumeric: the entry
        // name is ours, never a path taken from the input.
        if let Some((_, ext)) = old.rsplit_once('.') {
            if !ext.is_empty() && ext.len() <= 10 && ext.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                new.push('.');
                new.push_str(&ext.to_ascii_lowercase());
            }
        }
        self.written.insert(new.clone(), bytes);
        self.renamed.insert(old, new.clone());
        Some(format!("xap:{new}"))
    }

    /// A rich note with every `xap:` reference renamed; references to files the map does not
    /// hold stay as they are.
    pub fn html(&mut self, html: &str) -> String {
        let mut out = html.to_string();
        for src in crate::notes::references(html) {
            if !src.trim().starts_with("xap:") {
                continue;
            }
            if let Some(new) = self.src(&src) {
                out = out.replace(src.trim(), &new);
            }
        }
        out
    }
}
