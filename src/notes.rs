//! Rich notes: the one reader of the HTML fragments the model keeps as notes
//! ([`crate::model::Notes::html`]), used by every writer that converts or sanitises them, by
//! `--extract-media` (which files a note shows) and by the readers (a note's plain text).
//!
//! A small, tolerant tokenizer for what XMind and other writers put in notes: text, start and end
//! tags with their attributes (quoted either way or not at all, entities decoded), comments and
//! doctypes dropped. It never fails and takes time linear in the input, however hostile; nothing
//! recurses. Browser-exact parsing (html5ever) would bring a large tree for no gain: every
//! consumer here writes only what it recognises.

use std::borrow::Cow;

/// A piece of an HTML fragment: text (entities not decoded yet) or a tag.
pub(crate) enum Token<'a> {
    Text(&'a str),
    Tag(Tag),
}

/// Splits an HTML fragment into text and tags, in time linear in its length (a hostile note
/// must not cost quadratic time): comments, doctypes and processing instructions are dropped,
/// elements named in `skip` are dropped with their content, a `<` that starts no tag is text,
/// and a tag that runs to the end (an unclosed quote, no `>`) makes the rest text, instead of
/// trying again at every later `<`.
pub(crate) struct Tokens<'a, 's> {
    rest: &'a str,
    skip: &'s [&'s str],
}

impl<'a, 's> Tokens<'a, 's> {
    pub(crate) fn new(html: &'a str, skip: &'s [&'s str]) -> Self {
        Tokens { rest: html, skip }
    }
}

impl<'a> Iterator for Tokens<'a, '_> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let rest = self.rest;
            if rest.is_empty() {
                return None;
            }
            let lt = rest.find('<').unwrap_or(rest.len());
            if lt > 0 {
                self.rest = &rest[lt..];
                return Some(Token::Text(&rest[..lt]));
            }
            if let Some(after) = rest.strip_prefix("<!--") {
                self.rest = after.find("-->").map_or("", |i| &after[i + 3..]);
                continue;
            }
            if rest.starts_with("<!") || rest.starts_with("<?") {
                self.rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
                continue;
            }
            let Some(tag) = parse_tag(rest) else {
                if opens_tag(rest) {
                    self.rest = "";
                    return Some(Token::Text(rest));
                }
                self.rest = &rest[1..];
                return Some(Token::Text("<"));
            };
            self.rest = &rest[tag.len..];
            if !tag.closing && self.skip.contains(&tag.name.as_str()) {
                self.rest = after_end_tag(self.rest, &tag.name);
                continue;
            }
            return Some(Token::Tag(tag));
        }
    }
}

/// Whether `s` (starting with `<`) starts like a tag, `<a` or `</a`: then [`parse_tag`] fails
/// only by reaching the end of `s`.
fn opens_tag(s: &str) -> bool {
    let b = s.as_bytes();
    let k = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    b.get(k).is_some_and(u8::is_ascii_alphabetic)
}

/// What follows the end tag `</name…>` (any case) in `rest`; empty when there is none.
fn after_end_tag<'a>(rest: &'a str, name: &str) -> &'a str {
    let mut from = 0;
    while let Some(i) = rest[from..].find("</") {
        let at = from + i;
        let next = &rest.as_bytes()[at + 2..];
        if next.len() >= name.len() && next[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return rest[at..].find('>').map_or("", |j| &rest[at + j + 1..]);
        }
        from = at + 2;
    }
    ""
}

/// A start or end tag.
pub(crate) struct Tag {
    /// Local name in lower case (`xhtml:p` → `p`).
    pub(crate) name: String,
    pub(crate) closing: bool,
    pub(crate) self_closing: bool,
    /// Attributes by local name in lower case, values with entities decoded.
    attrs: Vec<(String, String)>,
    /// Bytes of the input the tag takes.
    len: usize,
}

impl Tag {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the tag at the start of `s` (which starts with `<`).
fn parse_tag(s: &str) -> Option<Tag> {
    let b = s.as_bytes();
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b':' | b'-' | b'_')) {
        i += 1;
    }
    if i == start || !b[start].is_ascii_alphabetic() {
        return None;
    }
    let name = local(&s[start..i]);
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => {
                i += 1;
                break;
            }
            Some(b'/') => {
                self_closing = true;
                i += 1;
                continue;
            }
            _ => {}
        }
        let n0 = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == n0 {
            // A stray character such as a quote: skip it.
            i += 1;
            continue;
        }
        let attr_name = local(&s[n0..i]);
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let end = s[i + 1..].find(q as char)? + i + 1;
                    value = decode_entities(&s[i + 1..end]).into_owned();
                    i = end + 1;
                }
                _ => {
                    let v0 = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(&s[v0..i]).into_owned();
                }
            }
        }
        attrs.push((attr_name, value));
    }
    Some(Tag {
        name,
        closing,
        self_closing,
        attrs,
        len: i,
    })
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase()
}

/// Decodes the common named entities and numeric character references; others stay as written.
pub(crate) fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // A reference ends with `;` within a few bytes: look no further, so that a note full of
        // `&` without `;` takes linear time.
        let head = &rest.as_bytes()[..rest.len().min(13)];
        let end = head.iter().position(|&b| b == b';');
        let decoded = end.and_then(|e| {
            let body = &rest[1..e];
            let c = match body {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = body.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    Some(
                        char::from_u32(code)
                            .filter(|&c| c != '\0')
                            .unwrap_or('\u{fffd}'),
                    )
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The plain text of an HTML fragment: tags removed (and the content of `script` and `style`),
/// `<br>` and the end of a block element (`p`, `div`, `li`, headings, table rows, quotes) a line
/// break, entities decoded, trailing line breaks dropped. For notes stored only as HTML.
pub(crate) fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Cells of a table row are kept apart by a tab, as a spreadsheet pastes them.
    let mut cells_in_row = 0usize;
    for token in Tokens::new(html, &["script", "style"]) {
        match token {
            Token::Text(text) => out.push_str(&decode_entities(text)),
            Token::Tag(tag) => {
                if !tag.closing && (tag.name == "td" || tag.name == "th") {
                    if cells_in_row > 0 {
                        out.push('\t');
                    }
                    cells_in_row += 1;
                } else if tag.name == "tr" {
                    cells_in_row = 0;
                }
                let block = matches!(
                    tag.name.as_str(),
                    "p" | "div"
                        | "li"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "tr"
                        | "blockquote"
                );
                if tag.name == "br" || (tag.closing && block) {
                    out.push('\n');
                }
            }
        }
    }
    let trimmed = out.trim_end_matches('\n').len();
    out.truncate(trimmed);
    out
}

/// Whether an HTML fragment shows anything: text other than white space, or an image.
pub(crate) fn shows_something(html: &str) -> bool {
    Tokens::new(html, &["script", "style"]).any(|token| match token {
        Token::Text(text) => !decode_entities(text).trim().is_empty(),
        Token::Tag(tag) => tag.name == "img" && !tag.closing,
    })
}

/// The files an HTML fragment refers to: the `src` of every element (images) and every `href`
/// into the map's archive (`xap:…`), with entities decoded, in order.
pub(crate) fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in Tokens::new(html, &["script", "style"]) {
        if let Token::Tag(tag) = token {
            if tag.closing {
                continue;
            }
            if let Some(src) = tag.attr("src") {
                out.push(src.to_string());
            }
            if let Some(href) = tag
                .attr("href")
                .filter(|h| h.trim_start().starts_with("xap:"))
            {
                out.push(href.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_line_breaks_and_decodes_entities() {
        assert_eq!(
            plain_text("<div>a &gt; b<br>c</div><div>d&#128546;</div>"),
            "a > b\nc\nd\u{1F622}"
        );
        assert_eq!(plain_text("x & y <b>bold</b>"), "x & y bold");
        assert_eq!(
            plain_text("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"),
            "a\tb\n1\t2"
        );
        // Found by fuzzing: slices that ended inside a multi-byte character.
        assert_eq!(plain_text("&gt;1）。除了"), ">1）。除了");
        assert_eq!(plain_text("a <中"), "a <中");
        assert_eq!(plain_text("<p>a</p><script>x</script>&#0;"), "a\n\u{FFFD}");
    }

    #[test]
    fn references_take_any_quoting() {
        let html = "<img src='xap:resources/q.png'><img src=xap:resources/u.png>\
                    <img src=\"xap:resources/d&amp;.png\"><a href=\"xap:attachments/a.txt\">a</a>\
                    <a href=\"https://x\">x</a><IMG SRC=\"xap:resources/C.png\"/>";
        assert_eq!(
            references(html),
            [
                "xap:resources/q.png",
                "xap:resources/u.png",
                "xap:resources/d&.png",
                "xap:attachments/a.txt",
                "xap:resources/C.png"
            ]
        );
    }

    #[test]
    fn emptiness_is_about_what_shows() {
        assert!(!shows_something("<p> </p><br>&nbsp;"));
        assert!(shows_something("<p><img src=\"x\"></p>"));
        assert!(shows_something("<p>a</p>"));
    }

    #[test]
    fn hostile_fragments_take_linear_time() {
        let amps = "&".repeat(400_000);
        let start = std::time::Instant::now();
        assert_eq!(plain_text(&amps).len(), 400_000);
        let tags = "<a ".repeat(100_000);
        assert!(references(&tags).is_empty());
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }
}
