//! Text clean-up shared by both readers: line breaks, control characters, range strings.

use crate::model::{BoundaryRange, ChildRange, Text};

/// Normalises text read from a map: CRLF and lone CR become LF (the line structure every writer
/// relies on), and the characters XML 1.0 cannot carry are removed: C0 controls other than tab and
/// LF, U+FFFE and U+FFFF (XMind itself has written a stray U+0008). Everything else is the user's
/// text and is kept exactly, the invisible U+200B ZERO WIDTH SPACE and U+FEFF included: third-party
/// writers and users put them there on purpose (XMind 2024 also appends U+200B to some titles it
/// re-saves; that is what the file holds).
/// Returns the text and whether a character was removed, for the reader's `-v` warning.
pub(crate) fn clean(s: &str) -> (String, bool) {
    match first_special(s.as_bytes()) {
        None => (s.to_string(), false),
        Some(at) => clean_from(s, at),
    }
}

/// [`clean`] straight to a [`Text`]: a short text that needs no change is stored in place,
/// with no `String` allocated on the way.
pub(crate) fn clean_text(s: &str) -> (Text, bool) {
    match first_special(s.as_bytes()) {
        None => (Text::from(s), false),
        Some(at) => {
            let (s, dropped) = clean_from(s, at);
            (s.into(), dropped)
        }
    }
}

/// [`clean`] for a string already owned: returned as it is (no copy) when nothing changes.
pub(crate) fn clean_owned(s: String) -> (String, bool) {
    match first_special(s.as_bytes()) {
        None => (s, false),
        Some(at) => clean_from(&s, at),
    }
}

/// Whether [`clean`] could change any part of `b`: false when the whole text has no C0 control
/// but tab and LF and no U+FFFE or U+FFFF, and then each text taken from it unchanged (not
/// unescaped) needs no cleaning. One pass over a whole entry is cheaper than one call per title:
/// the control test runs on 64-byte blocks in a form the compiler turns into vector compares, and
/// the two noncharacters are found with `memmem` (a plain byte test would stop at every 0xEF,
/// the lead byte of common CJK punctuation such as `，`).
pub(crate) fn may_need_clean(b: &[u8]) -> bool {
    let control = |c: u8| (c < 0x20) & (c != b'\n') & (c != b'\t');
    let mut blocks = b.chunks_exact(64);
    for block in &mut blocks {
        if block.iter().fold(false, |hit, &c| hit | control(c)) {
            return true;
        }
    }
    // U+FFFE and U+FFFF are EF BF BE and EF BF BF: one search for EF BF (itself rare: only
    // U+FFC0 to U+FFFF start so), then a look at the byte after.
    blocks.remainder().iter().any(|&c| control(c))
        || memchr::memmem::find_iter(b, b"\xEF\xBF")
            .any(|at| matches!(b.get(at + 2), Some(0xBE | 0xBF)))
}

/// Bytes that may start something [`clean`] changes: C0 controls other than tab and LF, and
/// the first byte of U+FFFE and U+FFFF (EF BF BE, EF BF BF).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\n' as usize && b != b'\t' as usize;
        b += 1;
    }
    t[0xEF] = true;
    t
};

/// Index of the first byte [`clean`] would change, if any. Eight bytes at a time: a word with
/// no byte below 0x20 and no 0xEF (the common case: every title without a line break) is passed
/// whole; any other word is looked at byte by byte.
fn first_special(b: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut i = 0;
    while let Some(word) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        // A byte below 0x20, and a byte equal to 0xEF (zero after the xor); exact as to
        // whether there is one.
        let low = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let x = w ^ (ONES * 0xEF);
        let ef = x.wrapping_sub(ONES) & !x & HIGH;
        if low | ef != 0 {
            if let Some(at) = special_in(b, i, i + 8) {
                return Some(at);
            }
        }
        i += 8;
    }
    special_in(b, i, b.len())
}

/// The first byte in `b[from..to]` that [`clean`] would change.
fn special_in(b: &[u8], from: usize, to: usize) -> Option<usize> {
    (from..to).find(|&i| {
        SPECIAL[b[i] as usize]
            && (b[i] != 0xEF || matches!(b.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])))
    })
}

/// The slow path of [`clean`]: `s[..at]` needs no change.
fn clean_from(s: &str, at: usize) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..at]);
    let mut dropped = false;
    let mut chars = s[at..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if crate::xml::is_forbidden(c) => dropped = true,
            c => out.push(c),
        }
    }
    (out, dropped)
}

/// An image's width or height as both readers take it (`image.width`, `svg:width`): a finite,
/// non-negative number, surrounding blanks allowed. `NaN`, `inf`, negative or unparsable sizes are
/// no size at all, so that no writer ever sees a number its format cannot hold.
pub(crate) fn dimension(s: &str) -> Option<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
}

/// A parsed range string, before clamping to the children that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawRange {
    Master,
    /// Start and end as XMind's own parser reads them: the text between `(` and the first comma
    /// and between the last comma and `)`, trimmed; -1 when it is not a number.
    Span(i64, i64),
    Invalid,
}

/// Parses `(0,2)`, `master`, and malformed forms like `(0,)` or `( 1 , 3 )`.
pub(crate) fn parse_range(s: &str) -> RawRange {
    let s = s.trim();
    if s.eq_ignore_ascii_case("master") {
        return RawRange::Master;
    }
    let Some(inner) = s.strip_prefix('(') else {
        return RawRange::Invalid;
    };
    let inner = inner.strip_suffix(')').unwrap_or(inner);
    let num = |t: &str| t.trim().parse::<i64>().unwrap_or(-1);
    match (inner.find(','), inner.rfind(',')) {
        (Some(first), Some(last)) => RawRange::Span(num(&inner[..first]), num(&inner[last + 1..])),
        _ => {
            let n = num(inner);
            RawRange::Span(n, n)
        }
    }
}

impl RawRange {
    /// Clamps to `len` attached children: a missing end covers one child, an end past the last
    /// child stops at the last child, a reversed range is put in order.
    pub(crate) fn children(self, len: usize) -> Option<ChildRange> {
        let RawRange::Span(start, end) = self else {
            return None;
        };
        if len == 0 {
            return None;
        }
        let last = len as i64 - 1;
        let (mut a, mut b) = (start, if end < 0 { start } else { end });
        if a < 0 {
            a = b;
        }
        if a < 0 {
            return None;
        }
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        if a > last {
            return None;
        }
        Some(ChildRange {
            start: a as usize,
            end: b.min(last) as usize,
        })
    }

    pub(crate) fn boundary(self, len: usize) -> BoundaryRange {
        match self {
            RawRange::Master => BoundaryRange::Master,
            other => other
                .children(len)
                .map_or(BoundaryRange::Unknown, BoundaryRange::Children),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `may_need_clean` says no exactly when `clean` changes nothing, block edges included.
    #[test]
    fn may_need_clean_agrees_with_clean() {
        let pieces = [
            "a", "中", "，", "\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "\r", "\n", "\t", "\u{8}",
            "\u{1F}", " ", "\u{EFFF}", "\u{FFE0}", "\u{FFBF}",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..4000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut s = String::new();
            let mut x = seed;
            // Mostly plain text, long enough to cross 64-byte blocks.
            for _ in 0..(seed % 150) {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let p = (x >> 33) as usize;
                s.push_str(if p % 23 == 0 {
                    pieces[(p / 23) % pieces.len()]
                } else {
                    "a"
                });
            }
            assert_eq!(may_need_clean(s.as_bytes()), clean(&s).0 != s, "{s:?}");
        }
    }

    #[test]
    fn clean_normalises_line_breaks_and_drops_only_what_xml_cannot_carry() {
        assert_eq!(clean("a\r\nb\rc\nd"), ("a\nb\nc\nd".into(), false));
        assert_eq!(clean("\u{8}B树"), ("B树".into(), true));
        assert_eq!(clean("tab\tok"), ("tab\tok".into(), false));
        // The user's invisible characters are kept; what XML 1.0 cannot carry is not.
        assert_eq!(
            clean("Combat Sports\u{200B}"),
            ("Combat Sports\u{200B}".into(), false)
        );
        assert_eq!(clean("—€"), ("—€".into(), false));
        assert_eq!(
            clean("a—\u{200B}b\u{FEFF}\u{FFFD}\u{FFEF}"),
            ("a—\u{200B}b\u{FEFF}\u{FFFD}\u{FFEF}".into(), false)
        );
        assert_eq!(clean("x\u{FFFE}y\u{FFFF}"), ("xy".into(), true));
        assert_eq!(
            clean("\u{FFFD}\u{2028}x\r"),
            ("\u{FFFD}\u{2028}x\n".into(), false)
        );
        let owned = String::from("plain text");
        let ptr = owned.as_ptr();
        let (same, dropped) = clean_owned(owned);
        assert_eq!((same.as_ptr(), dropped), (ptr, false));
        assert_eq!(clean_owned("x\u{1}".into()), ("x".into(), true));
    }

    #[test]
    fn the_word_at_a_time_scan_finds_the_same_first_byte() {
        let pieces: [&[u8]; 9] = [
            b"a",
            b"\t",
            b"\n",
            b"\r",
            b"\x01",
            b"\x1f",
            "\u{FFFE}".as_bytes(),
            "\u{FFEF}".as_bytes(),
            "中".as_bytes(),
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..50_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let mut s = Vec::new();
            let mut x = seed;
            for _ in 0..(seed >> 59) + 1 {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                // Mostly plain bytes, so that the special ones land anywhere in a word.
                let p = (x >> 33) as usize % (pieces.len() * 4);
                s.extend_from_slice(pieces.get(p).copied().unwrap_or(b"x"));
            }
            assert_eq!(first_special(&s), special_in(&s, 0, s.len()), "{s:?}");
        }
    }

    #[test]
    fn dimensions_are_finite_or_absent() {
        assert_eq!(dimension(" 120 "), Some(120.0));
        assert_eq!(dimension("80.5"), Some(80.5));
        for bad in [
            "NaN", "nan", "inf", "-inf", "Infinity", "-3", "", "12px", "1e400",
        ] {
            assert_eq!(dimension(bad), None, "{bad}");
        }
    }

    #[test]
    fn ranges_are_read_like_xmind_does() {
        assert_eq!(parse_range("(0,2)"), RawRange::Span(0, 2));
        assert_eq!(parse_range(" ( 1 , 3 ) "), RawRange::Span(1, 3));
        assert_eq!(parse_range("(0,)"), RawRange::Span(0, -1));
        assert_eq!(parse_range("master"), RawRange::Master);
        assert_eq!(parse_range("junk"), RawRange::Invalid);
        let r = |s: &str, n| parse_range(s).children(n).map(|r| (r.start, r.end));
        assert_eq!(r("(0,)", 3), Some((0, 0)));
        assert_eq!(r("(1,9)", 3), Some((1, 2)));
        assert_eq!(r("(2,0)", 3), Some((0, 2)));
        assert_eq!(r("(5,6)", 3), None);
        assert_eq!(r("(0,1)", 0), None);
        assert_eq!(r("(,)", 3), None);
    }
}
