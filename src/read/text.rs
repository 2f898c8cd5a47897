//! Indented text: what `-t text` writes (the input's name, the root, `• ` bullets two spaces a
//! level, floating topics after the tree, `== Sheet N: TITLE ==` blocks), and plain outlines
//! indented with tabs or spaces, with or without `-`, `*`, `+` or `•` bullets.
//!
//! In a plain outline a line hangs from the nearest earlier line indented less (as Mermaid nests
//! a mindmap), so any indent unit works, tabs counting as four columns; several lines at the top
//! hang under one root named after the file. Lines end with LF, CRLF or CR. Nothing recurses;
//! `--max-depth` and `--max-text` apply.

use super::ReadOptions;
use super::common::{Outline, decode, depth_limit, text_limit};
use crate::error::Result;
use crate::model::{Document, Sheet, Topic, TopicKind};

const FORMAT: &str = "text";

/// Reads an indented text outline.
pub(super) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let text = decode(bytes, FORMAT)?;
    let lines = split_lines(text);
    for l in &lines {
        if l.len() > options.limits.max_text {
            return Err(text_limit(FORMAT, &options.limits));
        }
    }
    if is_ours(&lines) {
        return ours(&lines, options);
    }
    plain(&lines, options)
}

/// The lines of `text`, ended by LF, CRLF or CR.
fn split_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&text[start..i]);
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < b.len() {
        out.push(&text[start..]);
    }
    out
}

/// Leading white space in columns (a tab to the next multiple of four) and the rest.
fn indent_of(line: &str) -> (usize, &str) {
    let mut col = 0;
    for (i, c) in line.char_indices() {
        match c {
            ' ' => col += 1,
            '\t' => col = (col / 4 + 1) * 4,
            c if c.is_whitespace() => col += 1,
            _ => return (col, &line[i..]),
        }
    }
    (col, "")
}

/// The title without a leading bullet (`- `, `* `, `+ `, `• `).
fn unbullet(s: &str) -> &str {
    for b in ["• ", "- ", "* ", "+ "] {
        if let Some(rest) = s.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    if matches!(s, "•" | "-" | "*" | "+") {
        return "";
    }
    s
}

/// Whether `line` is our writer's `== Sheet N: TITLE ==`; the title if so.
fn sheet_header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("== Sheet ")?.strip_suffix(" ==")?;
    let (n, title) = rest.split_once(": ")?;
    n.bytes().all(|b| b.is_ascii_digit()).then_some(title)
}

/// Whether the lines are what `-t text` writes: a name, then a sheet header, or root lines at
/// the margin followed by a blank line and then nothing, a `  • ` bullet or a floating topic.
fn is_ours(lines: &[&str]) -> bool {
    let margin = |l: &str| !l.trim().is_empty() && indent_of(l).0 == 0;
    if !lines
        .first()
        .is_some_and(|l| margin(l) && unbullet(l) == *l)
    {
        return false;
    }
    if lines.get(1).is_some_and(|l| sheet_header(l).is_some()) {
        return true;
    }
    let k = lines[1..].iter().take_while(|l| margin(l)).count();
    // The blank line after the root; an empty root title is an empty line before it.
    let blank = 1 + k.max(1);
    if k == 0 && lines.get(1) != Some(&"") {
        return false;
    }
    match lines.get(blank) {
        None => return k > 0,
        Some(l) if !l.is_empty() => return false,
        Some(_) => {}
    }
    match lines.get(blank + 1) {
        None => true,
        Some(l) => l.starts_with("  • ") || l.trim_end() == "  •" || margin(l),
    }
}

/// Reads what `-t text` writes.
fn ours(lines: &[&str], options: &ReadOptions) -> Result<Document> {
    let limits = &options.limits;
    let name = lines[0];
    let mut sheets = Vec::new();
    let mut i = 1;
    while i < lines.len() {
        let mut title = String::new();
        if let Some(t) = sheet_header(lines[i]) {
            title = t.to_string();
            i += 1;
        }
        // The root: lines up to the blank line.
        let mut root = Vec::new();
        while i < lines.len() && !lines[i].is_empty() {
            root.push(lines[i]);
            i += 1;
        }
        i += 1;
        let mut outline = Outline::new(Topic::new(root.join("\n")));
        // The last topic and its level, for continuation lines.
        let mut last: Option<(usize, usize)> = None;
        // The level floating topics' bullets add (0 in the attached tree, 1 below a floating).
        let mut shift = 0;
        while i < lines.len() {
            let line = lines[i];
            if sheet_header(line).is_some() {
                break;
            }
            if line.is_empty() {
                // A blank line ends the tree; a floating topic or the next sheet follows.
                let next = lines.get(i + 1).copied().unwrap_or_default();
                if sheet_header(next).is_some() {
                    i += 1;
                    break;
                }
                i += 1;
                last = None;
                continue;
            }
            let (indent, rest) = indent_of(line);
            let bullet = rest.strip_prefix("• ").or((rest == "•").then_some(""));
            match bullet {
                Some(t) if indent % 2 == 0 && indent > 0 => {
                    let level = indent / 2 + shift;
                    if level > limits.max_depth {
                        return Err(depth_limit(FORMAT, limits));
                    }
                    let id = outline.push(level, Topic::new(t));
                    last = Some((id.index(), indent / 2));
                }
                _ => match last {
                    // A continuation line: two spaces past its topic's bullet (the margin for a
                    // floating topic).
                    Some((id, level)) if indent >= 2 * level + usize::from(level > 0) * 2 => {
                        let cut = if level > 0 { 2 * level + 2 } else { 0 };
                        let t = &mut outline.sheet.topics[id].title;
                        let mut s = String::from(t.as_str());
                        s.push('\n');
                        s.push_str(line.get(cut..).unwrap_or(rest));
                        if s.len() > limits.max_text {
                            return Err(text_limit(FORMAT, limits));
                        }
                        *t = s.into();
                    }
                    _ if indent == 0 => {
                        let id = outline.push_as(1, TopicKind::Floating, Topic::new(line));
                        shift = 1;
                        last = Some((id.index(), 0));
                    }
                    _ => {
                        let level = (indent / 2).max(1) + shift;
                        if level > limits.max_depth {
                            return Err(depth_limit(FORMAT, limits));
                        }
                        let id = outline.push(level, Topic::new(rest));
                        last = Some((id.index(), indent / 2));
                    }
                },
            }
            i += 1;
        }
        outline.sheet.title = title;
        sheets.push(outline.sheet);
    }
    if sheets.is_empty() {
        sheets.push(Sheet::new(""));
    }
    Ok(Document {
        name: (name != "<stdin>").then(|| name.to_string()),
        sheets,
        ..Document::default()
    })
}

/// Reads a plain outline: each line hangs from the nearest earlier line indented less.
fn plain(lines: &[&str], options: &ReadOptions) -> Result<Document> {
    let limits = &options.limits;
    let mut items: Vec<(usize, Topic)> = Vec::new();
    // Open lines: (indent, depth), indents strictly increasing.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        let (indent, rest) = indent_of(line);
        while stack.last().is_some_and(|&(i, _)| i >= indent) {
            stack.pop();
        }
        let depth = stack.last().map_or(0, |&(_, d)| d + 1);
        if depth > limits.max_depth {
            return Err(depth_limit(FORMAT, limits));
        }
        stack.push((indent, depth));
        items.push((depth, Topic::new(unbullet(rest.trim_end()))));
    }
    let tops = items.iter().filter(|(d, _)| *d == 0).count();
    let mut items = items.into_iter();
    let (root, shift) = if tops == 1 {
        (items.next().map(|(_, t)| t).expect("one top line"), 0)
    } else {
        (Topic::new(options.name.clone().unwrap_or_default()), 1)
    };
    let mut outline = Outline::new(root);
    for (depth, topic) in items {
        outline.push(depth + shift, topic);
    }
    Ok(Document {
        sheets: vec![outline.sheet],
        ..Document::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TopicId;

    fn tree(s: &str) -> String {
        let o = ReadOptions {
            name: Some("file".into()),
            ..ReadOptions::default()
        };
        let doc = read(s.as_bytes(), &o).unwrap();
        let mut out = String::new();
        for sheet in &doc.sheets {
            if !sheet.title.is_empty() {
                out.push_str(&format!("== {}\n", sheet.title));
            }
            sheet.walk(TopicId::ROOT, |id, d| {
                out.push_str(&"  ".repeat(d));
                out.push_str(&sheet.topic(id).title.replace('\n', "|"));
                out.push('\n');
                true
            });
            for f in sheet.floating_topics() {
                out.push_str(&format!("floating {}\n", sheet.topic(f).title));
            }
        }
        out
    }

    #[test]
    fn plain_outlines_any_indent_any_line_end() {
        assert_eq!(
            tree("some\n  example\n    content\n  for\n"),
            "some\n  example\n    content\n  for\n"
        );
        assert_eq!(
            tree("a\r\n\t- b\r\n\t\t* c\r\n\t• d\r\n"),
            "a\n  b\n    c\n  d\n"
        );
        assert_eq!(tree("a\r    b\r  c\r"), "a\n  b\n  c\n");
        assert_eq!(tree("- a\n- b\n  - c\n"), "file\n  a\n  b\n    c\n");
    }

    #[test]
    fn our_own_text_reads_back() {
        let t = "m.xmind\nroot\nline 2\n\n  • a\n    more\n    • b\n  • c\n\nfloat\n  • under\n";
        assert_eq!(
            tree(t),
            "root|line 2\n  a|more\n    b\n  c\nfloating float\n"
        );
        let t = "m.xmind\n== Sheet 1: One ==\nr1\n\n  • a\n\n== Sheet 2: Two ==\nr2\n\n";
        assert_eq!(tree(t), "== One\nr1\n  a\n== Two\nr2\n");
    }

    #[test]
    fn deep_indentation_reads_without_the_stack() {
        let n = 3000;
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&"\t".repeat(i));
            s.push_str("n\n");
        }
        let doc = read(s.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(doc.sheets[0].topics.len(), n);
        let mut opts = ReadOptions::default();
        opts.limits.max_depth = 10;
        assert!(read(s.as_bytes(), &opts).is_err());
    }
}
