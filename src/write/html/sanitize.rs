//! Rich notes into safe, conforming HTML: a small allow-list rewriter. The note's own markup is
//! never copied: it is read with the crate's note tokenizer ([`crate::notes`]), and only these
//! elements are written again, with no attributes but the ones listed. What a reader of the page
//! sees is summed up in docs/formats/html.md (the notes row), shown as the rustdoc of
//! [`Html`](super::Html); this is the exact mapping:
//!
//! | in the note | written as |
//! | --- | --- |
//! | `div`, `p`, `blockquote`, `pre` | the same element; headings `h1`…`h6` become `p` |
//! | `section`, `article`, `header`, `footer`, `center` | `div` |
//! | `ul`, `ol`, `li` | the same element |
//! | `b`, `strong`, `i`, `em`, `u`, `s`, `strike`, `del`, `code`, `sub`, `sup`, `mark` | the same element; `strike` becomes `s` |
//! | `br`, `hr` | the same element |
//! | `a href` | `<a href rel="noopener noreferrer">` when the caller accepts the link (safe schemes only), else its text alone |
//! | `img src alt` | `<img src alt>` when the caller can embed the source; else a link to it, or its alt text |
//! | table cells and rows | their text, each cell followed by a space and each row by `<br>` |
//! | `script`, `style`, comments | nothing |
//! | anything else (`span`, `font`, `iframe`, `object`, `svg`, `form`…) | its text alone |
//!
//! Text is entity-decoded and escaped again, so `&lt;b&gt;` stays literal text. The output
//! always nests properly and follows HTML's content models (a block closes open inline elements
//! and `p`; text directly in a list gets an `li`; an `li` outside a list gets a `ul`; links never
//! nest), so the Nu Html Checker accepts it. Nesting stops growing at [`MAX_NESTING`] elements:
//! deeper tags are dropped and their text kept. Nothing here recurses.
//!
//! Why not ammonia (html5ever): its browser-exact tree is not needed when nothing of the input is
//! copied. A tag read wrongly can lose or show text, never inject markup, since only the fixed
//! elements above are written, and the page's Content-Security-Policy (`default-src 'none'`)
//! refuses scripts and remote loads as a second layer.

use crate::notes::{Token, Tokens, decode_entities};

/// Appends `text` escaped for HTML text and attribute values.
fn escape_into(out: &mut String, text: &str) {
    crate::xml::escape_into(out, text, crate::xml::HTML);
}

/// Most elements open at once inside one note.
pub(super) const MAX_NESTING: usize = 48;

/// What a note's links and images may become; decided by the page (media, safe schemes).
pub(super) trait Resolve {
    /// The `href` to write for a link in a note, or `None` to keep only its text.
    fn link(&self, href: &str) -> Option<String>;
    /// The `src` to write for an image in a note (a `data:` URI or a local file), or `None`.
    fn image(&self, src: &str) -> Option<String>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Phrasing elements: `b`, `a`, `code`…
    Inline,
    /// Blocks whose content is phrasing only: `p`, `pre`.
    Phrasing,
    /// Blocks holding flow content: `div`, `blockquote`, `li`.
    Flow,
    /// `ul`, `ol`: only `li` inside.
    List,
}

struct Open {
    /// The element written.
    name: &'static str,
    /// The element of the note that opened it (`None`: opened implicitly).
    from: Option<String>,
    kind: Kind,
}

/// How an element of the note is written: its output name and kind.
fn classify(name: &str) -> Option<(&'static str, Kind)> {
    Some(match name {
        "div" | "section" | "article" | "header" | "footer" | "center" | "main" | "aside" => {
            ("div", Kind::Flow)
        }
        "blockquote" => ("blockquote", Kind::Flow),
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => ("p", Kind::Phrasing),
        "pre" => ("pre", Kind::Phrasing),
        "ul" => ("ul", Kind::List),
        "ol" => ("ol", Kind::List),
        "li" => ("li", Kind::Flow),
        "b" => ("b", Kind::Inline),
        "strong" => ("strong", Kind::Inline),
        "i" => ("i", Kind::Inline),
        "em" => ("em", Kind::Inline),
        "u" => ("u", Kind::Inline),
        "s" | "strike" => ("s", Kind::Inline),
        "del" => ("del", Kind::Inline),
        "code" => ("code", Kind::Inline),
        "sub" => ("sub", Kind::Inline),
        "sup" => ("sup", Kind::Inline),
        "mark" => ("mark", Kind::Inline),
        "a" => ("a", Kind::Inline),
        _ => return None,
    })
}

struct Sanitizer<'r> {
    out: String,
    stack: Vec<Open>,
    resolve: &'r dyn Resolve,
    /// `<a>` start tags not written (nested in another link, or refused), whose end tags are
    /// to be skipped.
    skipped_links: usize,
}

impl Sanitizer<'_> {
    fn top(&self) -> Option<Kind> {
        self.stack.last().map(|o| o.kind)
    }

    fn push(&mut self, name: &'static str, from: Option<String>, kind: Kind) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.stack.push(Open { name, from, kind });
    }

    fn pop(&mut self) {
        if let Some(o) = self.stack.pop() {
            self.out.push_str("</");
            self.out.push_str(o.name);
            self.out.push('>');
        }
    }

    /// Makes room for phrasing content (text, inline elements, `br`, `img`): inside a list, an
    /// item is opened.
    fn phrasing_context(&mut self) {
        if self.top() == Some(Kind::List) {
            self.push("li", None, Kind::Flow);
        }
    }

    /// Makes room for a block: open inline elements and phrasing-only blocks are closed, and
    /// inside a list an item is opened.
    fn flow_context(&mut self) {
        while matches!(self.top(), Some(Kind::Inline | Kind::Phrasing)) {
            self.pop();
        }
        self.phrasing_context();
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let text = decode_entities(raw);
        if self.top() == Some(Kind::List) && text.trim().is_empty() {
            return;
        }
        self.phrasing_context();
        escape_into(&mut self.out, &text);
    }

    fn in_link(&self) -> bool {
        self.stack.iter().any(|o| o.name == "a")
    }

    fn start(&mut self, name: &str, attr: &dyn Fn(&str) -> Option<String>, self_closing: bool) {
        match name {
            "br" => {
                self.phrasing_context();
                self.out.push_str("<br>");
            }
            "hr" => {
                self.flow_context();
                self.out.push_str("<hr>");
            }
            "img" => self.image(attr),
            _ => {
                let Some((out, kind)) = classify(name) else {
                    return;
                };
                if self_closing {
                    return;
                }
                if name == "a" {
                    let href = attr("href").and_then(|h| self.resolve.link(h.trim()));
                    match href {
                        Some(href) if !self.in_link() && self.stack.len() < MAX_NESTING => {
                            self.phrasing_context();
                            self.out.push_str("<a href=\"");
                            escape_into(&mut self.out, &href);
                            self.out.push_str("\" rel=\"noopener noreferrer\">");
                            self.stack.push(Open {
                                name: "a",
                                from: Some("a".into()),
                                kind: Kind::Inline,
                            });
                        }
                        _ => self.skipped_links += 1,
                    }
                    return;
                }
                if self.stack.len() >= MAX_NESTING {
                    return;
                }
                match kind {
                    Kind::Inline => self.phrasing_context(),
                    Kind::Phrasing | Kind::List => self.flow_context(),
                    Kind::Flow if out == "li" => {
                        while matches!(self.top(), Some(Kind::Inline | Kind::Phrasing)) {
                            self.pop();
                        }
                        // An item right inside an item closes it, as HTML's parser does.
                        if self.stack.last().is_some_and(|o| o.name == "li") {
                            self.pop();
                        }
                        if self.top() != Some(Kind::List) {
                            self.push("ul", None, Kind::List);
                        }
                    }
                    Kind::Flow => self.flow_context(),
                }
                self.push(out, Some(name.to_string()), kind);
            }
        }
    }

    fn image(&mut self, attr: &dyn Fn(&str) -> Option<String>) {
        let Some(src) = attr("src").map(|s| s.trim().to_string()) else {
            return;
        };
        let alt = attr("alt").unwrap_or_default();
        self.phrasing_context();
        if let Some(src) = self.resolve.image(&src) {
            self.out.push_str("<img src=\"");
            escape_into(&mut self.out, &src);
            self.out.push_str("\" alt=\"");
            escape_into(&mut self.out, &alt);
            self.out.push_str("\">");
        } else if let Some(href) = self.resolve.link(&src).filter(|_| !self.in_link()) {
            // An image the page does not load (from the network): a link to it.
            self.out.push_str("<a href=\"");
            escape_into(&mut self.out, &href);
            self.out.push_str("\" rel=\"noopener noreferrer\">");
            escape_into(&mut self.out, if alt.is_empty() { "image" } else { &alt });
            self.out.push_str("</a>");
        } else if !alt.is_empty() {
            escape_into(&mut self.out, &alt);
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "td" | "th" => self.text(" "),
            "tr" => {
                self.phrasing_context();
                self.out.push_str("<br>");
            }
            "a" if self.skipped_links > 0 => self.skipped_links -= 1,
            _ => {
                if let Some(i) = self
                    .stack
                    .iter()
                    .rposition(|o| o.from.as_deref() == Some(name))
                {
                    while self.stack.len() > i {
                        self.pop();
                    }
                }
            }
        }
    }

    fn finish(mut self) -> String {
        while !self.stack.is_empty() {
            self.pop();
        }
        trim_trailing_breaks(self.out)
    }
}

/// `html` without the `<br>` elements at its very end (before closing tags and white space):
/// XMind ends many notes with one or two, which would show as empty lines.
fn trim_trailing_breaks(mut html: String) -> String {
    loop {
        // The end of the content: before the trailing end tags and white space.
        let mut end = html.len();
        loop {
            let body = html[..end].trim_end();
            let tag = body.rfind("</").filter(|&i| {
                let name = &body[i + 2..];
                name.len() > 1
                    && name.ends_with('>')
                    && name[..name.len() - 1]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric())
            });
            match tag {
                Some(i) => end = i,
                None => {
                    end = body.len();
                    break;
                }
            }
        }
        if html[..end].ends_with("<br>") {
            html.replace_range(end - 4..end, "");
        } else {
            return html;
        }
    }
}

/// The note's HTML rewritten as safe HTML (see the module documentation).
pub(super) fn sanitize(html: &str, resolve: &dyn Resolve) -> String {
    let mut s = Sanitizer {
        out: String::with_capacity(html.len()),
        stack: Vec::new(),
        resolve,
        skipped_links: 0,
    };
    let skip = ["script", "style", "textarea", "title", "xmp", "noscript"];
    for token in Tokens::new(html, &skip) {
        match token {
            Token::Text(text) => s.text(text),
            Token::Tag(tag) if tag.closing => s.end(&tag.name),
            Token::Tag(tag) => {
                let attr = |n: &str| tag.attr(n).map(str::to_string);
                s.start(&tag.name, &attr, tag.self_closing);
            }
        }
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts web links and `xap:` images, as the page does.
    struct Web;

    impl Resolve for Web {
        fn link(&self, href: &str) -> Option<String> {
            href.starts_with("https://").then(|| href.to_string())
        }
        fn image(&self, src: &str) -> Option<String> {
            src.strip_prefix("xap:").map(|e| format!("data:{e}"))
        }
    }

    fn clean(html: &str) -> String {
        sanitize(html, &Web)
    }

    #[test]
    fn allowed_markup_is_kept_and_attributes_dropped() {
        assert_eq!(
            clean(
                "<div class=\"x\" style=\"color:red\">Plan it <strong>all</strong><br>before</div>"
            ),
            "<div>Plan it <strong>all</strong><br>before</div>"
        );
        assert_eq!(
            clean("<p>a <span style=\"x\">b</span> <font color=red>c</font></p>"),
            "<p>a b c</p>"
        );
        assert_eq!(
            clean("<ol start=3><li>one<li>two</ol>"),
            "<ol><li>one</li><li>two</li></ol>"
        );
        assert_eq!(clean("<h1>Title</h1>x"), "<p>Title</p>x");
        assert_eq!(clean("<strike>old</strike>"), "<s>old</s>");
    }

    #[test]
    fn scripts_handlers_and_unsafe_links_never_pass() {
        assert_eq!(clean("x<script>alert(1)</script>y"), "xy");
        assert_eq!(clean("<STYLE>body{}</STYLE>z"), "z");
        assert_eq!(
            clean("<img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">click</a>"),
            "click"
        );
        assert_eq!(
            clean("<a href='https://e.com/?a=1&amp;b=\"x'>go</a>"),
            "<a href=\"https://e.com/?a=1&amp;b=&quot;x\" rel=\"noopener noreferrer\">go</a>"
        );
        assert_eq!(
            clean(
                "<iframe src=\"https://evil\"></iframe><svg onload=alert(1)><text>t</text></svg>"
            ),
            "t"
        );
        assert_eq!(clean("<textarea><b>x</b></textarea>after"), "after");
        assert_eq!(
            clean("<a href=\"https://a\">x<a href=\"https://b\">y</a>z</a>"),
            "<a href=\"https://a\" rel=\"noopener noreferrer\">xyz</a>"
        );
    }

    #[test]
    fn images_are_embedded_linked_or_replaced_by_their_alt_text() {
        assert_eq!(
            clean("<img src=\"xap:resources/a.png\" alt='a \"b\"'>"),
            "<img src=\"data:resources/a.png\" alt=\"a &quot;b&quot;\">"
        );
        assert_eq!(
            clean("<img src=\"https://e.com/t.png\">"),
            "<a href=\"https://e.com/t.png\" rel=\"noopener noreferrer\">image</a>"
        );
        assert_eq!(clean("<img src=\"http://e.com/t.png\" alt=\"pic\">"), "pic");
    }

    #[test]
    fn text_stays_text() {
        assert_eq!(
            clean("&lt;b&gt;x&lt;/b&gt; &amp;amp; a < b &bogus; &#128546;"),
            "&lt;b&gt;x&lt;/b&gt; &amp;amp; a &lt; b &amp;bogus; 😢"
        );
        assert_eq!(clean("<p unclosed"), "&lt;p unclosed");
        assert_eq!(clean("a<!-- <b> -->b<!DOCTYPE x><?pi?>c"), "abc");
        assert_eq!(
            clean("\"quotes\" 'too'"),
            "&quot;quotes&quot; &#39;too&#39;"
        );
    }

    #[test]
    fn output_follows_content_models() {
        // A block inside inline elements or a paragraph closes them.
        assert_eq!(
            clean("<p><b>x<div>y</div>z</b></p>"),
            "<p><b>x</b></p><div>y</div>z"
        );
        // Text and blocks directly in a list get an item; items outside lists get a list.
        assert_eq!(
            clean("<ul>text<div>d</div> <li>i</li></ul>"),
            "<ul><li>text<div>d</div> </li><li>i</li></ul>"
        );
        assert_eq!(clean("<li>a</li><li>b"), "<ul><li>a</li><li>b</li></ul>");
        assert_eq!(
            clean("<ul><li>a<ul><li>b</li></ul></li></ul>"),
            "<ul><li>a<ul><li>b</li></ul></li></ul>"
        );
        // Stray end tags are ignored; unclosed elements are closed at the end.
        assert_eq!(clean("</b>a</div><i>b"), "a<i>b</i>");
        assert_eq!(clean("<b><i>x</b>y</i>"), "<b><i>x</i></b>y");
        assert_eq!(
            clean("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>d"),
            "a b <br>c <br>d"
        );
    }

    #[test]
    fn breaks_at_the_very_end_are_dropped() {
        assert_eq!(clean("<div>hello<br><br></div>"), "<div>hello</div>");
        assert_eq!(
            clean("<p>a<br>b</p><p><br></p>\n"),
            "<p>a<br>b</p><p></p>\n"
        );
        assert_eq!(clean("<br>"), "");
    }

    #[test]
    fn hostile_notes_take_linear_time() {
        let start = std::time::Instant::now();
        let out = clean(&"<a href=\"".repeat(200_000));
        assert!(out.starts_with("&lt;a href=&quot;&lt;a href"));
        assert!(clean(&"<p x ".repeat(200_000)).starts_with("&lt;p x &lt;p x"));
        assert_eq!(clean(&"<script>x</script>".repeat(200_000)), "");
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "<b>".repeat(100_000) + "x";
        let out = clean(&deep);
        assert_eq!(out.matches("<b>").count(), MAX_NESTING);
        assert!(out.contains(">x</b>"));
        let lists = "<ul><li>".repeat(50_000);
        assert!(clean(&lists).matches("<ul>").count() <= MAX_NESTING);
    }
}
