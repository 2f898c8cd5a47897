//! PlantUML mindmap: `@startmindmap` … `@endmindmap` with `*` depth markers.
//!
//! Choices (documented in the README):
//! - One diagram per sheet. Several sheets: each diagram is preceded by a comment line
//!   `' Sheet N: TITLE` (outside the diagram, where PlantUML ignores text). A floating topic is
//!   a diagram of its own right after its sheet's diagram: a mindmap has one root, and the
//!   PlantUML of Debian 12 (1.2020) refuses a second one.
//! - A title with several lines, or a topic with extras to show, is written in PlantUML's
//!   multi-line form `**:first line` … `last line;`.
//! - Titles are literal text: every character PlantUML would read as markup is written as
//!   PlantUML's Unicode escape `<U+XXXX>`: `\` (escapes like `\n`, and a line continuation at
//!   the end of a line), `&` (`&#…;` references), `<` (HTML-like tags, `<&icon>`, `<:emoji:>`,
//!   `<U+…>`, `<<stereotypes>>`), `~` (creole's escape), `[` (`[[links]]`, `[#colour]`), `%`
//!   (preprocessor functions such as `%date()`, expanded anywhere in a line), doubled creole
//!   markers `** // "" -- __` (bold, italic, monospace, strike, underline), a first character
//!   that is punctuation or white space (`!include`, `'comment`, `@enduml`, `:`, `;`, list and
//!   table markers), a last white-space character (PlantUML trims), and in the multi-line form a
//!   last `;` (which would end the block). (`&#…;` is not used for escaping: PlantUML 1.2020
//!   crashes on `&#92;` and `&#36;`.) An empty title is `<U+0020>`.
//! - Extras: floating topics, summaries and callouts are on by default (summary topics and
//!   callouts are child nodes after the attached children, their first line prefixed with
//!   `Summary (first … last): ` or `Callout: `). The others are off by default; `--with` writes
//!   them as lines below the title, after a `----` separator: `Labels: …`, `Markers: …`,
//!   `Link: …`, `Image: …`, `Note: …`, `Comment (author, date): …`,
//!   `Relationship (title): → other` (a mindmap cannot draw relationships),
//!   `Boundary (first … last): title`. Folded branches are drawn open.

use std::io::{self, Write};

use super::shared::{self, Ctx, Kind, Visit};
use super::{Extra, WriteOptions, Writer};
use crate::model::{Document, TopicId};

/// The PlantUML mindmap emitter.
pub struct PlantUml;

impl Writer for PlantUml {
    fn name(&self) -> &'static str {
        "plantuml"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["puml"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["puml", "plantuml"]
    }
    fn description(&self) -> &'static str {
        "PlantUML mindmap, one diagram per sheet (and per floating topic)"
    }
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> io::Result<()> {
        let defaults = [Extra::Floating, Extra::Summaries, Extra::Callouts];
        let ctx = Ctx::new(doc, opts, &defaults);
        let several = doc.sheets.len() > 1;
        let mut first = true;
        for (s, sheet) in doc.sheets.iter().enumerate() {
            if !first {
                out.write_all(b"\n")?;
            }
            first = false;
            if several {
                let line = format!("' Sheet {}: {}", s + 1, shared::fold(&sheet.title));
                writeln!(out, "{}", line.trim_end())?;
            }
            let mut seen = vec![false; sheet.len()];
            for (i, (start, depth, kind)) in ctx.tops(sheet).into_iter().enumerate() {
                if i > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(b"@startmindmap\n")?;
                ctx.walk(sheet, start, depth, kind, &mut seen, |v| match v {
                    Visit::Enter(n) => {
                        node(&ctx, s, n.id, n.depth, n.depth + 1 - depth, n.kind, out)
                    }
                    Visit::Leave(_) => Ok(()),
                })?;
                out.write_all(b"@endmindmap\n")?;
            }
        }
        Ok(())
    }
}

/// Writes one node at `level` (1 for the diagram's root).
fn node(
    ctx: &Ctx<'_>,
    s: usize,
    id: TopicId,
    depth: usize,
    level: usize,
    kind: Kind,
    out: &mut dyn Write,
) -> io::Result<()> {
    let sheet = &ctx.doc.sheets[s];
    let t = sheet.topic(id);
    let prefix = match kind {
        Kind::Summary(i) => {
            let covered = t.parent().and_then(|p| {
                let p = sheet.topic(p);
                p.summaries
                    .get(i)
                    .and_then(|sm| sm.range)
                    .map(|r| shared::range_text(sheet, p, r))
            });
            match covered {
                Some(c) => format!("Summary ({c}): "),
                None => "Summary: ".to_string(),
            }
        }
        Kind::Callout => "Callout: ".to_string(),
        _ => String::new(),
    };
    let title = format!("{prefix}{}", t.title);
    let extras = ctx.extra_lines(s, id, depth, &[]);
    let stars = "*".repeat(level);
    if !title.contains('\n') && extras.is_empty() {
        let text = if title.is_empty() {
            "<U+0020>".to_string()
        } else {
            escape_line(&title, false)
        };
        return writeln!(out, "{stars} {text}");
    }
    // The multi-line form: title lines, then a `----` rule and the extras; the last line ends
    // with `;`.
    let mut lines: Vec<String> = title.split('\n').map(|l| escape_line(l, true)).collect();
    if !extras.is_empty() {
        lines.push("----".to_string());
        lines.extend(extras.iter().map(|l| escape_line(l, true)));
    }
    writeln!(out, "{stars}:{};", lines.join("\n"))
}

/// One line of text with everything PlantUML would read as markup escaped as `<U+XXXX>` (see
/// the module documentation). `in_block`: the line is inside a multi-line `:…;` node, where a
/// final `;` would end the node.
pub(crate) fn escape_line(line: &str, in_block: bool) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let last = chars.len().saturating_sub(1);
    for (k, &c) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(k + 1).copied();
        if shared::is_forbidden_control(c) || c == '\r' {
            out.push('\u{FFFD}');
            continue;
        }
        let escape = match c {
            '\\' | '&' | '<' | '~' | '[' | '%' => true,
            '*' | '/' | '"' | '-' | '_' => prev == Some(c) || next == Some(c),
            _ => false,
        } || (k == 0 && (c.is_ascii_punctuation() || c.is_whitespace()))
            || (k == last && (c.is_whitespace() || (in_block && c == ';')));
        if escape {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Notes, Sheet, Topic, TopicKind};

    fn puml(doc: &Document, opts: &WriteOptions) -> String {
        let mut out = Vec::new();
        PlantUml.write(doc, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn markup_is_escaped_as_unicode_escapes() {
        let cases = [
            ("plain text", "plain text"),
            (
                "**bold** //it// \"\"mono\"\"",
                "<U+002A><U+002A>bold<U+002A><U+002A> <U+002F><U+002F>it<U+002F><U+002F> <U+0022><U+0022>mono<U+0022><U+0022>",
            ),
            (
                "a--b a-b __u__ ~x",
                "a<U+002D><U+002D>b a-b <U+005F><U+005F>u<U+005F><U+005F> <U+007E>x",
            ),
            (
                "<b> & <&star> [[x]] [#red]",
                "<U+003C>b> <U+0026> <U+003C><U+0026>star> <U+005B><U+005B>x]] <U+005B>#red]",
            ),
            (r"a\nb \", "a<U+005C>nb <U+005C>"),
            ("%date() 50%", "<U+0025>date() 50<U+0025>"),
            ("!include x", "<U+0021>include x"),
            ("'comment", "<U+0027>comment"),
            ("@endmindmap", "<U+0040>endmindmap"),
            (" lead trail ", "<U+0020>lead trail<U+0020>"),
            ("a;", "a;"),
            ("a*b*c", "a*b*c"),
            ("中文 😢", "中文 😢"),
        ];
        for (input, want) in cases {
            assert_eq!(escape_line(input, false), want, "{input:?}");
        }
        assert_eq!(escape_line("a;", true), "a<U+003B>");
        assert_eq!(
            escape_line("----", true),
            "<U+002D><U+002D><U+002D><U+002D>"
        );
    }

    #[test]
    fn diagrams_nodes_and_blocks() {
        let mut s = Sheet::new("root");
        let a = s.add(
            TopicId::ROOT,
            TopicKind::Attached,
            Topic::new("two\nlines;"),
        );
        s.add(a, TopicKind::Attached, Topic::new(""));
        let mut n = Topic::new("noted");
        n.notes = Some(Box::new(Notes {
            plain: "x\n;y".into(),
            html: None,
        }));
        s.add(TopicId::ROOT, TopicKind::Attached, n);
        s.add(a, TopicKind::Floating, Topic::new("float"));
        s.add(TopicId::ROOT, TopicKind::Callout, Topic::new("c"));
        let doc = Document {
            sheets: vec![s, Sheet::new("second")],
            ..Document::default()
        };
        assert_eq!(
            puml(&doc, &WriteOptions::default()),
            "' Sheet 1:\n@startmindmap\n* root\n**:two\nlines<U+003B>;\n*** <U+0020>\n\
             ** noted\n** Callout: c\n@endmindmap\n\n@startmindmap\n* float\n@endmindmap\n\n\
             ' Sheet 2:\n@startmindmap\n* second\n@endmindmap\n"
        );
        let mut with = WriteOptions::default();
        with.set(Extra::Notes, true);
        with.set(Extra::Floating, false);
        assert!(
            puml(&doc, &with).contains("**:noted\n----\nNote: x\n<U+003B>y;\n"),
            "{}",
            puml(&doc, &with)
        );
    }

    #[test]
    fn a_very_deep_chain_is_written_without_recursion() {
        let mut s = Sheet::new("root");
        let mut parent = TopicId::ROOT;
        for i in 0..5_000 {
            parent = s.add(parent, TopicKind::Attached, Topic::new(i.to_string()));
        }
        let doc = Document {
            sheets: vec![s],
            ..Document::default()
        };
        let out = puml(&doc, &WriteOptions::default());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[lines.len() - 2],
            format!("{} 4999", "*".repeat(5_001))
        );
    }
}
