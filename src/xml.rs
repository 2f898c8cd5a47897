//! XML and HTML escaping for every writer and reader, on the model of pandoc's `Text.Pandoc.XML`:
//! one function, with what each format needs as options (quotes for attribute values, line
//! breaks as character references so that attribute normalisation keeps them, ASCII-only output
//! as FreeMind writes it), and the rule for characters XML 1.0 cannot carry at all.
//!
//! quick-xml's `escape` covers `< > & ' "` only; these variants are why this is written here.

/// What [`escape_into`] escapes besides `&`, `<` and `>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Escape {
    /// `"` as `&quot;`: safe in attribute values in double quotes.
    pub quotes: bool,
    /// `'` as `&#39;`: safe in attribute values in single quotes too.
    pub apos: bool,
    /// Line feed, carriage return and tab as `&#10;`, `&#13;` and `&#9;`.
    pub breaks: bool,
    /// Every character outside ASCII as a character reference (`&#x4e2d;`).
    pub ascii: bool,
}

/// HTML text and attribute values (double or single quoted).
pub(crate) const HTML: Escape = Escape {
    quotes: true,
    apos: true,
    breaks: false,
    ascii: false,
};

/// Element content and attribute values in double quotes, line breaks as they are (the HTML of
/// rich notes that the readers build).
pub(crate) const TEXT: Escape = Escape {
    quotes: true,
    apos: false,
    breaks: false,
    ascii: false,
};

/// Element content only: `&`, `<` and `>` (Python's `xml.sax.saxutils.escape`; the HTML that
/// TestLink's fields hold).
pub(crate) const CONTENT: Escape = Escape {
    quotes: false,
    apos: false,
    breaks: false,
    ascii: false,
};

/// XML attribute values in double quotes that keep their line breaks and tabs.
pub(crate) const ATTRIBUTE: Escape = Escape {
    quotes: true,
    apos: false,
    breaks: true,
    ascii: false,
};

/// XML in pure ASCII, with line breaks and tabs kept (FreeMind).
pub(crate) const ASCII: Escape = Escape {
    quotes: true,
    apos: false,
    breaks: true,
    ascii: true,
};

/// Whether `c` may not appear in an XML 1.0 document even as a character reference: the C0
/// controls other than tab, LF and CR, and U+FFFE and U+FFFF (a Rust string holds no
/// surrogates). DEL and the C1 controls are allowed.
pub(crate) fn is_forbidden(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Whether byte `b` may start something [`escape_into`] changes, for `how`: the markup
/// characters, control characters, the first byte of U+FFFE and U+FFFF (and of their
/// neighbours), and with `ascii` every byte outside ASCII.
fn special(b: u8, how: Escape) -> bool {
    match b {
        b'&' | b'<' | b'>' => true,
        b'"' => how.quotes,
        b'\'' => how.apos,
        b'\n' | b'\r' | b'\t' => how.breaks,
        0..=0x1f => true,
        0xef => true,
        0x80.. => how.ascii,
        _ => false,
    }
}

/// Appends `text` escaped as `how` says. Characters XML cannot carry become U+FFFD (as a
/// reference in ASCII output); runs of ordinary text are copied as they are.
pub(crate) fn escape_into(out: &mut String, text: &str, how: Escape) {
    let b = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if !special(b[i], how) {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        let len = c.len_utf8();
        let rep: Option<&str> = match c {
            '&' => Some("&amp;"),
            '<' => Some("&lt;"),
            '>' => Some("&gt;"),
            '"' if how.quotes => Some("&quot;"),
            '\'' if how.apos => Some("&#39;"),
            '\n' if how.breaks => Some("&#10;"),
            '\r' if how.breaks => Some("&#13;"),
            '\t' if how.breaks => Some("&#9;"),
            '\n' | '\r' | '\t' => None,
            c if is_forbidden(c) => Some(if how.ascii { "&#xfffd;" } else { "\u{FFFD}" }),
            _ => None,
        };
        match rep {
            Some(rep) => {
                out.push_str(&text[copied..i]);
                out.push_str(rep);
                copied = i + len;
            }
            None if how.ascii && !c.is_ascii() => {
                out.push_str(&text[copied..i]);
                push_reference(out, c);
                copied = i + len;
            }
            None => {}
        }
        i += len;
    }
    out.push_str(&text[copied..]);
}

/// Appends `text` as HTML text ([`TEXT`]) with every line break a `<br>`.
pub(crate) fn escape_with_breaks_into(out: &mut String, text: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        escape_into(out, line, TEXT);
    }
}

/// `text` escaped, see [`escape_into`].
#[cfg(test)]
pub(crate) fn escape(text: &str, how: Escape) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text, how);
    out
}

/// Appends `&#xHEX;` for `c`.
fn push_reference(out: &mut String, c: char) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("&#x");
    let n = c as u32;
    let digits = (32 - n.leading_zeros()).div_ceil(4).max(1);
    for k in (0..digits).rev() {
        out.push(HEX[((n >> (4 * k)) & 15) as usize] as char);
    }
    out.push(';');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_both_quotes() {
        assert_eq!(
            escape("<b>\"Tom\" & 'Jerry'</b>", HTML),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("&amp; 中文\n", HTML), "&amp;amp; 中文\n");
        assert_eq!(escape("", HTML), "");
    }

    #[test]
    fn attributes_keep_line_breaks_as_references() {
        assert_eq!(escape("a\nb\r\tc", ATTRIBUTE), "a&#10;b&#13;&#9;c");
        assert_eq!(
            escape("bell\u{7}\u{ffff}é", ATTRIBUTE),
            "bell\u{fffd}\u{fffd}é"
        );
    }

    #[test]
    fn ascii_output_references_everything_else() {
        assert_eq!(escape("中a\u{1F600}\n", ASCII), "&#x4e2d;a&#x1f600;&#10;");
        assert_eq!(escape("é\u{1}\u{85}", ASCII), "&#xe9;&#xfffd;&#x85;");
        assert!(escape("日本語 text", ASCII).is_ascii());
    }
}
