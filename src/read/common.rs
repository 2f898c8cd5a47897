//! What the text readers share: reading an input within `--max-size`, UTF-8 decoding, line and
//! column of an offset, content sniffing, limit errors, and an outline builder that hangs topics
//! by level with an explicit stack.

use std::io::Read;

use super::Limits;
use crate::error::{Error, Result};
use crate::model::{Sheet, Topic, TopicId, TopicKind};

/// The whole input, refused when it is larger than [`Limits::max_entry_size`].
pub(crate) fn read_all(input: impl Read, limits: &Limits) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    input
        .take(limits.max_entry_size.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limits.max_entry_size {
        return Err(Error::Limit {
            entry: "input".into(),
            what: "size",
            limit: format!("{} MiB", limits.max_entry_size >> 20),
            option: "--max-size",
        });
    }
    Ok(bytes)
}

/// The input as UTF-8 text, without a byte order mark. Not UTF-8: [`Error::Encoding`] with the
/// first bad byte's offset. Empty or only white space: [`Error::Empty`].
pub(crate) fn decode<'a>(bytes: &'a [u8], format: &'static str) -> Result<&'a str> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let at = e.valid_up_to();
        let line = 1 + body[..at].iter().filter(|&&b| b == b'\n').count();
        Error::Encoding {
            format,
            offset: at + (bytes.len() - body.len()),
            line,
        }
    })?;
    if text.trim().is_empty() {
        return Err(Error::Empty { format });
    }
    Ok(text)
}

/// 1-based line and column (in characters) of a byte offset; `\n`, `\r\n` and a lone `\r` end
/// lines. An offset past the end is the end.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text.as_bytes()[..at];
    let mut line = 1;
    let mut start = 0;
    let mut i = 0;
    while i < before.len() {
        match before[i] {
            b'\n' => {
                line += 1;
                start = i + 1;
            }
            b'\r' if before.get(i + 1) != Some(&b'\n') => {
                line += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (line, text[start..at].chars().count() + 1)
}

/// A syntax error at a byte offset of `text`.
pub(crate) fn syntax(
    format: &'static str,
    text: &str,
    offset: usize,
    message: impl Into<String>,
) -> Error {
    let (line, column) = line_column(text, offset);
    Error::Syntax {
        format,
        line,
        column,
        message: message.into(),
    }
}

/// The value of an attribute of a user's XML (OPML, FreeMind), with XML's five entities and
/// character references decoded. Any other entity is refused with one clear line: entities a
/// DTD declares are never expanded (no external entities, no "billion laughs").
pub(crate) fn attribute_value<'a>(
    a: &quick_xml::events::attributes::Attribute<'a>,
    format: &'static str,
    text: &str,
    at: usize,
) -> Result<std::borrow::Cow<'a, str>> {
    use quick_xml::escape::EscapeError;
    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .map_err(|err| {
            let message = match err {
                quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
                    format!("entity &{name}; is not one of XML's five (DTDs are not read)")
                }
                other => other.to_string(),
            };
            syntax(format, text, at, message)
        })
}

/// The text a reference between elements stands for (`&#233;`, `&amp;`), written into `buf`:
/// character references and XML's five entities; any other entity is refused as
/// [`attribute_value`] refuses it.
pub(crate) fn reference_text<'b>(
    r: &quick_xml::events::BytesRef,
    buf: &'b mut [u8; 4],
    format: &'static str,
    text: &str,
    at: usize,
) -> Result<&'b str> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.encode_utf8(buf)),
        Ok(None) => match quick_xml::escape::resolve_predefined_entity(r) {
            Some(s) => {
                let n = s.len();
                buf[..n].copy_from_slice(s.as_bytes());
                Ok(std::str::from_utf8(&buf[..n]).unwrap_or_default())
            }
            None => Err(syntax(
                format,
                text,
                at,
                format!(
                    "entity &{}; is not one of XML's five (DTDs are not read)",
                    &**r
                ),
            )),
        },
        Err(e) => Err(syntax(format, text, at, e.to_string())),
    }
}

pub(crate) fn depth_limit(format: &'static str, limits: &Limits) -> Error {
    Error::Limit {
        entry: format.into(),
        what: "nesting depth",
        limit: limits.max_depth.to_string(),
        option: "--max-depth",
    }
}

pub(crate) fn text_limit(format: &'static str, limits: &Limits) -> Error {
    Error::Limit {
        entry: format.into(),
        what: "length of a text",
        limit: format!("{} MiB", limits.max_text >> 20),
        option: "--max-text",
    }
}

/// The input without a byte order mark and leading white space.
fn start(head: &[u8]) -> &[u8] {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let n = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    &head[n..]
}

/// A zip, another archive or binary file (the XMind reader says what it is), a Git LFS pointer,
/// a bare `content.json` (an array of sheets) or `content.xml`.
pub(crate) fn looks_like_xmind(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"PK",
        b"7z\xBC\xAF\x27\x1C",
        b"Rar!",
        b"\x1f\x8b",
        b"%PDF",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"version https://git-lfs.github.com/spec/",
    ];
    if head.is_empty() {
        return false;
    }
    if MAGIC.iter().any(|m| head.starts_with(m)) || head.contains(&0) {
        return true;
    }
    let s = start(head);
    s.starts_with(b"[") || contains(head, b"<xmap-content")
}

/// A JSON object (our JSON; XMind's content.json is an array).
pub(crate) fn looks_like_json(head: &[u8]) -> bool {
    start(head).starts_with(b"{")
}

/// An XML document whose root is `<name` (after a declaration, comments, a doctype).
pub(crate) fn xml_root_is(head: &[u8], name: &[u8]) -> bool {
    let mut s = start(head);
    loop {
        if s.starts_with(b"<?") || s.starts_with(b"<!--") || s.starts_with(b"<!") {
            let end: &[u8] = if s.starts_with(b"<?") {
                b"?>"
            } else if s.starts_with(b"<!--") {
                b"-->"
            } else {
                b">"
            };
            match find(s, end) {
                Some(i) => s = start(&s[i + end.len()..]),
                None => return false,
            }
        } else {
            return s.starts_with(b"<")
                && s[1..].starts_with(name)
                && s.get(1 + name.len())
                    .is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// Builds one sheet from topics given in document order with a level each (0 the root, 1 its
/// children…): a topic hangs from the nearest earlier open topic of a smaller level. Levels may
/// jump down by more than one (`#` then `####`): the topic then hangs from the deepest open
/// topic, and a later topic of the same level becomes its sibling, not its child.
pub(crate) struct Outline {
    pub sheet: Sheet,
    /// Open topics with their levels, levels strictly increasing from the root's 0.
    open: Vec<(usize, TopicId)>,
}

impl Outline {
    /// A sheet whose root is `root`.
    pub fn new(root: Topic) -> Outline {
        let mut sheet = Sheet::new("");
        let mut root = root;
        root.kind = TopicKind::Root;
        sheet.topics[0] = root;
        Outline {
            sheet,
            open: vec![(0, TopicId::ROOT)],
        }
    }

    /// Adds `topic` at `level` (at least 1) and returns its id.
    pub fn push(&mut self, level: usize, topic: Topic) -> TopicId {
        self.push_as(level, TopicKind::Attached, topic)
    }

    /// [`Outline::push`] for a topic of another kind (floating, summary, callout); a root is
    /// taken as attached.
    pub fn push_as(&mut self, level: usize, kind: TopicKind, topic: Topic) -> TopicId {
        let kind = if kind == TopicKind::Root {
            TopicKind::Attached
        } else {
            kind
        };
        let level = level.max(1);
        while self.open.last().is_some_and(|&(l, _)| l >= level) {
            self.open.pop();
        }
        let (_, parent) = *self.open.last().expect("the root stays open");
        let id = self.sheet.add(parent, kind, topic);
        self.open.push((level, id));
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let t = "ab\r\ncé\rd\nx";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 4), (2, 1));
        assert_eq!(line_column(t, 7), (2, 3));
        assert_eq!(line_column(t, 8), (3, 1));
        assert_eq!(line_column(t, 999), (4, 2));
    }

    #[test]
    fn decoding_refuses_bad_utf8_and_empty_input() {
        assert_eq!(decode(b"\xEF\xBB\xBFhi", "x").unwrap(), "hi");
        let e = decode(b"a\nb\xFFc", "markdown").unwrap_err();
        assert_eq!(
            e.to_string(),
            "markdown: the input is not UTF-8: invalid byte at offset 3 (line 2); convert it to UTF-8"
        );
        assert!(matches!(decode(b" \n\t", "x"), Err(Error::Empty { .. })));
    }

    #[test]
    fn outline_levels_may_jump() {
        let mut o = Outline::new(Topic::new("r"));
        let a = o.push(3, Topic::new("a"));
        let b = o.push(3, Topic::new("b"));
        let c = o.push(5, Topic::new("c"));
        let d = o.push(4, Topic::new("d"));
        let s = &o.sheet;
        assert_eq!(s.root().children, [a, b]);
        assert_eq!(s.topic(b).children, [c, d]);
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_xmind(b"PK\x03\x04"));
        assert!(looks_like_xmind(b"  [{\"id\":1}]"));
        assert!(!looks_like_xmind(b"# title"));
        assert!(looks_like_json(b"\xEF\xBB\xBF {\"sheets\":[]}"));
        assert!(xml_root_is(
            b"<?xml version=\"1.0\"?>\n<!-- x -->\n<opml version=\"2.0\">",
            b"opml"
        ));
        assert!(!xml_root_is(b"<opmlx>", b"opml"));
        assert!(xml_root_is(b"<map version=\"1.0.1\">", b"map"));
    }
}
