//! A pull parser for JSON text: events (`{`, key, value, `}` …) with an explicit stack of open
//! containers, so nesting costs one byte of heap per level and never the thread's stack.
//!
//! Errors carry the byte offset; line and column are computed once, when an error is reported.
//! Deviations from RFC 8259, all lenient: raw control characters inside strings are accepted
//! (the reader removes them later), and a lone surrogate `\u` escape becomes U+FFFD.

use std::borrow::Cow;

/// One step of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event<'a> {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    /// An object key; the next event starts its value.
    Key(Cow<'a, str>),
    Str(Cow<'a, str>),
    /// A number, as written.
    Num(&'a str),
    Bool(bool),
    Null,
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SyntaxError {
    pub offset: usize,
    pub message: &'static str,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Container {
    Object,
    Array,
}

/// What may come next.
#[derive(Clone, Copy, PartialEq, Debug)]
enum State {
    /// A value (at the start, or after `:`).
    Value,
    /// A value after `,` in an array (`]` here is a trailing comma).
    ValueAfterComma,
    /// A value or `]`, right after `[`.
    ValueOrEnd,
    /// A key or `}`, right after `{`.
    KeyOrEnd,
    /// A key after `,` in an object.
    Key,
    /// `,` or the closing bracket, after a complete value.
    CommaOrEnd,
    /// Only white space, after the top-level value.
    Done,
}

/// A saved position of a [`Lexer`].
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    pos: usize,
    start: usize,
    state: State,
    depth: usize,
}

pub(crate) struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Where the last event began.
    start: usize,
    stack: Vec<Container>,
    state: State,
}

type Res<T> = Result<T, SyntaxError>;

fn err<T>(offset: usize, message: &'static str) -> Res<T> {
    Err(SyntaxError { offset, message })
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            start: 0,
            stack: Vec::new(),
            state: State::Value,
        }
    }

    /// Where the lexer is, to come back to with [`Lexer::reset`] (from anywhere inside the
    /// value being read when it was taken).
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            start: self.start,
            state: self.state,
            depth: self.stack.len(),
        }
    }

    /// Back to a [`Lexer::mark`]: the containers opened since are forgotten; the ones open then
    /// are still on the stack, unchanged, since nothing below them closed.
    pub(crate) fn reset(&mut self, m: Mark) {
        debug_assert!(self.stack.len() >= m.depth);
        self.pos = m.pos;
        self.start = m.start;
        self.state = m.state;
        self.stack.truncate(m.depth);
    }

    /// Byte offset where the last event began.
    pub(crate) fn event_start(&self) -> usize {
        self.start
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// The next event, or `None` after a complete document.
    pub(crate) fn next(&mut self) -> Res<Option<Event<'a>>> {
        loop {
            self.skip_ws();
            let Some(&b) = self.bytes.get(self.pos) else {
                return match self.state {
                    State::Done => Ok(None),
                    _ => err(self.pos, "EOF while parsing a value"),
                };
            };
            let top = self.stack.last().copied();
            self.start = self.pos;
            return match self.state {
                State::Done => err(self.pos, "trailing characters"),
                State::CommaOrEnd => match (b, top) {
                    (b',', Some(Container::Object)) => {
                        self.pos += 1;
                        self.state = State::Key;
                        continue;
                    }
                    (b',', _) => {
                        self.pos += 1;
                        self.state = State::ValueAfterComma;
                        continue;
                    }
                    (b'}', Some(Container::Object)) | (b']', Some(Container::Array)) => {
                        Ok(Some(self.close()))
                    }
                    (_, Some(Container::Object)) => err(self.pos, "expected `,` or `}`"),
                    _ => err(self.pos, "expected `,` or `]`"),
                },
                State::KeyOrEnd if b == b'}' => Ok(Some(self.close())),
                State::ValueOrEnd if b == b']' => Ok(Some(self.close())),
                State::Key | State::ValueAfterComma if matches!(b, b'}' | b']') => {
                    err(self.pos, "trailing comma")
                }
                State::KeyOrEnd | State::Key => self.key().map(Some),
                State::Value | State::ValueAfterComma | State::ValueOrEnd => {
                    self.value(b).map(Some)
                }
            };
        }
    }

    fn close(&mut self) -> Event<'a> {
        self.pos += 1;
        let c = self.stack.pop();
        self.value_done();
        match c {
            Some(Container::Object) => Event::EndObject,
            _ => Event::EndArray,
        }
    }

    fn value_done(&mut self) {
        self.state = if self.stack.is_empty() {
            State::Done
        } else {
            State::CommaOrEnd
        };
    }

    fn key(&mut self) -> Res<Event<'a>> {
        if self.bytes[self.pos] != b'"' {
            return err(self.pos, "key must be a string");
        }
        let key = self.short_string().map_or_else(|| self.string(), Ok)?;
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b':') {
            return err(self.pos, "expected `:`");
        }
        self.pos += 1;
        self.state = State::Value;
        Ok(Event::Key(key))
    }

    fn value(&mut self, b: u8) -> Res<Event<'a>> {
        let event = match b {
            b'{' => {
                self.pos += 1;
                self.stack.push(Container::Object);
                self.state = State::KeyOrEnd;
                return Ok(Event::StartObject);
            }
            b'[' => {
                self.pos += 1;
                self.stack.push(Container::Array);
                self.state = State::ValueOrEnd;
                return Ok(Event::StartArray);
            }
            b'"' => Event::Str(self.string()?),
            b'-' | b'0'..=b'9' => Event::Num(self.number()?),
            b't' => self.literal("true", Event::Bool(true))?,
            b'f' => self.literal("false", Event::Bool(false))?,
            b'n' => self.literal("null", Event::Null)?,
            _ => return err(self.pos, "expected value"),
        };
        self.value_done();
        Ok(event)
    }

    fn literal(&mut self, word: &'static str, event: Event<'a>) -> Res<Event<'a>> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(event)
        } else {
            err(self.pos, "expected value")
        }
    }

    fn number(&mut self) -> Res<&'a str> {
        let start = self.pos;
        let digits = |l: &mut Self| {
            let s = l.pos;
            while l.bytes.get(l.pos).is_some_and(u8::is_ascii_digit) {
                l.pos += 1;
            }
            l.pos > s
        };
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        if !digits(self) {
            return err(self.pos, "invalid number");
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !digits(self) {
                return err(self.pos, "invalid number");
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return err(self.pos, "invalid number");
            }
        }
        Ok(&self.text[start..self.pos])
    }

    /// A short string without escapes (a key, nearly always), found byte by byte: for a few
    /// bytes that is cheaper than calling [`memchr::memchr2`]. `None` when the string is longer
    /// than 16 bytes or has a backslash: [`Lexer::string`] reads it then.
    fn short_string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos + 1;
        let end = (start + 16).min(self.bytes.len());
        let mut i = start;
        while i < end {
            match self.bytes[i] {
                b'"' => {
                    self.pos = i + 1;
                    return Some(Cow::Borrowed(&self.text[start..i]));
                }
                b'\\' => return None,
                _ => i += 1,
            }
        }
        None
    }

    /// A string starting at `"`; borrowed when it has no escapes.
    fn string(&mut self) -> Res<Cow<'a, str>> {
        let start = self.pos + 1;
        let mut i = start;
        match memchr::memchr2(b'"', b'\\', &self.bytes[i..]) {
            Some(n) if self.bytes[i + n] == b'"' => {
                self.pos = i + n + 1;
                return Ok(Cow::Borrowed(&self.text[start..i + n]));
            }
            Some(n) => i += n,
            None => return err(self.bytes.len(), "EOF while parsing a string"),
        }
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(&self.text[start..i]);
        loop {
            // At a backslash.
            let Some(&e) = self.bytes.get(i + 1) else {
                return err(self.bytes.len(), "EOF while parsing a string");
            };
            i += 2;
            match e {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4(i)?;
                    i += 4;
                    let c = if (0xD800..0xDC00).contains(&hi)
                        && self.bytes.get(i..i + 2) == Some(b"\\u")
                    {
                        match self.hex4(i + 2)? {
                            lo @ 0xDC00..0xE000 => {
                                i += 6;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            }
                            _ => None,
                        }
                    } else {
                        char::from_u32(hi)
                    };
                    out.push(c.unwrap_or('\u{FFFD}'));
                }
                _ => return err(i - 1, "invalid escape"),
            }
            let rest = &self.bytes[i..];
            match memchr::memchr2(b'"', b'\\', rest) {
                Some(n) => {
                    out.push_str(&self.text[i..i + n]);
                    i += n;
                    if self.bytes[i] == b'"' {
                        self.pos = i + 1;
                        return Ok(Cow::Owned(out));
                    }
                }
                None => return err(self.bytes.len(), "EOF while parsing a string"),
            }
        }
    }

    fn hex4(&self, at: usize) -> Res<u32> {
        let digits = self.bytes.get(at..at + 4).ok_or(SyntaxError {
            offset: self.bytes.len(),
            message: "EOF while parsing a string",
        })?;
        let mut n = 0;
        for (k, &d) in digits.iter().enumerate() {
            let v = (d as char).to_digit(16).ok_or(SyntaxError {
                offset: at + k,
                message: "invalid \\u escape",
            })?;
            n = n * 16 + v;
        }
        Ok(n)
    }

    /// Skips the rest of a value whose first event was `first`, however deep.
    pub(crate) fn skip(&mut self, first: &Event<'a>) -> Res<()> {
        if !matches!(first, Event::StartObject | Event::StartArray) {
            return Ok(());
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Some(Event::StartObject | Event::StartArray) => depth += 1,
                Some(Event::EndObject | Event::EndArray) => depth -= 1,
                Some(_) => {}
                None => return err(self.pos, "EOF while parsing a value"),
            }
        }
        Ok(())
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.bytes.len());
        let before = &self.bytes[..offset];
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
        let column = self.text[line_start..]
            .char_indices()
            .take_while(|(i, _)| line_start + i < offset)
            .count()
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(s: &str) -> Result<Vec<Event<'_>>, SyntaxError> {
        let mut l = Lexer::new(s);
        let mut out = Vec::new();
        while let Some(e) = l.next()? {
            out.push(e);
        }
        Ok(out)
    }

    #[test]
    fn events_of_a_small_document() {
        use Event::*;
        assert_eq!(
            events(r#" {"a": [1, -2.5e3, "x\n\u00e9\ud83d\ude22", true, null], "b": {}} "#)
                .unwrap(),
            vec![
                StartObject,
                Key("a".into()),
                StartArray,
                Num("1"),
                Num("-2.5e3"),
                Str("x\né😢".into()),
                Bool(true),
                Null,
                EndArray,
                Key("b".into()),
                StartObject,
                EndObject,
                EndObject
            ]
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = |s| events(s).unwrap_err();
        assert_eq!(
            e(r#"[{"a":1,}]"#),
            SyntaxError {
                offset: 8,
                message: "trailing comma"
            }
        );
        assert_eq!(e("[1,]").message, "trailing comma");
        assert_eq!(e("[1 2]").message, "expected `,` or `]`");
        assert_eq!(e("{\"a\" 1}").message, "expected `:`");
        assert_eq!(e("[1] x").message, "trailing characters");
        assert_eq!(e("").message, "EOF while parsing a value");
        assert_eq!(e("[\"abc").message, "EOF while parsing a string");
        assert_eq!(e("[tru]").message, "expected value");
        assert_eq!(e("{1:2}").message, "key must be a string");
        assert_eq!(e("[\"\\q\"]").message, "invalid escape");
        assert_eq!(e("[-]").message, "invalid number");
        let l = Lexer::new("ab\ncé\nx");
        assert_eq!(l.line_column(5), (2, 3));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(
            events(r#"["\ud800x"]"#).unwrap()[1],
            Event::Str("\u{FFFD}x".into())
        );
    }

    #[test]
    fn deep_nesting_needs_no_stack() {
        let depth = 1_000_000;
        let s = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(events(&s).unwrap().len(), 2 * depth);
        let mut l = Lexer::new(&s);
        let first = l.next().unwrap().unwrap();
        l.skip(&first).unwrap();
        assert_eq!(l.next().unwrap(), None);
    }
}
