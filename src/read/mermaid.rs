//! Mermaid `mindmap` reader: one node per line, nested by indentation as Mermaid's own parser
//! nests them (a node hangs from the nearest earlier node indented less), node text from any of
//! Mermaid's shapes, `#…;` entity codes decoded.
//!
//! The lexing follows Mermaid's jison grammar (`mindmap.jison`, Mermaid 11): an optional id, then
//! a shape opening (`[`, `(`, `((`, `)`, `))`, `{{`, `(-`, `-)`), the text (plain, `"…"` or a
//! Markdown string ``"`…`"``, which may run over several lines) and any shape closing; `::icon(…)`
//! and `:::class` lines decorate the node before them; `%%` lines are comments. Nothing
//! recurses; `--max-depth` and `--max-text` apply.

use super::ReadOptions;
use super::common::{Outline, decode, depth_limit, syntax, text_limit};
use crate::error::Result;
use crate::model::{Document, Topic, TopicKind};

const FORMAT: &str = "mermaid";

/// One node before the tree is built.
struct Item {
    depth: usize,
    kind: TopicKind,
    topic: Topic,
}

/// Reads a Mermaid mindmap.
pub(super) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let text = decode(bytes, FORMAT)?;
    let limits = &options.limits;
    let mut pos = skip_front_matter(text);
    let mut header = false;
    let mut items: Vec<Item> = Vec::new();
    // Nodes that can still be parents: (indent, depth), indents strictly increasing.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut base = 0usize;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        let content_at = line
            .char_indices()
            .find(|(_, c)| !c.is_whitespace())
            .map(|(i, _)| i);
        let Some(ci) = content_at else {
            pos = line_end + 1;
            continue;
        };
        let indent = line[..ci].chars().count();
        let start = pos + ci;
        let content = &text[start..line_end];
        if content.starts_with("%%") {
            pos = line_end + 1;
            continue;
        }
        if !header {
            let word = content.split_whitespace().next().unwrap_or_default();
            if !word.eq_ignore_ascii_case("mindmap") {
                return Err(syntax(
                    FORMAT,
                    text,
                    start,
                    format!(
                        "not a Mermaid mindmap: the diagram starts with {:?}, not \"mindmap\"",
                        content.trim_end()
                    ),
                ));
            }
            header = true;
            pos = line_end + 1;
            continue;
        }
        if let Some(rest) = content.strip_prefix("::icon(") {
            let Some(close) = rest.find(')') else {
                return Err(syntax(
                    FORMAT,
                    text,
                    start,
                    "::icon( is not closed on its line",
                ));
            };
            let Some(last) = items.last_mut() else {
                return Err(syntax(FORMAT, text, start, "an icon before the first node"));
            };
            last.topic
                .labels
                .push(format!("icon: {}", rest[..close].trim()));
            expect_line_end(text, start + 7 + close + 1)?;
            pos = line_end + 1;
            continue;
        }
        if let Some(classes) = content.strip_prefix(":::") {
            if let Some(last) = items.last_mut() {
                for class in classes.split_whitespace() {
                    // Our writer's classes for the topics a mindmap has no place for.
                    match class {
                        "floating" => last.kind = TopicKind::Floating,
                        "summary" => last.kind = TopicKind::Summary,
                        "callout" => last.kind = TopicKind::Callout,
                        _ => {}
                    }
                }
            }
            pos = line_end + 1;
            continue;
        }
        let (title, end) = node(text, start)?;
        if title.len() > limits.max_text {
            return Err(text_limit(FORMAT, limits));
        }
        expect_line_end(text, end)?;
        // Mermaid: the first node is the root and sets the base indent; a later node hangs from
        // the nearest earlier node indented less, and there must be one.
        let depth = if items.is_empty() {
            base = indent;
            0
        } else {
            let level = indent as isize - base as isize;
            while stack.last().is_some_and(|&(l, _)| l as isize >= level) {
                stack.pop();
            }
            match stack.last() {
                Some(&(_, d)) => d + 1,
                None => {
                    return Err(syntax(
                        FORMAT,
                        text,
                        start,
                        format!(
                            "there can be only one root, and {title:?} is indented no deeper than the root"
                        ),
                    ));
                }
            }
        };
        if depth > limits.max_depth {
            return Err(depth_limit(FORMAT, limits));
        }
        stack.push((indent - base, depth));
        items.push(Item {
            depth,
            kind: TopicKind::Attached,
            topic: Topic::new(title),
        });
        pos = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    }
    if !header {
        return Err(syntax(
            FORMAT,
            text,
            text.len(),
            "not a Mermaid mindmap: no \"mindmap\" line",
        ));
    }
    let mut items = items.into_iter();
    let root = items.next().map_or_else(|| Topic::new(""), |i| i.topic);
    let mut outline = Outline::new(root);
    for item in items {
        outline.push_as(item.depth, item.kind, item.topic);
    }
    Ok(Document {
        sheets: vec![outline.sheet],
        ..Document::default()
    })
}

/// Where the text starts after YAML front matter (`---` lines at the very start).
fn skip_front_matter(text: &str) -> usize {
    let first = text.lines().next().unwrap_or_default();
    if first.trim_end() != "---" {
        return 0;
    }
    let mut pos = text.find('\n').map_or(text.len(), |i| i + 1);
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == "---" {
            return (end + 1).min(text.len());
        }
        pos = end + 1;
    }
    // Unclosed front matter: Mermaid reads no diagram either.
    text.len()
}

/// Nothing but white space may follow a node on its line.
fn expect_line_end(text: &str, at: usize) -> Result<()> {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    match text[at..end]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
    {
        None => Ok(()),
        Some((i, _)) => Err(syntax(
            FORMAT,
            text,
            at + i,
            "text after the node (Mermaid takes one node per line)",
        )),
    }
}

/// Shape openings, in the order Mermaid's lexer tries them.
const OPEN: &[&str] = &["-)", "(-", "))", ")", "((", "{{", "(", "["];
/// Shape closings, in the order Mermaid's lexer tries them.
const CLOSE: &[&str] = &["))", ")", "]", "}}", "(-", "-)", "((", "("];

/// The node starting at `start`: its title and where it ends.
fn node(text: &str, start: usize) -> Result<(String, usize)> {
    let s = &text[start..];
    let opens = |s: &str| OPEN.iter().find(|o| s.starts_with(**o)).copied();
    // An id: anything up to a bracket, a parenthesis, a brace or the end of the line.
    let id_len = if opens(s).is_some() {
        0
    } else {
        s.find(['(', '[', '\n', ')', '{', '}']).unwrap_or(s.len())
    };
    let after_id = &s[id_len..];
    if after_id.is_empty() || after_id.starts_with('\n') {
        return Ok((decode_text(s[..id_len].trim()), start + id_len));
    }
    let Some(open) = opens(after_id) else {
        return Err(syntax(
            FORMAT,
            text,
            start + id_len,
            format!("unexpected {:?}", &after_id[..1]),
        ));
    };
    let d = start + id_len + open.len();
    let body = &text[d..];
    let (descr, quoted, len) = if let Some(rest) = body.strip_prefix("\"`") {
        match rest.find(['`', '"']) {
            Some(i) if rest[i..].starts_with("`\"") => (&rest[..i], true, i + 4),
            _ => {
                return Err(syntax(
                    FORMAT,
                    text,
                    d,
                    "the Markdown string \"` is not closed",
                ));
            }
        }
    } else if let Some(rest) = body.strip_prefix('"') {
        match rest.find('"') {
            Some(i) => (&rest[..i], true, i + 2),
            None => return Err(syntax(FORMAT, text, d, "the string \" is not closed")),
        }
    } else if CLOSE.iter().any(|c| body.starts_with(c)) {
        return Err(syntax(FORMAT, text, d, "a node without text"));
    } else {
        let n = body.find([')', ']', '(', '}']).unwrap_or(body.len());
        if n > 0 {
            (&body[..n], false, n)
        } else {
            // Mermaid's last rule: the rest of the line.
            let n = body.find('\n').unwrap_or(body.len());
            (&body[..n], false, n)
        }
    };
    let e = d + len;
    let Some(close) = CLOSE.iter().find(|c| text[e..].starts_with(**c)) else {
        return Err(syntax(FORMAT, text, e, "the node's shape is not closed"));
    };
    let title = if quoted {
        // Our writer writes an empty title as `[" "]` (Mermaid refuses `[""]`).
        if descr == " " {
            String::new()
        } else {
            decode_text(descr)
        }
    } else {
        decode_text(descr.trim())
    };
    Ok((title, e + close.len()))
}

/// Node text as a reader of the diagram sees it: `<br>` a line break, Mermaid's `#code;` and
/// `#name;` entity codes and HTML's character references decoded (the named ones Mermaid's
/// renderer and `mermaid-tree` decode: `quot`, `amp`, `lt`, `gt`, `apos`, `nbsp`; any other
/// name stays as `&name;`, which is what the browser is given).
fn decode_text(raw: &str) -> String {
    let raw = line_breaks(raw);
    // Mermaid's pre-pass: `#word;` becomes `&#word;` (digits) or `&word;`.
    let mut amp = String::with_capacity(raw.len());
    let mut rest = raw.as_str();
    while let Some(i) = rest.find('#') {
        amp.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let n = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if n > 0 && after.as_bytes().get(n) == Some(&b';') {
            let word = &after[..n];
            amp.push('&');
            if word.bytes().all(|b| b.is_ascii_digit()) {
                amp.push('#');
            }
            amp.push_str(word);
            amp.push(';');
            rest = &after[n + 1..];
        } else {
            amp.push('#');
            rest = after;
        }
    }
    amp.push_str(rest);
    // The renderer: character references and a few names.
    let mut out = String::with_capacity(amp.len());
    let mut rest = amp.as_str();
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e > 0 && e <= 32);
        let decoded = end.and_then(|e| {
            let body = &after[..e];
            let c = if let Some(num) = body.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        u32::from_str_radix(hex, 16).ok()?
                    }
                    Some(_) => return None,
                    None if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) => {
                        num.parse().ok()?
                    }
                    None => return None,
                };
                char::from_u32(code)?
            } else {
                match body {
                    "quot" => '"',
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "apos" => '\'',
                    "nbsp" => '\u{a0}',
                    _ => return None,
                }
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `<br>`, `<br/>` and `<br />` (any case) as line breaks.
fn line_breaks(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let tag = &rest[i..];
        let len = ["<br>", "<br/>", "<br />"]
            .iter()
            .find(|t| {
                tag.len() >= t.len() && tag.as_bytes()[..t.len()].eq_ignore_ascii_case(t.as_bytes())
            })
            .map(|t| t.len());
        match len {
            Some(n) => {
                out.push('\n');
                rest = &tag[n..];
            }
            None => {
                out.push('<');
                rest = &tag[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether the start of an input is a Mermaid mindmap: after front matter, blank lines and
/// `%%` comments, a line `mindmap`.
pub(super) fn sniff(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    // The head may end inside a character.
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(t) => t,
            Err(_) => return false,
        },
    };
    let text = &text[skip_front_matter(text)..];
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("%%"))
        .and_then(|l| l.split_whitespace().next())
        .is_some_and(|w| w.eq_ignore_ascii_case("mindmap"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TopicId;

    fn tree(s: &str) -> String {
        let doc = read(s.as_bytes(), &ReadOptions::default()).unwrap();
        let sheet = &doc.sheets[0];
        let mut out = String::new();
        sheet.walk(TopicId::ROOT, |id, d| {
            out.push_str(&"  ".repeat(d));
            out.push_str(&sheet.topic(id).title.replace('\n', "|"));
            out.push('\n');
            true
        });
        out
    }

    #[test]
    fn indentation_nests_as_mermaid_does() {
        assert_eq!(
            tree("mindmap\nRoot\n    A\n        B\n      C\n"),
            "Root\n  A\n    B\n    C\n"
        );
        assert_eq!(
            tree(" mindmap\n          root\n            a\n              b\n            c"),
            "root\n  a\n    b\n  c\n"
        );
        let e = read(b"mindmap\n  root\n    a\n  second", &ReadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("line 4, column 3"), "{e}");
    }

    #[test]
    fn shapes_ids_strings_and_codes() {
        let t = tree(
            "---\ntitle: x\n---\n%% c\nmindmap\n  root((mind #35;1))\n    ::icon(fa fa-book)\n    \
             a))bang((\n    :::urgent\n    b)cloud(\n    id[\"String [] #quot;q#quot;\"]\n    \
             x{{hex}}\n    y(\"`**md**\nline`\")\n    On<br/>two\n    <b中\n    Sketch (draft)\n",
        );
        assert_eq!(
            t,
            "mind #1\n  bang\n  cloud\n  String [] \"q\"\n  hex\n  **md**|line\n  On|two\n  <b中\n  draft\n"
        );
        let doc = read(
            b"mindmap\n  r\n  ::icon(fa fa-book)\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(doc.sheets[0].root().labels, ["icon: fa fa-book"]);
    }

    #[test]
    fn not_a_mindmap_is_refused_with_a_position() {
        let e = read(b"%% x\ngraph TD\n  A-->B\n", &ReadOptions::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid mermaid at line 2, column 1: not a Mermaid mindmap: the diagram starts with \"graph TD\", not \"mindmap\""
        );
        assert!(read(b"mindmap\n  a[b\n", &ReadOptions::default()).is_err());
        assert!(read(b"mindmap\n  a[b] c\n", &ReadOptions::default()).is_err());
        assert!(sniff(b"---\na: b\n---\n\n%% c\n  mindmap\n root"));
        assert!(!sniff(b"graph TD\n"));
    }

    #[test]
    fn deep_indentation_reads_without_the_stack() {
        let n = 3000;
        let mut s = String::from("mindmap\n");
        for i in 0..n {
            s.push_str(&" ".repeat(i));
            s.push_str("n\n");
        }
        let doc = read(s.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(doc.sheets[0].topics.len(), n);
        let mut opts = ReadOptions::default();
        opts.limits.max_depth = 10;
        assert!(read(s.as_bytes(), &opts).is_err());
    }
}
