//! XMind 2020+ (`-t xmind`): a `.xmind` archive with `content.json`, `metadata.json`,
//! `manifest.json`, a `content.xml` warning stub for old readers, and `resources/` holding the
//! map's images and attachments under the SHA-256 of their bytes. The full description is
//! `docs/formats/xmind.md`.

use std::io::{self, BufWriter, Cursor, Write};

use zip::ZipWriter;

use super::package::{Names, Resources, options, zip_error};
use super::{Extra, Plan, Writer};
use crate::error::Result;
use crate::model::{BoundaryRange, LinkKind, Topic, TopicId, TopicKind};

#[doc = include_str!("../../docs/formats/xmind.md")]
pub struct Xmind;

/// The layout XMind gives a new map's root: branches to the right, like an outline.
const STRUCTURE: &str = "org.xmind.ui.logic.right";

impl Writer for Xmind {
    fn name(&self) -> &'static str {
        "xmind"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["xmind"]
    }
    fn description(&self) -> &'static str {
        "XMind 2020 and later (.xmind with content.json; images and attachments kept)"
    }
    fn wants_media(&self) -> bool {
        true
    }
    fn binary(&self) -> bool {
        true
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let mut names = Names::new(plan.doc());
        let mut resources = Resources::new(plan.doc(), "resources/");
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("content.json", options(true))
            .map_err(zip_error)?;
        {
            let mut w = BufWriter::with_capacity(128 << 10, &mut zip);
            content(plan, &mut names, &mut resources, &mut w)?;
            w.flush()?;
        }
        zip.start_file("metadata.json", options(true))
            .map_err(zip_error)?;
        write!(
            zip,
            "{{\"dataStructureVersion\":\"2\",\"creator\":{{\"name\":\"xmindconv\",\"version\":\"{}\"}}}}",
            env!("CARGO_PKG_VERSION")
        )?;
        for (name, bytes) in &resources.written {
            zip.start_file(name.as_str(), options(false))
                .map_err(zip_error)?;
            zip.write_all(bytes)?;
        }
        zip.start_file("manifest.json", options(true))
            .map_err(zip_error)?;
        zip.write_all(b"{\"file-entries\":{\"content.json\":{},\"metadata.json\":{}")?;
        for name in resources.written.keys() {
            zip.write_all(b",")?;
            string(&mut zip, name)?;
            zip.write_all(b":{}")?;
        }
        zip.write_all(b"}}")?;
        zip.start_file("content.xml", options(true))
            .map_err(zip_error)?;
        zip.write_all(STUB.as_bytes())?;
        let bytes = zip.finish().map_err(zip_error)?.into_inner();
        out.write_all(&bytes)?;
        Ok(out.flush()?)
    }
}

/// What old readers (XMind 8, and tools that read only content.xml) see: one sheet saying
/// where the map is. XMind writes a stub of the same shape; this one is our own text.
const STUB: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>"#,
    r#"<xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0" version="2.0">"#,
    r#"<sheet id="xmindconv-warning"><topic id="xmindconv-warning-root">"#,
    r#"<title>Warning 警告: this map is in the XMind 2020+ format (content.json)</title>"#,
    r#"<children><topics type="attached"><topic id="xmindconv-warning-1">"#,
    r#"<title>Open it with XMind 2020 or later, or write it for XMind 8 with: xmindconv -t xmind8</title>"#,
    r#"</topic></topics></children></topic><title>Warning</title></sheet></xmap-content>"#
);

/// Work left while writing nested topics.
enum Task {
    Topic(TopicId),
    Raw(&'static str),
}

fn content(
    plan: &Plan<'_>,
    names: &mut Names,
    resources: &mut Resources<'_>,
    out: &mut impl Write,
) -> Result<()> {
    let doc = plan.doc();
    out.write_all(b"[")?;
    for (s, sheet) in doc.sheets.iter().enumerate() {
        if s > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"id\":")?;
        string(out, names.ids.name(names.sheets[s]))?;
        out.write_all(b",\"class\":\"sheet\",\"title\":")?;
        string(out, &sheet.title)?;
        out.write_all(b",\"rootTopic\":")?;
        tree(plan, s, names, resources, out)?;
        if plan.wants(Extra::Markers) && !doc.marker_names.is_empty() {
            out.write_all(b",\"legend\":{\"markers\":{")?;
            for (i, (id, name)) in doc.marker_names.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                string(out, id)?;
                out.write_all(b":{\"name\":")?;
                string(out, name)?;
                out.write_all(b"}")?;
            }
            out.write_all(b"}}")?;
        }
        if plan.wants(Extra::Relationships) {
            let mut first = true;
            for (r, rel) in sheet.relationships.iter().enumerate() {
                // Only lines with both ends written, each a topic or a boundary: an end that
                // is neither makes the file invalid for XMind's model (see the docs).
                let end = |t: Option<TopicId>, raw: &str| match t {
                    Some(t) => plan.written(s, t).then(|| names.topic(s, t)),
                    None => names.boundary_end(s, raw),
                };
                let (Some(a), Some(b)) = (end(rel.from, &rel.end1), end(rel.to, &rel.end2)) else {
                    continue;
                };
                out.write_all(if first {
                    b",\"relationships\":[{\"id\":"
                } else {
                    b",{\"id\":"
                })?;
                first = false;
                string(out, names.ids.name(names.relationships[s][r]))?;
                out.write_all(b",\"end1Id\":")?;
                string(out, a)?;
                out.write_all(b",\"end2Id\":")?;
                string(out, b)?;
                if !rel.title.is_empty() {
                    out.write_all(b",\"title\":")?;
                    string(out, &rel.title)?;
                }
                out.write_all(b"}")?;
            }
            if !first {
                out.write_all(b"]")?;
            }
        }
        out.write_all(b",\"topicPositioning\":\"fixed\"}")?;
    }
    out.write_all(b"]")?;
    Ok(())
}

/// The root topic of sheet `s` and everything written below it, with an explicit stack.
fn tree(
    plan: &Plan<'_>,
    s: usize,
    names: &mut Names,
    resources: &mut Resources<'_>,
    out: &mut impl Write,
) -> Result<()> {
    let sheet = &plan.doc().sheets[s];
    let mut done = vec![false; sheet.len()];
    done[0] = true;
    let mut stack = vec![Task::Topic(TopicId::ROOT)];
    let mut tail: Vec<Task> = Vec::new();
    let mut summary_topics: Vec<TopicId> = Vec::new();
    while let Some(task) = stack.pop() {
        let id = match task {
            Task::Raw(s) => {
                out.write_all(s.as_bytes())?;
                continue;
            }
            Task::Topic(id) => id,
        };
        let t = sheet.topic(id);
        head(plan, s, id, t, names, resources, out)?;
        let mut take = |c: TopicId| {
            let fresh = plan.written(s, c) && !done[c.index()];
            if fresh {
                done[c.index()] = true;
            }
            fresh
        };
        // Children first decided, so that ranges can be checked against what is written.
        let attached: Vec<TopicId> = t.children.iter().copied().filter(|&c| take(c)).collect();
        summary_topics.clear();
        if plan.wants(Extra::Summaries) {
            let mut first = true;
            for (i, sm) in t.summaries.iter().enumerate() {
                let (Some(r), Some(st)) = (sm.range, sm.topic) else {
                    continue;
                };
                if r.end >= attached.len() || !take(st) {
                    continue;
                }
                summary_topics.push(st);
                out.write_all(if first {
                    b",\"summaries\":[{\"id\":"
                } else {
                    b",{\"id\":"
                })?;
                first = false;
                string(out, &names.fresh("u", s, id, i))?;
                write!(out, ",\"range\":\"({},{})\",\"topicId\":", r.start, r.end)?;
                string(out, names.topic(s, st))?;
                out.write_all(b"}")?;
            }
            if !first {
                out.write_all(b"]")?;
            }
        }
        if plan.wants(Extra::Boundaries) {
            let mut first = true;
            for (i, b) in t.boundaries.iter().enumerate() {
                let range = match b.range {
                    BoundaryRange::Master => "master".to_string(),
                    BoundaryRange::Children(r) if r.end < attached.len() => {
                        format!("({},{})", r.start, r.end)
                    }
                    _ => continue,
                };
                out.write_all(if first {
                    b",\"boundaries\":[{\"id\":"
                } else {
                    b",{\"id\":"
                })?;
                first = false;
                string(out, names.boundary(s, id, i))?;
                out.write_all(b",\"range\":")?;
                string(out, &range)?;
                if !b.title.is_empty() {
                    out.write_all(b",\"title\":")?;
                    string(out, &b.title)?;
                }
                out.write_all(b"}")?;
            }
            if !first {
                out.write_all(b"]")?;
            }
        }
        let floating: Vec<TopicId> = t.floating.iter().copied().filter(|&c| take(c)).collect();
        let callouts: Vec<TopicId> = t.callouts.iter().copied().filter(|&c| take(c)).collect();
        tail.clear();
        let mut any = false;
        let groups: [(&'static str, &[TopicId]); 4] = [
            ("\"attached\":[", &attached),
            ("\"detached\":[", &floating),
            ("\"summary\":[", &summary_topics),
            ("\"callout\":[", &callouts),
        ];
        for (key, ids) in groups {
            if ids.is_empty() {
                continue;
            }
            tail.push(Task::Raw(if any { "," } else { ",\"children\":{" }));
            any = true;
            tail.push(Task::Raw(key));
            for (i, &c) in ids.iter().enumerate() {
                if i > 0 {
                    tail.push(Task::Raw(","));
                }
                tail.push(Task::Topic(c));
            }
            tail.push(Task::Raw("]"));
        }
        if any {
            tail.push(Task::Raw("}"));
        }
        tail.push(Task::Raw("}"));
        stack.extend(tail.drain(..).rev());
    }
    Ok(())
}

/// `{"id":…,"title":…` and the topic's own keys; the caller closes the object.
fn head(
    plan: &Plan<'_>,
    s: usize,
    id: TopicId,
    t: &Topic,
    names: &Names,
    resources: &mut Resources<'_>,
    out: &mut impl Write,
) -> Result<()> {
    out.write_all(b"{\"id\":")?;
    string(out, names.topic(s, id))?;
    if t.kind == TopicKind::Root {
        out.write_all(b",\"class\":\"topic\"")?;
    }
    out.write_all(b",\"title\":")?;
    string(out, &t.title)?;
    if t.kind == TopicKind::Root {
        write!(out, ",\"structureClass\":\"{STRUCTURE}\"")?;
    }
    if t.kind == TopicKind::Floating {
        // XMind places a floating topic where `position` says (relative to the root); the model
        // keeps no position, so they go in a column below the map.
        write!(
            out,
            ",\"position\":{{\"x\":0,\"y\":{}}}",
            200 + 60 * (id.0 % 1000)
        )?;
    }
    if plan.wants(Extra::Notes) {
        if let Some(n) = &t.notes {
            out.write_all(b",\"notes\":{\"plain\":{\"content\":")?;
            string(out, &n.plain)?;
            out.write_all(b"}")?;
            if let Some(h) = &n.html {
                out.write_all(b",\"realHTML\":{\"content\":")?;
                string(out, &resources.html(h))?;
                out.write_all(b"}")?;
            }
            out.write_all(b"}")?;
        }
    }
    if plan.wants(Extra::Labels) && !t.labels.is_empty() {
        out.write_all(b",\"labels\":[")?;
        for (i, l) in t.labels.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            string(out, l)?;
        }
        out.write_all(b"]")?;
    }
    if plan.wants(Extra::Markers) && !t.markers.is_empty() {
        out.write_all(b",\"markers\":[")?;
        for (i, m) in t.markers.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"markerId\":")?;
            string(out, m)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if plan.wants(Extra::Links) {
        if let Some(l) = &t.link {
            let href = match l.kind {
                LinkKind::Topic => match plan.link_target(l) {
                    Some(r) if plan.written(r.sheet, r.topic) => {
                        Some(format!("xmind:#{}", names.topic(r.sheet, r.topic)))
                    }
                    _ => Some(l.href.to_string()),
                },
                LinkKind::Attachment => resources.src(&l.href),
                _ => Some(l.href.to_string()),
            };
            if let Some(href) = href {
                out.write_all(b",\"href\":")?;
                string(out, &href)?;
            }
        }
    }
    if plan.wants(Extra::Images) {
        if let Some(img) = &t.image {
            if let Some(src) = resources.src(&img.src) {
                out.write_all(b",\"image\":{\"src\":")?;
                string(out, &src)?;
                for (key, v) in [("width", img.width), ("height", img.height)] {
                    if let Some(n) = v.filter(|v| v.is_finite() && *v >= 0.0) {
                        write!(out, ",\"{key}\":")?;
                        if n.fract() == 0.0 && n < 9e15 {
                            write!(out, "{}", n as i64)?;
                        } else {
                            serde_json::to_writer(&mut *out, &n).map_err(io::Error::from)?;
                        }
                    }
                }
                out.write_all(b"}")?;
            }
        }
    }
    if plan.wants(Extra::Comments) && !t.comments.is_empty() {
        // XMind 2020+ has no comments; this is where our reader (and other tools) look.
        out.write_all(b",\"comments\":[")?;
        for (i, c) in t.comments.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"author\":")?;
            string(out, &c.author)?;
            if let Some(time) = c.time {
                write!(out, ",\"creationTime\":{time}")?;
            }
            out.write_all(b",\"content\":")?;
            string(out, &c.content)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if t.folded {
        out.write_all(b",\"branch\":\"folded\"")?;
    }
    Ok(())
}

/// A JSON string literal, written by serde_json.
fn string(out: &mut impl Write, s: &str) -> io::Result<()> {
    Ok(serde_json::to_writer(out, s)?)
}
