//! A fast tokenizer for the common shape of content.xml, used before quick-xml.
//!
//! quick-xml checks the UTF-8 of every event again (our text is already a `&str`), splits text at
//! every reference and keeps its own stack of names: on a 100,000-topic map that was about a
//! third of the reader's instructions. This scanner gives the content.xml parser the same
//! events for the documents it understands: start, empty and end tags, text (with its `&`
//! references and carriage returns still in it, every reference checked), the XML declaration
//! and processing instructions. Anything else — comments, CDATA, a DOCTYPE, a reference quick-xml
//! would refuse or not resolve, a mismatched end tag, an unclosed element — is [`Bail`]: the
//! caller then reads the whole document again with quick-xml, whose events and error messages
//! are the reference. So this scanner never decides an error; it only declines.

use std::borrow::Cow;

use memchr::{memchr, memchr3};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart};

/// The scanner declines this document: read it with quick-xml instead.
#[derive(Debug)]
pub(super) struct Bail;

/// One event, as quick-xml would give it for the same bytes.
pub(super) enum Token<'a> {
    Start(BytesStart<'a>),
    Empty(BytesStart<'a>),
    End,
    /// Text up to the next `<`, already appended to the sink given to [`Scanner::next`] (if
    /// any): references resolved, CR LF and lone CR turned into LF.
    Text,
    /// Text already decoded (quick-xml's text, CDATA and resolved references).
    Decoded(Cow<'a, str>),
    /// A DOCTYPE (quick-xml only).
    DocType,
    /// The XML declaration, a processing instruction or a comment.
    Other,
    Eof,
}

pub(super) struct Scanner<'a> {
    s: &'a str,
    pos: usize,
    /// Names of the open elements, as byte ranges of `s`.
    open: Vec<(usize, usize)>,
    /// Inside [`Scanner::skip`]: references need not resolve (quick-xml's `read_to_end` does
    /// not resolve them either), only be closed.
    skipping: bool,
}

/// XML white space as quick-xml sees it.
fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Scanner<'a> {
    pub(super) fn new(s: &'a str) -> Result<Scanner<'a>, Bail> {
        if s.starts_with('\u{FEFF}') {
            // quick-xml skips a byte-order mark; leave that to it.
            return Err(Bail);
        }
        Ok(Scanner {
            s,
            pos: 0,
            open: Vec::new(),
            skipping: false,
        })
    }

    /// The next token; a text run is decoded into `sink`, or only checked when there is none.
    pub(super) fn next(&mut self, sink: Option<&mut String>) -> Result<Token<'a>, Bail> {
        let s = self.s;
        let b = s.as_bytes();
        let pos = self.pos;
        let Some(&first) = b.get(pos) else {
            return if self.open.is_empty() {
                Ok(Token::Eof)
            } else {
                Err(Bail)
            };
        };
        if first != b'<' {
            self.pos = text(s, pos, sink, self.skipping)?;
            return Ok(Token::Text);
        }
        match b.get(pos + 1) {
            None | Some(b'!') => Err(Bail),
            Some(b'/') => {
                let from = pos + 2;
                let (os, oe) = self.open.pop().ok_or(Bail)?;
                let name = &b[os..oe];
                // Nearly always `</name>` exactly.
                let gt = if same_name(b, os, oe, from) && b.get(from + name.len()) == Some(&b'>') {
                    from + name.len()
                } else {
                    let gt = match memchr3(b'>', b'"', b'\'', &b[from..]) {
                        Some(i) if b[from + i] == b'>' => from + i,
                        _ => return Err(Bail),
                    };
                    let mut name_end = gt;
                    while name_end > from && is_white(b[name_end - 1]) {
                        name_end -= 1;
                    }
                    if b[from..name_end] != *name {
                        return Err(Bail);
                    }
                    gt
                };
                self.pos = gt + 1;
                Ok(Token::End)
            }
            Some(b'?') => {
                let gt = pos + 2 + memchr(b'>', &b[pos + 2..]).ok_or(Bail)?;
                // `<?…?>` with at least `<??>`; anything else is quick-xml's to judge.
                if gt < pos + 3 || b[gt - 1] != b'?' {
                    return Err(Bail);
                }
                self.pos = gt + 1;
                Ok(Token::Other)
            }
            Some(_) => {
                // The name runs to the first white space (quick-xml's `name_len`), or to the `>`.
                let mut i = pos + 1;
                while let Some(&c) = b.get(i) {
                    if TAG_STOP[c as usize] {
                        break;
                    }
                    i += 1;
                }
                let name_stop = i;
                let gt = match b.get(i) {
                    Some(b'>') => i,
                    Some(c) if is_white(*c) => tag_end(b, i).ok_or(Bail)?,
                    // A quote in the name, or the end of the text.
                    _ => return Err(Bail),
                };
                self.pos = gt + 1;
                let empty = b[gt - 1] == b'/' && gt - 1 > pos;
                let content_end = if empty { gt - 1 } else { gt };
                let content = s.get(pos + 1..content_end).ok_or(Bail)?;
                let name_len = (name_stop - pos - 1).min(content.len());
                if name_len == 0 {
                    return Err(Bail);
                }
                let e = BytesStart::from_content(content, name_len);
                if empty {
                    Ok(Token::Empty(e))
                } else {
                    self.open.push((pos + 1, pos + 1 + name_len));
                    Ok(Token::Start(e))
                }
            }
        }
    }

    /// Right after a start tag: the text run there (if any) decoded into `sink`, as the next
    /// token would give it, and then the element's end tag if it comes next exactly as
    /// `</name>`. True when the end tag was read (the element is closed); false leaves whatever
    /// follows the text to [`Scanner::next`].
    pub(super) fn text_and_end(&mut self, sink: &mut String) -> Result<bool, Bail> {
        let b = self.s.as_bytes();
        if b.get(self.pos).is_some_and(|&c| c != b'<') {
            self.pos = text(self.s, self.pos, Some(sink), self.skipping)?;
        }
        let Some(&(os, oe)) = self.open.last() else {
            return Ok(false);
        };
        let from = self.pos + 2;
        let gt = from + (oe - os);
        if b.get(self.pos..from) == Some(b"</")
            && same_name(b, os, oe, from)
            && b.get(gt) == Some(&b'>')
        {
            self.open.pop();
            self.pos = gt + 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// Skips the rest of the element whose start tag was the last token, however deep.
    pub(super) fn skip(&mut self) -> Result<(), Bail> {
        let depth = self.open.len();
        if depth == 0 {
            return Err(Bail);
        }
        self.skipping = true;
        while self.open.len() >= depth {
            match self.next(None) {
                Ok(Token::Eof) | Err(Bail) => return Err(Bail),
                Ok(_) => {}
            }
        }
        self.skipping = false;
        Ok(())
    }
}

/// Whether the bytes at `at` repeat the name `b[start..end]`. Names are short: up to eight
/// bytes are compared as one word when the text has eight bytes at both places.
#[inline]
fn same_name(b: &[u8], start: usize, end: usize, at: usize) -> bool {
    let len = end - start;
    if len <= 8 {
        if let (Some(x), Some(y)) = (word(b, start), word(b, at)) {
            let mask = if len == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * len)) - 1
            };
            return (x ^ y) & mask == 0;
        }
    }
    b.get(at..at + len) == Some(&b[start..end])
}

/// Bytes that end a tag's name: XML white space, `>` and the quotes.
const TAG_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t
};

/// The `>` that ends a tag, from `from` inside it, skipping quoted values as quick-xml does.
/// Tags are short: a plain loop costs less than setting up a vector search for each piece.
fn tag_end(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let c = *b.get(i)?;
        match c {
            b'>' => return Some(i),
            b'"' | b'\'' => i = find_byte(b, i + 1, c)? + 1,
            _ => i += 1,
        }
    }
}

/// Bytes that end a piece of text: `<`, `&` and CR.
const TEXT_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'<' as usize] = true;
    t[b'&' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGH: u64 = u64::from_le_bytes([0x80; 8]);

/// The eight bytes at `i`, the first in the lowest bits; `None` past the end.
#[inline(always)]
fn word(b: &[u8], i: usize) -> Option<u64> {
    let bytes = b.get(i..i.checked_add(8)?)?;
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    Some(u64::from_le_bytes(w))
}

/// The high bit of every byte of `w` equal to `c`, and possibly of bytes above such a byte
/// (the borrow runs upwards): the lowest bit set is always exactly the first byte equal to `c`.
#[inline(always)]
fn eq_mask(w: u64, c: u8) -> u64 {
    let x = w ^ (ONES * c as u64);
    x.wrapping_sub(ONES) & !x & HIGH
}

/// Index of the byte whose high bit is the lowest bit set in a non-zero mask.
#[inline(always)]
fn first_in(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// How far the word-at-a-time loops go before handing a long run to a vector search.
const NEAR: usize = 64;

/// The first `c` at or after `i`: eight bytes at a time over the first bytes (values and texts
/// are mostly short, and a vector search costs more to set up), a vector search past them.
#[inline]
pub(super) fn find_byte(b: &[u8], mut i: usize, c: u8) -> Option<usize> {
    let near = i.saturating_add(NEAR);
    while i < near {
        let Some(w) = word(b, i) else {
            return b.get(i..)?.iter().position(|&x| x == c).map(|n| i + n);
        };
        let m = eq_mask(w, c);
        if m != 0 {
            return Some(i + first_in(m));
        }
        i += 8;
    }
    memchr(c, b.get(i..)?).map(|n| i + n)
}

/// The first `<`, `&` or CR at or after `i`, or the end: eight bytes at a time over the first
/// bytes (most pieces of text are short), a vector search past them.
fn text_stop(b: &[u8], mut i: usize) -> usize {
    let near = i.saturating_add(NEAR);
    while i < near {
        let Some(w) = word(b, i) else {
            while i < b.len() && !TEXT_STOP[b[i] as usize] {
                i += 1;
            }
            return i;
        };
        let m = eq_mask(w, b'<') | eq_mask(w, b'&') | eq_mask(w, b'\r');
        if m != 0 {
            return i + first_in(m);
        }
        i += 8;
    }
    if i >= b.len() {
        return b.len();
    }
    memchr3(b'<', b'&', b'\r', &b[i..]).map_or(b.len(), |n| i + n)
}

/// Reads the text run at `pos` (up to the next `<` or the end) in one pass: every reference is
/// checked to be closed and, unless `skipping`, to resolve as the quick-xml path resolves it;
/// with a `sink`, the decoded text is appended to it (CR LF and lone CR as LF, as quick-xml's
/// `xml10_content` has the text between references). Returns where the run ends.
fn text(s: &str, pos: usize, mut sink: Option<&mut String>, skipping: bool) -> Result<usize, Bail> {
    let b = s.as_bytes();
    let mut i = pos;
    loop {
        let at = text_stop(b, i);
        if let Some(out) = sink.as_deref_mut() {
            let piece = s.get(i..at).ok_or(Bail)?;
            // Between two references the piece is often a byte or two, or nothing: pushed as
            // chars, without a copy call.
            if piece.len() <= 2 {
                piece.chars().for_each(|c| out.push(c));
            } else {
                out.push_str(piece);
            }
        }
        match b.get(at) {
            None | Some(b'<') => return Ok(at),
            Some(b'\r') => {
                if let Some(out) = sink.as_deref_mut() {
                    out.push('\n');
                }
                i = at + 1;
                if b.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            Some(_) => {
                // `&`: the common references first, then as quick-xml reads them (up to the
                // first `;`, refused if a `&` or `<` comes first).
                let rest = &b[at + 1..];
                let (len, resolved) = match rest {
                    [b'l', b't', b';', ..] => (2, Some(Resolved::Char('<'))),
                    [b'g', b't', b';', ..] => (2, Some(Resolved::Char('>'))),
                    [b'a', b'm', b'p', b';', ..] => (3, Some(Resolved::Char('&'))),
                    [b'q', b'u', b'o', b't', b';', ..] => (4, Some(Resolved::Char('"'))),
                    [b'a', b'p', b'o', b's', b';', ..] => (4, Some(Resolved::Char('\''))),
                    _ => {
                        let len = match memchr3(b';', b'&', b'<', rest) {
                            Some(n) if rest[n] == b';' => n,
                            _ => return Err(Bail),
                        };
                        let name = s.get(at + 1..at + 1 + len).ok_or(Bail)?;
                        (
                            len,
                            if skipping {
                                None
                            } else {
                                Some(resolve(name).ok_or(Bail)?)
                            },
                        )
                    }
                };
                if let Some(out) = sink.as_deref_mut() {
                    match resolved {
                        Some(Resolved::Char(c)) => out.push(c),
                        Some(Resolved::Str(r)) => out.push_str(r),
                        None => {}
                    }
                }
                i = at + len + 2;
            }
        }
    }
}

/// What a reference `&name;` stands for, as the quick-xml path resolves it; `None` when that
/// path would refuse it.
fn resolve(name: &str) -> Option<Resolved> {
    match BytesRef::new(name).resolve_char_ref() {
        Ok(Some(c)) => Some(Resolved::Char(c)),
        Ok(None) => resolve_predefined_entity(name).map(Resolved::Str),
        Err(_) => None,
    }
}

enum Resolved {
    Char(char),
    Str(&'static str),
}
