//! JSON: the model in a documented, stable shape (schema: `schema/xmindconv.schema.json`),
//! written with an explicit stack so that any depth works.
//!
//! `{"name", "source", "sheets": [{"id", "title", "root": TOPIC, "relationships"}]}`, where TOPIC is
//! `{"id", "title", "children": [TOPIC…]}` plus, when present and not turned off, `notes`,
//! `labels`, `markers`, `link`, `image`, `folded`, `comments`, `floating`, `callouts`,
//! `summaries`, `boundaries`.

use std::io::{self, BufWriter, Write};

use super::{Extra, WriteOptions, Writer};
use crate::model::{BoundaryRange, Document, LinkKind, Sheet, Source, Topic, TopicId};

/// The JSON emitter.
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
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> io::Result<()> {
        // Many small writes per topic: buffer them here, where the calls are direct. Larger
        // than the caller's buffer (64 KiB in the CLI), so that full blocks pass through it
        // without being copied again.
        let mut out = BufWriter::with_capacity(128 << 10, out);
        let out = &mut out;
        out.write_all(b"{\"name\":")?;
        match &doc.name {
            Some(n) => string(out, n)?,
            None => out.write_all(b"null")?,
        }
        let source = match doc.source {
            Source::Json => "content.json",
            Source::Xml => "content.xml",
        };
        write!(out, ",\"source\":\"{source}\"")?;
        if opts.wants(Extra::Markers, true) && !doc.marker_names.is_empty() {
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
        for (i, sheet) in doc.sheets.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            write_sheet(sheet, opts, out)?;
        }
        out.write_all(b"]}\n")?;
        out.flush()
    }
}

fn write_sheet(sheet: &Sheet, opts: &WriteOptions, out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"{\"id\":")?;
    string(out, &sheet.id)?;
    out.write_all(b",\"title\":")?;
    string(out, &sheet.title)?;
    out.write_all(b",\"root\":")?;
    write_tree(sheet, opts, out)?;
    if opts.wants(Extra::Relationships, true) {
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
    Topic(TopicId, usize),
    Raw(&'static str),
    Text(String),
}

fn write_tree(sheet: &Sheet, opts: &WriteOptions, out: &mut impl Write) -> io::Result<()> {
    let mut stack = vec![Task::Topic(TopicId::ROOT, 0)];
    // What follows a topic's scalar keys, in order; reused from topic to topic.
    let mut tail: Vec<Task> = Vec::new();
    while let Some(task) = stack.pop() {
        match task {
            Task::Raw(s) => out.write_all(s.as_bytes())?,
            Task::Text(s) => out.write_all(s.as_bytes())?,
            Task::Topic(id, depth) => {
                let t = sheet.topic(id);
                write_topic_head(t, opts, out)?;
                tail.clear();
                let deeper = opts.within_depth(depth + 1);
                let list = |tail: &mut Vec<Task>, key: &'static str, ids: &[TopicId]| {
                    tail.push(Task::Raw(key));
                    for (i, &c) in ids.iter().enumerate() {
                        if i > 0 {
                            tail.push(Task::Raw(","));
                        }
                        tail.push(Task::Topic(c, depth + 1));
                    }
                    tail.push(Task::Raw("]"));
                };
                let children: &[TopicId] = if deeper { &t.children } else { &[] };
                list(&mut tail, ",\"children\":[", children);
                if deeper && opts.wants(Extra::Floating, true) && !t.floating.is_empty() {
                    list(&mut tail, ",\"floating\":[", &t.floating);
                }
                if deeper && opts.wants(Extra::Callouts, true) && !t.callouts.is_empty() {
                    list(&mut tail, ",\"callouts\":[", &t.callouts);
                }
                if opts.wants(Extra::Summaries, true) && !t.summaries.is_empty() {
                    tail.push(Task::Raw(",\"summaries\":["));
                    for (i, s) in t.summaries.iter().enumerate() {
                        let comma = if i > 0 { "," } else { "" };
                        let range = match s.range {
                            Some(r) => format!("\"start\":{},\"end\":{}", r.start, r.end),
                            None => "\"start\":null,\"end\":null".to_string(),
                        };
                        tail.push(Task::Text(format!("{comma}{{{range},\"topic\":")));
                        match s.topic {
                            Some(st) if deeper => tail.push(Task::Topic(st, depth + 1)),
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
fn write_topic_head(t: &Topic, opts: &WriteOptions, out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"{\"id\":")?;
    string(out, &t.id)?;
    out.write_all(b",\"title\":")?;
    string(out, &t.title)?;
    if opts.wants(Extra::Notes, true) {
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
    if opts.wants(Extra::Labels, true) && !t.labels.is_empty() {
        out.write_all(b",\"labels\":")?;
        strings(out, &t.labels)?;
    }
    if opts.wants(Extra::Markers, true) && !t.markers.is_empty() {
        out.write_all(b",\"markers\":")?;
        strings(out, &t.markers)?;
    }
    if opts.wants(Extra::Links, true) {
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
            if let Some(target) = l.target {
                write!(out, ",\"target\":{{\"sheet\":{},\"id\":", target.sheet + 1)?;
                string(out, l.target_name())?;
                out.write_all(b"}")?;
            }
            out.write_all(b"}")?;
        }
    }
    if opts.wants(Extra::Images, true) {
        if let Some(img) = &t.image {
            out.write_all(b",\"image\":{\"src\":")?;
            string(out, &img.src)?;
            for (key, v) in [("width", img.width), ("height", img.height)] {
                if let Some(v) = v {
                    write!(out, ",\"{key}\":{v}")?;
                }
            }
            out.write_all(b"}")?;
        }
    }
    if opts.wants(Extra::Boundaries, true) && !t.boundaries.is_empty() {
        out.write_all(b",\"boundaries\":[")?;
        for (i, b) in t.boundaries.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            match b.range {
                BoundaryRange::Master => out.write_all(b"{\"master\":true,\"title\":")?,
                BoundaryRange::Children(r) => {
                    write!(out, "{{\"start\":{},\"end\":{},\"title\":", r.start, r.end)?
                }
                BoundaryRange::Unknown => out.write_all(b"{\"title\":")?,
            }
            string(out, &b.title)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]")?;
    }
    if opts.wants(Extra::Comments, true) && !t.comments.is_empty() {
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

/// The bytes a JSON string cannot hold as they are: `"`, `\` and the C0 controls.
const ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Length of the longest prefix of whole 8-byte words with no byte to escape, tested a word
/// at a time: most strings (ids, titles) have none.
fn plain_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let mut n = 0;
    for word in bytes.chunks_exact(8) {
        let x = u64::from_ne_bytes(word.try_into().expect("8 bytes"));
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH != 0;
        if control || has_zero(x ^ (ONES * b'"' as u64)) || has_zero(x ^ (ONES * b'\\' as u64)) {
            break;
        }
        n += 8;
    }
    n
}

/// A JSON string literal (RFC 8259): `"` `\` and control characters escaped, the rest as UTF-8.
fn string(out: &mut impl Write, s: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().skip(plain_prefix(bytes)) {
        if !ESCAPED[b as usize] {
            continue;
        }
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => b"",
        };
        out.write_all(&bytes[start..i])?;
        if esc.is_empty() {
            write!(out, "\\u{b:04x}")?;
        } else {
            out.write_all(esc)?;
        }
        start = i + 1;
    }
    out.write_all(&bytes[start..])?;
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        let mut out = Vec::new();
        string(&mut out, "a\"b\\c\nd\u{1}é").unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"b\\c\nd\u0001é""#);
        // Every position of a byte to escape, in and after whole words.
        for len in 0..20 {
            for at in 0..len {
                for (c, esc) in [('"', "\\\""), ('\\', "\\\\"), ('\u{1f}', "\\u001f")] {
                    let mut s: Vec<char> = "abcdefghijklmnopqrst"[..len].chars().collect();
                    s[at] = c;
                    let s: String = s.into_iter().collect();
                    let mut out = Vec::new();
                    string(&mut out, &s).unwrap();
                    let want = format!("\"{}\"", s.replace(c, esc));
                    assert_eq!(String::from_utf8(out).unwrap(), want);
                }
            }
        }
        assert_eq!(plain_prefix(b"0123456789abcdef!"), 16);
        assert_eq!(plain_prefix("é€😢 ~\u{7f}\u{80}xyzw".as_bytes()), 16);
    }
}
