//! Markdown escaping: literal text that CommonMark, GFM and pandoc's `commonmark_x` read back
//! as exactly that text, and link destinations.

/// Where escaped text goes, which decides what must be escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// Inside a line, after other text.
    Inline,
    /// At the start of a line of a paragraph or list item.
    Line,
    /// At the start of an ATX heading's text.
    Heading,
}

/// The lines of a multi-line text for a paragraph: each escaped, all but the last ending in a
/// hard line break (`\`), an empty line (when there are several) written `&#32;` so that it
/// does not end the paragraph. Never empty; a single empty text gives one empty line.
#[cfg(test)]
pub(super) fn text_lines(text: &str) -> Vec<String> {
    let mut out = String::new();
    text_lines_into(&mut out, text);
    out.split('\n').map(str::to_string).collect()
}

/// [`text_lines`], appended to `out` with the lines separated by `\n` (which no line holds).
pub(super) fn text_lines_into(out: &mut String, text: &str) {
    if !text.contains('\n') {
        escape_line_into(out, text, At::Line);
        return;
    }
    for (i, l) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\\\n");
        }
        let start = out.len();
        escape_line_into(out, l, At::Line);
        if out.len() == start {
            out.push_str("&#32;");
        }
    }
}

/// A whole line of literal text: [`escape_into`] at the start of a line, with leading and
/// trailing spaces and tabs written as character references (Markdown would drop them, or
/// read them as indentation or a hard line break).
pub(crate) fn escape_line(text: &str, at: At) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_line_into(&mut out, text, at);
    out
}

/// [`escape_line`], appended to `out`.
pub(crate) fn escape_line_into(out: &mut String, text: &str, at: At) {
    escape_line_checked(out, text, at);
}

/// [`escape_line_into`], and whether `text` holds a `\n` after all (then what it appended is
/// no line to keep): a title is written this way first, so that its scan for escapes is its
/// test for line breaks too.
pub(super) fn escape_line_checked(out: &mut String, text: &str, at: At) -> bool {
    // Space and tab are ASCII: testing the first and last bytes needs no decoding.
    let edge = |c: Option<&u8>| matches!(c, Some(b' ' | b'\t'));
    if !edge(text.as_bytes().first()) && !edge(text.as_bytes().last()) {
        return escape_checked(out, text, at);
    }
    let body = text.trim_start_matches([' ', '\t']);
    for c in text[..text.len() - body.len()].chars() {
        out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
    }
    let inner = body.trim_end_matches([' ', '\t']);
    // A `\n` is never among the spaces and tabs around `inner`.
    let newline = escape_checked(out, inner, at);
    for c in body[inner.len()..].chars() {
        out.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
    }
    newline
}

/// Appends `text` (one line, no `\n`) so that CommonMark, GFM and pandoc's `commonmark_x` read it
/// back as exactly that text. Escaped with a backslash:
/// - always: `` \ ` * [ ] < | ~ ^ $ " ' { `` (code, emphasis, links, raw HTML, tables,
///   strikeout, sub- and superscript, math, smart quotes, attributes);
/// - `_` unless between two ASCII letters or digits; `&` that starts a character reference
///   (`&amp;`, `&#35;`); `:` before `name:` (an emoji code); runs of two or more `-` and of three or
///   more `.` (smart dashes and ellipses);
/// - at the start of a line ([`At::Line`] and [`At::Heading`]): a first `# - + = > ( :`, and the
///   `.` or `)` of a list marker like `1.`, `a)`, `iv.` (pandoc's fancy lists);
/// - in a heading: a `#` after white space, which could close the heading.
pub(crate) fn escape_into(out: &mut String, text: &str, at: At) {
    escape_checked(out, text, at);
}

/// [`escape_into`], and whether `text` holds a `\n` (which it passes through as it is).
fn escape_checked(out: &mut String, text: &str, at: At) -> bool {
    let mut newline = false;
    let at_start = at != At::Inline;
    let heading = at == At::Heading;
    // Every character escaped, and every character the decision looks at, is ASCII; the bytes
    // of other characters are all 0x80 or above and match none of the tests. So the text is
    // scanned as bytes, and copied in runs between the escapes.
    let b = text.as_bytes();
    // A list marker at the start: letters or digits, then `.` or `)`, then a space or the end.
    let mut marker = usize::MAX;
    if at_start {
        let j = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if j > 0
            && matches!(b.get(j), Some(b'.' | b')'))
            && b.get(j + 1).is_none_or(|&c| c == b' ' || c == b'\t')
        {
            marker = j;
        }
    }
    let mut copied = 0;
    // Length of the run of `.` the scan is in.
    let mut dots = 0;
    let mut k = 0;
    loop {
        // Most bytes (every byte of a CJK character, letters, digits, spaces) need no look: skip
        // them in a tight loop, and copy the run before an escape in one piece.
        // Eight bytes a step first, tested together as one word (see [`candidates`]): the
        // lowest byte it flags is the next one to look at, so a hit needs no byte-by-byte scan
        // up to it. The last few bytes are looked up one at a time.
        let mut hit = false;
        while let Some(w) = b.get(k..k + 8) {
            let flagged = candidates(u64::from_le_bytes([
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
            ]));
            if flagged != 0 {
                k += (flagged.trailing_zeros() / 8) as usize;
                hit = true;
                break;
            }
            k += 8;
        }
        if !hit {
            while k < b.len() && !STOPS[b[k] as usize] {
                k += 1;
            }
            if k == b.len() {
                break;
            }
        }
        if !MAY_NEED_ESCAPE[b[k] as usize] {
            // A `\n`, or one of the few bytes the word test lets through (`%`, `,`, `;`, `}`).
            newline |= b[k] == b'\n';
            k += 1;
            continue;
        }
        let c = b[k];
        let prev = k.checked_sub(1).map(|p| b[p]);
        let next = b.get(k + 1).copied();
        let first = at_start && k == 0;
        let escape = match c {
            b'\\' | b'`' | b'*' | b'[' | b']' | b'<' | b'|' | b'~' | b'^' | b'$' | b'"' | b'\''
            | b'{' => true,
            b'_' => {
                !(prev.is_some_and(|p| p.is_ascii_alphanumeric())
                    && next.is_some_and(|x| x.is_ascii_alphanumeric()))
            }
            b'&' => entity_follows(&b[k + 1..]),
            b'#' => first || (heading && prev.is_none_or(|p| p == b' ' || p == b'\t')),
            b'-' => first || prev == Some(b'-') || next == Some(b'-'),
            b'.' => {
                if prev != Some(b'.') {
                    dots = b[k..].iter().take_while(|&&c| c == b'.').count();
                }
                marker == k || dots >= 3
            }
            b')' => marker == k,
            b':' => first || emoji_code_follows(&b[k + 1..]),
            b'+' | b'=' | b'>' | b'(' => first,
            _ => false,
        };
        if escape {
            out.push_str(&text[copied..k]);
            out.push('\\');
            copied = k;
        }
        k += 1;
    }
    out.push_str(&text[copied..]);
    newline
}

/// The bytes [`escape_into`] might escape, or looks at to decide.
const MAY_NEED_ESCAPE: [bool; 256] = table(b"\\`*[]<|~^$\"'{_&#-.):+=>(");

/// The bytes the scan stops at: [`MAY_NEED_ESCAPE`] and `\n`.
const STOPS: [bool; 256] = table(b"\\`*[]<|~^$\"'{_&#-.):+=>(\n");

const fn table(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// The bytes of `w` (eight bytes of text, little-endian) that might need escaping: the high bit
/// of each such byte set, the other bits clear. Every byte of [`STOPS`] is flagged, and also
/// `%`, `,`, `;` and `}` (the ranges tested hold them too), never a byte of 0x80 or above; a
/// test compares it with the table.
fn candidates(w: u64) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Each byte's low seven bits: sums below stay inside their byte.
    let x = w & !HIGH;
    // High bit set where `lo <= byte <= hi`: `x + (0x80 - lo)` reaches 0x80 from `lo` on,
    // `x + (0x7f - hi)` from `hi + 1` on.
    let within =
        |lo: u8, hi: u8| (x + LOW * u64::from(0x80 - lo)) & !(x + LOW * u64::from(0x7f - hi));
    // `"#$%&'()*+,-.`, `:;<=>`, `[\]^_` and the backquote, `{|}~`, and `\n`.
    let punct = within(b'"', b'.')
        | within(b':', b'>')
        | within(b'[', b'`')
        | within(b'{', b'~')
        | within(b'\n', b'\n');
    punct & !w & HIGH
}

/// Whether `rest` (after a `&`) starts like a character reference: `amp;`, `#35;`, `#x1F;`.
fn entity_follows(rest: &[u8]) -> bool {
    let rest = rest.strip_prefix(b"#").unwrap_or(rest);
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    name > 0 && rest.get(name) == Some(&b';')
}

/// Whether `rest` (after a `:`) starts with `name:`, as in an emoji code `:smile:`.
fn emoji_code_follows(rest: &[u8]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'-'))
        .count();
    name > 0 && rest.get(name) == Some(&b':')
}

/// A link destination: white space and control characters percent-encoded, `<` and `>` too;
/// parentheses, backslashes and an `&` that starts a character reference backslash-escaped.
/// Empty: `<>`.
pub(crate) fn link_dest(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 2);
    link_dest_into(&mut out, url);
    out
}

/// [`link_dest`], appended to `out`.
pub(crate) fn link_dest_into(out: &mut String, url: &str) {
    if url.is_empty() {
        out.push_str("<>");
        return;
    }
    let b = url.as_bytes();
    let mut copied = 0;
    let mut k = 0;
    while k < b.len() {
        let c = b[k];
        if c.is_ascii_graphic() && !matches!(c, b'(' | b')' | b'\\' | b'&' | b'<' | b'>') {
            k += 1;
            continue;
        }
        // `k` starts a character: ASCII here, or the first byte of a longer one.
        let ch = url[k..].chars().next().unwrap_or_default();
        let len = ch.len_utf8();
        let percent = ch.is_whitespace() || ch.is_control() || ch == '<' || ch == '>';
        let backslash =
            matches!(ch, '(' | ')' | '\\') || (ch == '&' && entity_follows(&b[k + 1..]));
        if percent || backslash {
            out.push_str(&url[copied..k]);
            if backslash {
                out.push('\\');
                out.push(ch);
            } else {
                crate::url::push_percent(out, &b[k..k + len]);
            }
            copied = k + len;
        }
        k += len;
    }
    out.push_str(&url[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_line_tells_line_breaks_and_writes_the_same() {
        for text in [
            "",
            "a",
            "\n",
            " a\n b ",
            "0123456\n",
            "01234567\n",
            "主题 1 — topic <1> & more",
            " \t",
            "abcdefghijklmnop\nq",
            "a,b;c}d%e\n",
            "1. x",
            "# x ",
        ] {
            let mut out = String::new();
            let newline = escape_line_checked(&mut out, text, At::Line);
            assert_eq!(newline, text.contains('\n'), "{text:?}");
            if !newline {
                assert_eq!(out, escape_line(text, At::Line), "{text:?}");
            }
        }
    }

    #[test]
    fn the_word_test_flags_every_byte_the_table_holds() {
        let extra = [b'%', b',', b';', b'}'];
        // Each byte value in each of the eight places, among neighbours of every kind
        // (high bytes next to it must not disturb it).
        for fill in [0u8, b'a', b' ', b'_', 0x7f, 0x80, 0xe4, 0xff] {
            for lane in 0..8 {
                for c in 0..=255u8 {
                    let mut bytes = [fill; 8];
                    bytes[lane] = c;
                    let flagged = candidates(u64::from_le_bytes(bytes));
                    for (i, &byte) in bytes.iter().enumerate() {
                        let want = STOPS[byte as usize] || extra.contains(&byte);
                        assert_eq!(flagged >> (8 * i + 7) & 1 == 1, want, "{bytes:?} {i}");
                        assert_eq!(flagged >> (8 * i) & 0x7f, 0);
                    }
                }
            }
        }
    }
}
