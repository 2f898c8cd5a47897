//! Notes to Markdown: what XMind writes in rich notes (`div`, `p`, `br`, `strong`/`b`, `em`/`i`,
//! `u`, `a`, `img`, `ul`/`ol`/`li`, `span`), read with [`crate::notes`], and plain notes.
//!
//! XMind's model of a note is lines: every `<p>` or `<div>` is one line, `<br>` breaks a line, an
//! empty `<p></p>` (or `<div><br></div>`) is an empty line. So is ours: consecutive lines become
//! one Markdown paragraph with hard line breaks (`\` at the end of a line), an empty line starts a
//! new paragraph. Lists become `- ` and `1. ` items, nested by indentation.
//!
//! Tolerant: unknown tags are dropped and their text kept (`script` and `style` content is
//! skipped), unclosed and stray tags are ignored, a `<` that starts no tag is text, entities
//! other than the common ones are kept as written. Nothing here recurses: lists nest through an
//! explicit stack.

use super::{At, escape_into, link_dest};
use crate::notes::{Tag, Token, Tokens, decode_entities};
use crate::url::unsafe_scheme;

/// One line of a note, before rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    /// Column the text (or the list marker) starts at.
    pub col: usize,
    /// `- ` or `N. ` when this line starts a list item.
    pub marker: Option<String>,
    /// Inline Markdown; empty for an empty line.
    pub text: String,
}

impl Line {
    fn is_blank(&self) -> bool {
        self.marker.is_none() && self.text.is_empty()
    }
}

/// The lines of a plain-text note: every line escaped, whitespace-only lines empty. The
/// writer writes plain notes straight away (`plain_note`); this is the reference it is tested
/// against.
#[cfg(test)]
pub(super) fn plain_to_lines(text: &str) -> Vec<Line> {
    text.split('\n')
        .map(|l| {
            let mut s = String::new();
            let t = l.trim_matches([' ', '\t']);
            escape_into(&mut s, t, At::Line);
            Line {
                col: 0,
                marker: None,
                text: s,
            }
        })
        .collect()
}

/// Renders lines as Markdown lines (without any prefix): runs of lines become paragraphs with
/// hard breaks, empty lines separate paragraphs, list items are indented to their column. A
/// text line after a list gets a blank line first, so that it cannot be read as a lazy
/// continuation of the last item. Leading and trailing empty lines are dropped.
pub(super) fn render(lines: &[Line]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut blank = false;
    // Content column of the previous line, when it holds text a hard break can continue.
    let mut prev_col: Option<usize> = None;
    for line in lines {
        if line.is_blank() {
            blank = !out.is_empty();
            continue;
        }
        match &line.marker {
            Some(marker) => {
                if blank {
                    out.push(String::new());
                }
                let text = if line.text.is_empty() {
                    // An empty item right after a paragraph would turn it into a heading.
                    "&#32;"
                } else {
                    &line.text
                };
                out.push(indented(line.col, &[marker, text]));
                prev_col = Some(line.col + marker.len());
            }
            None => {
                match (blank, prev_col) {
                    (false, Some(c)) if c == line.col => {
                        if let Some(last) = out.last_mut() {
                            last.push('\\');
                        }
                    }
                    (_, None) => {}
                    _ => out.push(String::new()),
                }
                out.push(indented(line.col, &[&line.text]));
                prev_col = Some(line.col);
            }
        }
        blank = false;
    }
    out
}

/// `col` spaces, then `parts`, with room for a hard break after them.
fn indented(col: usize, parts: &[&str]) -> String {
    let len = parts.iter().map(|p| p.len()).sum::<usize>();
    let mut s = String::with_capacity(col + len + 1);
    s.extend(std::iter::repeat_n(' ', col));
    for p in parts {
        s.push_str(p);
    }
    s
}

/// The lines of an HTML note. `resource` rewrites `src` and `href` values (for `xap:` entries).
pub(super) fn html_to_lines(html: &str, resource: &dyn Fn(&str) -> String) -> Vec<Line> {
    let mut c = Converter::default();
    for token in Tokens::new(html, &["script", "style"]) {
        match token {
            Token::Text(text) => c.text(text),
            Token::Tag(tag) => c.tag(&tag, resource),
        }
    }
    c.finish()
}

/// Inline formatting, outermost first. Delimiters are closed innermost first and reopened
/// outermost first, so they always nest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Style {
    link: Option<String>,
    strong: bool,
    em: bool,
    underline: bool,
}

#[derive(Default)]
struct Converter {
    lines: Vec<Line>,
    /// The line being built, with `**` and `*` for bold and italic.
    cur: String,
    /// The same line with `<strong>` and `<em>` instead, used when a `*` delimiter of `cur`
    /// would not be read as intended.
    cur_html: String,
    /// The `*` delimiter runs written into `cur`.
    runs: Vec<Run>,
    /// Marker of the line being built, when it starts a list item.
    cur_marker: Option<String>,
    /// Column of the line being built.
    cur_col: usize,
    /// Whether the line being built has visible content (or a marker).
    cur_used: bool,
    /// A collapsed white-space run is waiting to be written before the next text.
    space: bool,
    /// Formatting wanted by the open tags.
    strong: u32,
    em: u32,
    underline: u32,
    links: Vec<Option<String>>,
    /// Formatting whose delimiters are open in `cur`.
    open: Style,
    /// Open `ul`/`ol`: ordered, next number, whether an item is open.
    lists: Vec<List>,
    /// Content column of each open list item.
    items: Vec<usize>,
    /// Open `p`/`div` elements: the count of lines and visible text when they opened.
    blocks: Vec<(usize, usize)>,
    /// Visible pieces written so far (to tell empty paragraphs).
    written: usize,
}

/// A run of `*` delimiters written into a line.
struct Run {
    start: usize,
    end: usize,
    /// It opens (else it closes).
    opens: bool,
    /// Another `*` delimiter is open where it opens.
    nested: bool,
}

struct List {
    ordered: bool,
    next: u64,
    item_open: bool,
}

impl Converter {
    fn wanted(&self) -> Style {
        Style {
            link: self.links.iter().rev().flatten().next().cloned(),
            strong: self.strong > 0,
            em: self.em > 0,
            underline: self.underline > 0,
        }
    }

    /// [`Converter::sync`] to the formatting the open tags want; when that is what is open
    /// (most text), only the pending space is written.
    fn sync_wanted(&mut self) {
        let same = self.open.strong == (self.strong > 0)
            && self.open.em == (self.em > 0)
            && self.open.underline == (self.underline > 0)
            && self.open.link.as_ref() == self.links.iter().rev().flatten().next();
        if !same {
            let to = self.wanted();
            self.sync(&to);
        } else if self.space {
            if self.cur_used {
                self.both(" ");
            }
            self.space = false;
        }
    }

    /// Writes delimiters so that `open` becomes `to`: closers first, then the pending space,
    /// then openers.
    fn sync(&mut self, to: &Style) {
        let same_link = self.open.link == to.link;
        let keep = [
            same_link,
            same_link && self.open.strong == to.strong,
            same_link && self.open.strong == to.strong && self.open.em == to.em,
            same_link
                && self.open.strong == to.strong
                && self.open.em == to.em
                && self.open.underline == to.underline,
        ];
        if !keep[3] && self.open.underline {
            self.both("</u>");
        }
        let start = self.cur.len();
        if !keep[2] && self.open.em {
            self.cur.push('*');
            self.cur_html.push_str("</em>");
        }
        if !keep[1] && self.open.strong {
            self.cur.push_str("**");
            self.cur_html.push_str("</strong>");
        }
        if self.cur.len() > start {
            self.runs.push(Run {
                start,
                end: self.cur.len(),
                opens: false,
                nested: false,
            });
        }
        if !keep[0] {
            if let Some(href) = &self.open.link {
                let close = format!("]({href})");
                self.both(&close);
            }
        }
        if self.space {
            if self.cur_used {
                self.both(" ");
            }
            self.space = false;
        }
        if !keep[0] && to.link.is_some() {
            self.both("[");
        }
        let start = self.cur.len();
        let nested = (keep[1] && to.strong) || (keep[2] && to.em);
        if !keep[1] && to.strong {
            self.cur.push_str("**");
            self.cur_html.push_str("<strong>");
        }
        if !keep[2] && to.em {
            self.cur.push('*');
            self.cur_html.push_str("<em>");
        }
        if self.cur.len() > start {
            self.runs.push(Run {
                start,
                end: self.cur.len(),
                opens: true,
                nested,
            });
        }
        if !keep[3] && to.underline {
            self.both("<u>");
        }
        self.open = to.clone();
    }

    /// Appends to both forms of the line.
    fn both(&mut self, s: &str) {
        self.cur.push_str(s);
        self.cur_html.push_str(s);
    }

    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        // Words between runs of HTML white space (all ASCII, so byte positions are char
        // boundaries); a run sets the pending space.
        let b = decoded.as_bytes();
        let white = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
        let mut i = 0;
        while i < b.len() {
            if white(b[i]) {
                self.space = true;
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !white(b[i]) {
                i += 1;
            }
            let word = &decoded[start..i];
            self.sync_wanted();
            let start = self.cur.len();
            let at = if self.cur_used { At::Inline } else { At::Line };
            escape_into(&mut self.cur, word, at);
            self.cur_html.push_str(&self.cur[start..]);
            self.cur_used = true;
            self.written += 1;
        }
    }

    fn atom(&mut self, markdown: &str) {
        self.sync_wanted();
        self.both(markdown);
        self.cur_used = true;
        self.written += 1;
    }

    /// Ends the line being built (even when empty, for `<br>`).
    fn end_line(&mut self) {
        // White space at the end of a line is dropped, as in HTML.
        self.space = false;
        self.sync(&Style::default());
        let col = self.items.last().copied().unwrap_or(0);
        let line = Line {
            col: if self.cur_marker.is_some() {
                self.cur_col
            } else {
                col
            },
            marker: self.cur_marker.take(),
            // Copied (one allocation of the right size): the buffers keep their room for the
            // next line.
            text: if delimiters_flank(&self.cur, &self.runs) {
                self.cur.clone()
            } else {
                self.cur_html.clone()
            },
        };
        self.cur.clear();
        self.cur_html.clear();
        self.runs.clear();
        self.lines.push(line);
        self.cur_used = false;
        self.cur_col = self.items.last().copied().unwrap_or(0);
    }

    /// A block boundary: ends the line being built if it has text. A list marker with no text
    /// yet stays pending (`<li><p>text</p></li>` is one item line).
    fn boundary(&mut self) {
        if self.cur_used {
            self.end_line();
        } else {
            self.space = false;
        }
    }

    /// Ends the line being built if it has text or a marker (an empty item is still an item).
    fn flush(&mut self) {
        if self.cur_used || self.cur_marker.is_some() {
            self.end_line();
        }
    }

    fn close_item(&mut self) {
        if let Some(list) = self.lists.last_mut() {
            if list.item_open {
                list.item_open = false;
                self.flush();
                self.items.pop();
            }
        }
    }

    fn tag(&mut self, tag: &Tag, resource: &dyn Fn(&str) -> String) {
        let name = tag.name.as_str();
        match (name, tag.closing) {
            ("br", false) => self.end_line(),
            ("b" | "strong", false) if !tag.self_closing => self.strong += 1,
            ("b" | "strong", true) => self.strong = self.strong.saturating_sub(1),
            ("i" | "em", false) if !tag.self_closing => self.em += 1,
            ("i" | "em", true) => self.em = self.em.saturating_sub(1),
            ("u", false) if !tag.self_closing => self.underline += 1,
            ("u", true) => self.underline = self.underline.saturating_sub(1),
            ("a", false) if !tag.self_closing => {
                let href = tag
                    .attr("href")
                    .filter(|h| !h.trim().is_empty() && !unsafe_scheme(h))
                    .map(|h| link_dest(&resource(h.trim())));
                self.links.push(href);
            }
            ("a", true) => {
                self.links.pop();
            }
            ("img", false) => {
                let src = tag.attr("src").filter(|s| {
                    let lower = s.trim().to_ascii_lowercase();
                    !s.trim().is_empty()
                        && !lower.starts_with("javascript:")
                        && !lower.starts_with("vbscript:")
                });
                if let Some(src) = src {
                    let mut alt = String::new();
                    let alt_text = tag.attr("alt").unwrap_or("").trim();
                    escape_into(
                        &mut alt,
                        if alt_text.is_empty() {
                            "image"
                        } else {
                            alt_text
                        },
                        At::Inline,
                    );
                    let md = format!("![{alt}]({})", link_dest(&resource(src.trim())));
                    // An image inside a link's text would close it: write it outside.
                    let links = std::mem::take(&mut self.links);
                    self.atom(&md);
                    self.links = links;
                }
            }
            ("ul" | "ol", false) if !tag.self_closing => {
                self.boundary();
                self.lists.push(List {
                    ordered: name == "ol",
                    next: 1,
                    item_open: false,
                });
            }
            ("ul" | "ol", true) if !self.lists.is_empty() => {
                self.close_item();
                self.lists.pop();
                self.boundary();
            }
            ("li", false) => {
                if self.lists.is_empty() {
                    // An item outside a list: a bullet anyway.
                    self.lists.push(List {
                        ordered: false,
                        next: 1,
                        item_open: false,
                    });
                }
                self.close_item();
                // Also writes a parent item that has no text before its nested list.
                self.flush();
                let col = self.items.last().copied().unwrap_or(0);
                let Some(list) = self.lists.last_mut() else {
                    return;
                };
                let marker = if list.ordered {
                    let m = format!("{}. ", list.next);
                    list.next += 1;
                    m
                } else {
                    "- ".to_string()
                };
                list.item_open = true;
                self.items.push(col + marker.len());
                self.cur_col = col;
                self.cur_marker = Some(marker);
            }
            ("li", true) => self.close_item(),
            ("p" | "div", false) => {
                self.boundary();
                if !tag.self_closing {
                    self.blocks.push((self.lines.len(), self.written));
                }
            }
            ("p" | "div", true) => {
                let empty = self.blocks.pop().is_some_and(|(lines, written)| {
                    lines == self.lines.len() && written == self.written
                });
                if empty {
                    // XMind writes an empty line as an empty paragraph.
                    self.end_line();
                } else {
                    self.boundary();
                }
            }
            (
                "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "table" | "tr"
                | "section" | "article" | "header" | "footer" | "hr" | "dl" | "dt" | "dd",
                _,
            ) => self.boundary(),
            _ => {}
        }
    }

    fn finish(mut self) -> Vec<Line> {
        self.flush();
        self.lines
    }
}

/// How CommonMark classes the character next to a delimiter run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// White space, or the start or end of the line.
    Space,
    Punctuation,
    Other,
}

/// The classes a character may have: CommonMark counts Unicode punctuation (and, since 0.31,
/// symbols) as punctuation; for a non-ASCII character that is neither a letter, a digit nor
/// white space, both answers are tried.
fn classes(c: Option<char>) -> &'static [Class] {
    match c {
        None => &[Class::Space],
        Some(c) if c.is_whitespace() => &[Class::Space],
        Some(c) if c.is_ascii_punctuation() => &[Class::Punctuation],
        Some(c) if c.is_alphanumeric() => &[Class::Other],
        Some(c) if c.is_ascii() => &[Class::Other],
        Some(_) => &[Class::Punctuation, Class::Other],
    }
}

/// Whether every `*` run of `line` is read as written, whatever the parser's idea of
/// punctuation: a closing run must be right-flanking; an opening run left-flanking, and not
/// also right-flanking while another delimiter is open (it could close that one); a closing run
/// may not touch an opening one. CommonMark does not read `**二叉树：**每个` as bold (the closer
/// follows punctuation and precedes a letter); such a line is written with HTML tags instead.
fn delimiters_flank(line: &str, runs: &[Run]) -> bool {
    runs.windows(2).all(|w| w[0].end != w[1].start)
        && runs.iter().all(|r| {
            let before = classes(line[..r.start].chars().next_back());
            let after = classes(line[r.end..].chars().next());
            before.iter().all(|&b| {
                after.iter().all(|&a| {
                    let left = a != Class::Space && (a != Class::Punctuation || b != Class::Other);
                    let right = b != Class::Space && (b != Class::Punctuation || a != Class::Other);
                    if r.opens {
                        left && !(right && r.nested)
                    } else {
                        right
                    }
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(html: &str) -> String {
        render(&html_to_lines(html, &|s| {
            s.strip_prefix("xap:").unwrap_or(s).to_string()
        }))
        .join("\n")
    }

    #[test]
    fn xmind_lines_become_hard_breaks_and_empty_lines_paragraphs() {
        assert_eq!(
            md("<div>Plan it <strong>all</strong><br>before May</div>"),
            "Plan it **all**\\\nbefore May"
        );
        assert_eq!(md("<p>line1</p><p>line2</p>"), "line1\\\nline2");
        assert_eq!(md("<p>a</p><p></p><p>b</p><p></p>"), "a\n\nb");
        assert_eq!(md("<div>hello<br><br></div><div>x</div>"), "hello\n\nx");
        assert_eq!(md("<div>a<br></div><div>b</div>"), "a\\\nb");
        assert_eq!(
            md("\n   <p>View the Help sheet</p>\n   <p>what you can do</p>\n "),
            "View the Help sheet\\\nwhat you can do"
        );
    }

    #[test]
    fn formatting_nests_and_keeps_spaces_outside_delimiters() {
        assert_eq!(md("<b>a </b>b"), "**a** b");
        assert_eq!(md("a<b> b</b>"), "a **b**");
        assert_eq!(md("<b><strong>x</strong></b>"), "**x**");
        assert_eq!(md("<b>x <i>y</i></b>"), "**x *y***");
        // An intraword opener inside bold could close it: HTML.
        assert_eq!(md("<b>x<i>y</i></b>"), "<strong>x<em>y</em></strong>");
        assert_eq!(md("<u>u</u> <b></b>"), "<u>u</u>");
        assert_eq!(md("<b>bold<br>still</b>"), "**bold**\\\n**still**");
        assert_eq!(
            md("<a href=\"https://x.y/?a=1&amp;b=2\"><b>go</b> there</a>"),
            "[**go** there](https://x.y/?a=1&b=2)"
        );
        assert_eq!(
            md("<img src=\"xap:resources/a.png\" alt=\"\">"),
            "![image](resources/a.png)"
        );
    }

    #[test]
    fn emphasis_that_would_not_flank_is_written_as_html() {
        assert_eq!(
            md("<div><strong>二叉树：</strong>每个节点</div>"),
            "<strong>二叉树：</strong>每个节点"
        );
        assert_eq!(md("<b>粗体</b>文字"), "**粗体**文字");
        assert_eq!(md("a<b>(x)</b>b"), "a<strong>(x)</strong>b");
        assert_eq!(md("<b>a</b><i>b</i>"), "<strong>a</strong><em>b</em>");
        assert_eq!(md("<b>😀</b>x"), "<strong>😀</strong>x");
        assert_eq!(md("x <b>y</b>, z"), "x **y**, z");
    }

    #[test]
    fn lists_nest_and_text_after_a_list_is_a_new_paragraph() {
        assert_eq!(
            md("<p>intro</p><ul><li>a<ul><li>b</li></ul></li><li>c<br>more</li></ul><p>after</p>"),
            "intro\n- a\n  - b\n- c\\\n  more\n\nafter"
        );
        assert_eq!(md("<ol><li>one<li>two</ol>"), "1. one\n2. two");
        assert_eq!(md("<ul><li></li><li>x</li></ul>"), "- &#32;\n- x");
    }

    #[test]
    fn text_that_looks_like_markdown_stays_text() {
        assert_eq!(
            md(
                "<p># not a heading</p><p>1. not a list</p><p>&lt;b&gt;x&lt;/b&gt; &amp;amp; *y*</p>"
            ),
            "\\# not a heading\\\n1\\. not a list\\\n\\<b>x\\</b> \\&amp; \\*y\\*"
        );
        assert_eq!(md("a < b <!-- c --> d"), "a \\< b d");
        assert_eq!(md("x<script>alert(1)</script>y"), "xy");
        assert_eq!(md("<p unclosed"), "\\<p unclosed");
        assert_eq!(md("&bogus; &#128546; &nbsp;"), "\\&bogus; 😢 \u{a0}");
    }

    #[test]
    fn hostile_notes_take_linear_time() {
        // Each of these took minutes when every later `<` was tried again to the end.
        let n = 200_000;
        let start = std::time::Instant::now();
        let quotes = "<a b=\"".repeat(n);
        assert!(md(&quotes).starts_with("\\<a b=\\\"\\<a"));
        let unclosed = "<p x ".repeat(n);
        assert!(md(&unclosed).starts_with("\\<p x \\<p x"));
        assert_eq!(md(&"<script>x</SCRIPT>".repeat(n)), "");
        assert_eq!(md(&"<style>".repeat(n)), "");
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        assert_eq!(md("a<b x=\"1>2\">c</b>"), "a**c**");
        assert_eq!(md("<b>x</b><i y=\"z"), "**x**\\<i y=\\\"z");
    }

    #[test]
    fn plain_notes_keep_their_lines() {
        let lines = plain_to_lines("- not a list\n# not a heading\n\n  \nsecond");
        assert_eq!(
            render(&lines).join("\n"),
            "\\- not a list\\\n\\# not a heading\n\nsecond"
        );
    }
}
