//! JSON: the model in a documented, stable shape (schema: `schema/xmindconv.schema.json`),
//! written with an explicit stack so that any depth works.
//!
//! `{"name", "source", "sheets": [{"id", "title", "root": TOPIC, "relationships"}]}`, where TOPIC is
//! `{"id", "title", "children": [TOPIC…]}` plus, when present and not turned off, `notes`,
//! `labels`, `markers`, `link`, `image`, `folded`, `comments`, `floating`, `callouts`,
//! `summaries`, `boundaries`.

use std::io::{self, Write};

use super::{Extra, Plan, Writer};
use crate::error::Result;
use crate::model::{BoundaryRange, LinkKind, Source, Topic, TopicId};

#[doc = include_str!("../../docs/formats/json.md")]
pub struct Json;

impl Writer for Json {
    fn name(&self) -> &'static str {
        "json"
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["json"]
    }
    fn description(&self) -> &'static str {
        "the whole model as JSON (schema/xmindconv.schema.json)"
    }
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()> {
        let doc = plan.doc();
        // Many small writes per topic: gathered here, where each is a copy into a `Vec`, and
        // handed on in blocks larger than the caller's buffer (64 KiB in the CLI), so that they
        // pass through it without being copied again.
        let mut out = Blocks {
            buf: Vec::with_capacity(Blocks::BLOCK + (16 << 10)),
            out,
        };
        let out = &mut out;
        out.write_all(b"{\"name\":")?;
        match &doc.name {
            Some(n) => string(out, n)?,
            None => out.write_all(b"null")?,
        }
        let source = match doc.source {
            Source::Json => "content.json",
            Source::Xml => "content.xml",
            Source::Format(name) => name,
        };
        write!(out, ",\"source\":\"{source}\"")?;
        if plan.wants(Extra::Markers) && !doc.marker_names.is_empty() {
            out.write_all(b",\"marker_names\":{")?;
            for (i, (id, name)) in doc.marker_names.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                string(out, id)?;
                out.write_all(b":")?;
                string(out, name)?;
            }
            out.write_all(b"}")?;
        }
        out.write_all(b",\"sheets\":[")?;
        for s in 0..doc.sheets.len() {
            if s > 0 {
                out.write_all(b",")?;
            }
            write_sheet(plan, s, out)?;
        }
        out.write_all(b"]}\n")?;
        Ok(out.flush()?)
    }
}

/// The JSON being written, handed on to `out` in blocks of about [`Blocks::BLOCK`] bytes: every
/// write is a copy into `buf`, and the tree writer hands full blocks on between topics.
struct Blocks<'o> {
    buf: Vec<u8>,
    out: &'o mut dyn Write,
}

impl Blocks<'_> {
    const BLOCK: usize = 128 << 10;

    /// Hands the text on when a block is full.
    fn flush_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= Self::BLOCK {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl Write for Blocks<'_> {
    #[inline]
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    #[inline]
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(b);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()
    }
}

fn write_sheet(plan: &Plan<'_>, s: usize, out: &mut Blocks<'_>) -> io::Result<()> {
    let sheet = &plan.doc().sheets[s];
    out.write_all(b"{\"id\":")?;
    string(out, &sheet.id)?;
    out.write_all(b",\"title\":")?;
    string(out, &sheet.title)?;
    out.write_all(b",\"root\":")?;
    write_tree(plan, s, out)?;
    if plan.wants(Extra::Relationships) {
        out.write_all(b",\"relationships\":[")?;
        for (i, r) in sheet.relationships.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"id\":")?;
            string(out, &r.id)?;
            out.write_all(b",\"end1\":")?;
            string(out, &r.end1)?;
            out.write_all(b",\"end2\":")?;
            string(out, &r.end2)?;
            out.write_all(b",\"title\":")?;
            string(out, &r.title)?;
            write!(
                out,
                ",\"resolved\":{}}}",
                r.from.is_some() && r.to.is_some()
            )?;
        }
        out.write_all(b"]")?;
    }
    out.write_all(b"}")
}

/// Work left to do while writing nested topics.
enum Task {
    Topic(TopicId),
    Raw(&'static str),
    Text(String),
}

/// The root and everything written below it, nested as the model nests it (floating topics
/// under the topic they hang from), with an explicit stack. A topic goes where the map first
/// lists it, when the plan writes it.
fn write_tree(plan: &Plan<'_>, s: usize, out: &mut Blocks<'_>) -> io::Result<()> {
    let sheet = &plan.doc().sheets[s];
    let mut done = vec![false; sheet.len()];
    done[0] = true;
    let mut stack = vec![Task::Topic(TopicId::ROOT)];
    // What follows a topic's scalar keys, in order; reused from topic to topic.
    let mut tail: Vec<Task> = Vec::new();
    let mut take = |c: TopicId| {
        let fresh = plan.written(s, c) && !done[c.index()];
        if fresh {
            done[c.index()] = true;
        }
        fresh
    };
    let mut kept: Vec<TopicId> = Vec::new();
    while let Some(task) = stack.pop() {
        match task {
            Task::Raw(s) => out.write_all(s.as_bytes())?,
            Task::Text(s) => out.write_all(s.as_bytes())?,
            Task::Topic(id) => {
                out.flush_full()?;
                let t = sheet.topic(id);
                write_topic_head(plan, t, out)?;
                tail.clear();
                let mut list = |tail: &mut Vec<Task>, key: &'static str, ids: &[TopicId]| {
                    kept.clear();
                    kept.extend(ids.iter().copied().filter(|&c| take(c)));
                    if kept.is_empty() && key != ",\"children\":[" {
                        return;
                    }
                    tail.push(Task::Raw(key));
                    for (i, &c) in kept.iter().enumerate() {
                        if i > 0 {
                            tail.push(Task::Raw(","));
                        }
                        tail.push(Task::Topic(c));
                    }
                    tail.push(Task::Raw("]"));
                };
                list(&mut tail, ",\"children\":[", &t.children);
                list(&mut tail, ",\"floating\":[", &t.floating);
                list(&mut tail, ",\"callouts\":[", &t.callouts);
                if plan.wants(Extra::Summaries) && !t.summaries.is_empty() {
                    tail.push(Task::Raw(",\"summaries\":["));
                    for (i, sm) in t.summaries.iter().enumerate() {
                        let comma = if i > 0 { "," } else { "" };
                        let range = match sm.range {
                            Some(r) => format!("\"start\":{},\"end\":{}", r.start, r.end),
                            None => "\"start\":null,\"end\":null".to_string(),
                        };
                        tail.push(Task::Text(format!("{comma}{{{range},\"topic\":")));
                        match sm.topic {
                            Some(st) if take(st) => tail.push(Task::Topic(st)),
                            _ => tail.push(Task::Raw("null")),
                        }
                        tail.push(Task::Raw("}"));
                    }
                    tail.push(Task::Raw("]"));
                }
                tail.push(Task::Raw("}"));
                // Pushed in reverse: the last key is pushed first.
                stack.extend(tail.drain(..).rev());
            }
        }
    }
    Ok(())
}

/// `{"id":…,"title":…` and every scalar extra of the topic; the caller closes the object.
fn write_topic_head(plan: &Plan<'_>, t: &Topic, out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"{\"id\":")?;
    string(out, &t.id)?;
    out.write_all(b",\"title\":")?;
    string(out, &t.title)?;
    if plan.wants(Extra::Notes) {
        if let Some(n) = &t.notes {
            out.write_all(b",\"notes\":{\"plain\":")?;
            string(out, &n.plain)?;
            if let Some(h) = &n.html {
                out.write_all(b",\"html\":")?;
                string(out, h)?;
            }
            out.write_all(b"}")?;
        }
    }
    if plan.wants(Extra::Labels) && !t.labels.is_empty() {
        out.write_all(b",\"labels\":")?;
        strings(out, &t.labels)?;
    }
    if plan.wants(Extra::Markers) && !t.markers.is_empty() {
        out.write_all(b",\"markers\":")?;
        strings(out, &t.markers)?;
    }
    if plan.wants(Extra::Links) {
        if let Some(l) = &t.link {
            let kind = match l.kind {
                LinkKind::Web => "web",
                LinkKind::Topic => "topic",
                LinkKind::File => "file",
                LinkKind::Attachment => "attachment",
                LinkKind::Other => "other",
            };
            write!(out, ",\"link\":{{\"kind\":\"{kind}\",\"href\":")?;
            string(out, &l.href)?;
            if let Some(target) = plan.link_target(l) {
                write!(out, ",\"target\":{{\"sheet\":{},\"id\":", target.sheet + 1)?;
                string(out, l.target_name())?;
                out.write_all(b"}")?;
            }
            out.write_all(b"}")?;
        }
    }
    if plan.wants(Extra::Images) {
        if let Some(img) = &t.image {
            out.write_all(b",\"image\":{\"src\":")?;
            string(out, &img.src)?;
            for (key, v) in [("width", img.width), ("height", img.height)] {
                // JSON has no NaN or infinity: such a size is left out, as a missing one is.
                if let Some(n) = v.and_then(number) {
                    write!(out, ",\"{key}\":")?;
                    serde_json::to_writer(&mut *out, &n)?;
                }
            }
            out.write_all(b"}")?;
        }
    }
    if plan.wants(Extra::Boundaries) && !t.boundaries.is_empty() {
        out.write_all(b",\"boundaries\":[")?;
        for (i, b) in t.boundaries.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"id\":")?;
            string(out, &b.id)?;
            match b.range {
                BoundaryRange::Master => out.write_all(b",\"master\":true,\"title\":")?,
                BoundaryRange::Children(r) => {
                    write!(out, ",\"start\":{},\"end\":{},\"title\":", r.start, r.end)?
                }
                BoundaryRange::Unknown => out.write_all(b",\"title\":")?,
            }
            string(out, &b.title)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if plan.wants(Extra::Comments) && !t.comments.is_empty() {
        out.write_all(b",\"comments\":[")?;
        for (i, c) in t.comments.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"author\":")?;
            string(out, &c.author)?;
            match c.time {
                Some(t) => write!(out, ",\"time\":{t}")?,
                None => out.write_all(b",\"time\":null")?,
            }
            out.write_all(b",\"content\":")?;
            string(out, &c.content)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if t.folded {
        out.write_all(b",\"folded\":true")?;
    }
    Ok(())
}

fn strings(out: &mut impl Write, items: &[String]) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        string(out, s)?;
    }
    out.write_all(b"]")
}

/// `v` as a JSON number: a whole number without a fraction (`120`, as XMind writes sizes), other
/// finite values as serde_json writes them; `None` for NaN and infinities.
fn number(v: f64) -> Option<serde_json::Number> {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        Some((v as i64).into())
    } else {
        serde_json::Number::from_f64(v)
    }
}

/// A JSON string literal, written by serde_json (RFC 8259: `"`, `\\` and control characters
/// escaped, the rest as UTF-8).
fn string(out: &mut impl Write, s: &str) -> io::Result<()> {
    if needs_no_escape(s.as_bytes()) {
        // The same bytes serde_json writes for such a string, in one piece.
        out.write_all(b"\"")?;
        out.write_all(s.as_bytes())?;
        return out.write_all(b"\"");
    }
    Ok(serde_json::to_writer(out, s)?)
}

/// Whether `b` holds no byte that JSON escapes (`"`, `\\`, below 0x20), eight bytes at a time:
/// most titles and every id need no escape, and a byte-by-byte check costs as much as
/// serde_json's own escaping loop.
fn needs_no_escape(b: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let has = |w: u64| {
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
    };
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if has(u64::from_le_bytes(w)) != 0 {
            return false;
        }
    }
    !chunks
        .remainder()
        .iter()
        .any(|&c| c < 0x20 || c == b'"' || c == b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Image, Sheet};
    use crate::write::WriteOptions;

    #[test]
    fn strings_are_escaped() {
        let mut out = Vec::new();
        string(&mut out, "a\"b\\c\nd\u{1}é").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let pieces = [
            "a", "\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "~", "\u{7f}", "é", "中", "/",
        ];
        let mut seed = 0x853c_49e6_748f_ea9b_u64;
        for _ in 0..50_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let mut s = String::new();
            let mut x = seed;
            for _ in 0..(seed >> 59) + 1 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let p = (x >> 33) as usize % (pieces.len() * 3);
                s.push_str(pieces.get(p).copied().unwrap_or("x"));
            }
            let mut ours = Vec::new();
            string(&mut ours, &s).unwrap();
            assert_eq!(ours, serde_json::to_vec(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn sizes_that_json_cannot_hold_are_left_out() {
        let mut s = Sheet::new("root");
        s.topics[0].image = Some(Box::new(Image {
            src: "x.png".into(),
            width: Some(f64::NAN),
            height: Some(f64::INFINITY),
        }));
        let doc = Document {
            sheets: vec![s.clone()],
            ..Document::default()
        };
        let out = crate::write::to_string(&Json, &doc, &WriteOptions::default()).unwrap();
        assert!(out.contains(r#""image":{"src":"x.png"}"#), "{out}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap();
        s.topics[0].image.as_mut().unwrap().width = Some(12.5);
        let doc = Document {
            sheets: vec![s],
            ..Document::default()
        };
        let out = crate::write::to_string(&Json, &doc, &WriteOptions::default()).unwrap();
        assert!(
            out.contains(r#""image":{"src":"x.png","width":12.5}"#),
            "{out}"
        );
    }
}
