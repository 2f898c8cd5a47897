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

use std::io::{self, BufWriter, Write};

use super::{Extra, Step, WriteOptions, Writer, walk};
use crate::model::{Document, Sheet, TopicId};

/// The indented-text emitter.
pub struct Text;

impl Writer for Text {
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
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> io::Result<()> {
        // Many small writes per topic: buffer them here, where the calls are direct. Larger
        // than the caller's buffer (64 KiB in the CLI), so that full blocks pass through it
        // without being copied again.
        let mut out = BufWriter::with_capacity(128 << 10, out);
        let out = &mut out;
        writeln!(out, "{}", doc.name.as_deref().unwrap_or("<stdin>"))?;
        let several = doc.sheets.len() > 1;
        let mut pad = Pad::default();
        for (i, sheet) in doc.sheets.iter().enumerate() {
            if several {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "== Sheet {}: {} ==", i + 1, one_line(&sheet.title))?;
            }
            write_sheet(sheet, opts, out, &mut pad)?;
        }
        out.flush()
    }
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

/// Spaces for indentation, grown once to the deepest level seen (no allocation per topic).
#[derive(Default)]
struct Pad(String);

impl Pad {
    fn get(&mut self, n: usize) -> &str {
        if self.0.len() < n {
            self.0 = " ".repeat(n.max(2 * self.0.len()));
        }
        &self.0[..n]
    }
}

fn write_sheet(
    sheet: &Sheet,
    opts: &WriteOptions,
    out: &mut impl Write,
    pad: &mut Pad,
) -> io::Result<()> {
    write_block(sheet, TopicId::ROOT, opts, out, pad)?;
    if opts.wants(Extra::Floating, true) {
        for f in sheet.floating_topics() {
            writeln!(out)?;
            write_block(sheet, f, opts, out, pad)?;
        }
    }
    Ok(())
}

/// A root or floating topic at the margin, a blank line after a root, then its subtree as
/// bullets.
fn write_block(
    sheet: &Sheet,
    top: TopicId,
    opts: &WriteOptions,
    out: &mut impl Write,
    pad: &mut Pad,
) -> io::Result<()> {
    let is_root = top == TopicId::ROOT;
    walk(sheet, top, 0, opts, |step| {
        let Step::Enter(id, depth) = step else {
            return Ok(());
        };
        let t = sheet.topic(id);
        if depth == 0 {
            write_lines(out, ["", ""], "", &t.title)?;
            write_extras(sheet, id, opts, out, "")?;
            if is_root {
                out.write_all(b"\n")?;
            }
        } else {
            // The bullet at 2 * depth spaces; continuation lines two spaces further.
            let cont = pad.get(2 * depth + 2);
            write_lines(out, [&cont[..2 * depth], "• "], cont, &t.title)?;
            write_extras(sheet, id, opts, out, cont)?;
        }
        Ok(())
    })
}

/// Writes `text` with `first[0]` and `first[1]` before its first line and `rest` before the
/// others.
fn write_lines(out: &mut impl Write, first: [&str; 2], rest: &str, text: &str) -> io::Result<()> {
    for (i, line) in text.split('\n').enumerate() {
        if i == 0 {
            out.write_all(first[0].as_bytes())?;
            out.write_all(first[1].as_bytes())?;
        } else {
            out.write_all(rest.as_bytes())?;
        }
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn write_extras(
    sheet: &Sheet,
    id: TopicId,
    opts: &WriteOptions,
    out: &mut impl Write,
    pad: &str,
) -> io::Result<()> {
    let t = sheet.topic(id);
    let more = || format!("{pad}  ");
    if opts.wants(Extra::Labels, false) && !t.labels.is_empty() {
        write_lines(out, [pad, "Labels: "], &more(), &t.labels.join(", "))?;
    }
    if opts.wants(Extra::Markers, false) && !t.markers.is_empty() {
        writeln!(out, "{pad}Markers: {}", t.markers.join(", "))?;
    }
    if opts.wants(Extra::Links, false) {
        if let Some(l) = &t.link {
            write_lines(out, [pad, "Link: "], &more(), &l.href)?;
        }
    }
    if opts.wants(Extra::Images, false) {
        if let Some(img) = &t.image {
            write_lines(out, [pad, "Image: "], &more(), &img.src)?;
        }
    }
    if opts.wants(Extra::Notes, false) {
        if let Some(n) = &t.notes {
            write_lines(out, [pad, "Note: "], &more(), n.plain.trim_end())?;
        }
    }
    if opts.wants(Extra::Comments, false) {
        for c in &t.comments {
            write_lines(
                out,
                [pad, &format!("Comment ({}): ", c.author)],
                &more(),
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
            write_lines(out, [pad, &format!("Summary{covered}: ")], &more(), title)?;
        }
    }
    if opts.wants(Extra::Callouts, false) {
        for &c in &t.callouts {
            write_lines(out, [pad, "Callout: "], &more(), &sheet.topic(c).title)?;
        }
    }
    Ok(())
}
