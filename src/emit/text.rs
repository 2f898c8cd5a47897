//! Indented plain text, byte for byte the format of `大模型发展.txt`: the file name, the root
//! title, a blank line, attached topics as `• ` bullets indented two spaces per level, then each
//! floating topic after a blank line with its children as bullets.
//!
//! Decisions (documented in the README):
//! - Several sheets: each sheet's block is headed by a line `== Sheet N: TITLE ==` and separated
//!   from the previous block by a blank line; one sheet has no such line.
//! - No file name (stdin): the first line is `<stdin>`.
//! - A title with several lines: the lines after the first are indented to the text of the
//!   bullet (two more spaces than the bullet).
//! - Extras (off by default; `--with notes,labels,markers,links,…`): written under the topic as
//!   lines indented like continuation lines, `Note: …`, `Labels: a, b`, `Markers: …`,
//!   `Link: …`, `Image: …`, `Comment (author): …`, then summaries and callouts as
//!   `Summary (first … last): TITLE` and `Callout: TITLE`.

use std::io::{self, Write};

use super::{EmitOptions, Emitter, Extra, Step, walk};
use crate::model::{Document, Sheet, TopicId};

/// The indented-text emitter.
pub struct Text;

impl Emitter for Text {
    fn name(&self) -> &'static str {
        "text"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["txt"]
    }
    fn extensions(&self) -> &'static [&'static str] {
        &["txt"]
    }
    fn description(&self) -> &'static str {
        "indented text with • bullets, floating topics after the tree"
    }
    fn emit(&self, doc: &Document, opts: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", doc.name.as_deref().unwrap_or("<stdin>"))?;
        let several = doc.sheets.len() > 1;
        for (i, sheet) in doc.sheets.iter().enumerate() {
            if several {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "== Sheet {}: {} ==", i + 1, one_line(&sheet.title))?;
            }
            write_sheet(sheet, opts, out)?;
        }
        Ok(())
    }
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn write_sheet(sheet: &Sheet, opts: &EmitOptions, out: &mut dyn Write) -> io::Result<()> {
    write_block(sheet, TopicId::ROOT, opts, out)?;
    if opts.wants(Extra::Floating, true) {
        for f in sheet.floating_topics() {
            writeln!(out)?;
            write_block(sheet, f, opts, out)?;
        }
    }
    Ok(())
}

/// A root or floating topic at the margin, a blank line after a root, then its subtree as
/// bullets.
fn write_block(
    sheet: &Sheet,
    top: TopicId,
    opts: &EmitOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let is_root = top == TopicId::ROOT;
    walk(sheet, top, 0, opts, |step| {
        let Step::Enter(id, depth) = step else {
            return Ok(());
        };
        let t = sheet.topic(id);
        if depth == 0 {
            write_lines(out, "", "", &t.title)?;
            write_extras(sheet, id, opts, out, "")?;
            if is_root {
                writeln!(out)?;
            }
        } else {
            let pad = "  ".repeat(depth);
            let cont = format!("{pad}  ");
            write_lines(out, &format!("{pad}• "), &cont, &t.title)?;
            write_extras(sheet, id, opts, out, &cont)?;
        }
        Ok(())
    })
}

/// Writes `text` with `first` before its first line and `rest` before the others.
fn write_lines(out: &mut dyn Write, first: &str, rest: &str, text: &str) -> io::Result<()> {
    for (i, line) in text.split('\n').enumerate() {
        let prefix = if i == 0 { first } else { rest };
        writeln!(out, "{prefix}{line}")?;
    }
    Ok(())
}

fn write_extras(
    sheet: &Sheet,
    id: TopicId,
    opts: &EmitOptions,
    out: &mut dyn Write,
    pad: &str,
) -> io::Result<()> {
    let t = sheet.topic(id);
    let more = format!("{pad}  ");
    if opts.wants(Extra::Labels, false) && !t.labels.is_empty() {
        write_lines(out, &format!("{pad}Labels: "), &more, &t.labels.join(", "))?;
    }
    if opts.wants(Extra::Markers, false) && !t.markers.is_empty() {
        writeln!(out, "{pad}Markers: {}", t.markers.join(", "))?;
    }
    if opts.wants(Extra::Links, false) {
        if let Some(l) = &t.link {
            write_lines(out, &format!("{pad}Link: "), &more, &l.href)?;
        }
    }
    if opts.wants(Extra::Images, false) {
        if let Some(img) = &t.image {
            write_lines(out, &format!("{pad}Image: "), &more, &img.src)?;
        }
    }
    if opts.wants(Extra::Notes, false) {
        if let Some(n) = &t.notes {
            write_lines(out, &format!("{pad}Note: "), &more, n.plain.trim_end())?;
        }
    }
    if opts.wants(Extra::Comments, false) {
        for c in &t.comments {
            write_lines(
                out,
                &format!("{pad}Comment ({}): ", c.author),
                &more,
                &c.content,
            )?;
        }
    }
    if opts.wants(Extra::Summaries, false) {
        for s in &t.summaries {
            let covered = match s.range {
                Some(r) => format!(
                    " ({} … {})",
                    one_line(&sheet.topic(t.children[r.start]).title),
                    one_line(&sheet.topic(t.children[r.end]).title)
                ),
                None => String::new(),
            };
            let title = s.topic.map_or("", |st| sheet.topic(st).title.as_str());
            write_lines(out, &format!("{pad}Summary{covered}: "), &more, title)?;
        }
    }
    if opts.wants(Extra::Callouts, false) {
        for &c in &t.callouts {
            write_lines(
                out,
                &format!("{pad}Callout: "),
                &more,
                &sheet.topic(c).title,
            )?;
        }
    }
    Ok(())
}
