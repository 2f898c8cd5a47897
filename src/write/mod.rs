//! Emitters: one file per output format, all with the same signature, listed once in
//! [`WRITERS`]. The command line's `-t` values, `-o` extension inference, `--list-formats` and the
//! snapshot tests all read that table.
//!
//! Adding a format: write `src/emit/<format>.rs` with a unit struct implementing [`Writer`], then
//! add `mod <format>;` and one line to [`WRITERS`].

mod csv;
mod dot;
mod freemind;
mod html;
mod json;
mod markdown;
mod mermaid;
mod opml;
mod org;
mod outline;
mod plantuml;
mod shared;
mod text;

use std::io::{self, Write};
use std::path::Path;

pub use crate::markers::MarkerStyle;
use crate::model::{Document, Sheet, TopicId};
pub use csv::CsvStyle;

/// An output format.
pub trait Writer: Sync {
    /// The name typed after `-t/--to`, e.g. `"markdown"`.
    fn name(&self) -> &'static str;
    /// Other names accepted after `-t`, e.g. `&["md"]`.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    /// Output-file extensions that select this format when `-t` is absent (first one is used
    /// when writing one file per input into a folder).
    fn extensions(&self) -> &'static [&'static str];
    /// One line for `--list-formats`.
    fn description(&self) -> &'static str;
    /// Whether this format embeds the files stored in the map (images, attachments), so that
    /// the map should be read with [`crate::read::ReadOptions::media`] to fill
    /// [`Document::media`]. The command line does so for such formats.
    fn wants_media(&self) -> bool {
        false
    }
    /// Writes `doc` to `out`.
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> io::Result<()>;
}

impl std::fmt::Debug for dyn Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Every output format, in the order `--list-formats` shows them.
pub static WRITERS: &[&dyn Writer] = &[
    &markdown::Markdown, // the default format
    &json::Json,
    &text::Text,
    &opml::Opml,
    &mermaid::Mermaid,
    &freemind::FreeMind,
    &org::Org,
    &plantuml::PlantUml,
    &dot::Dot,
    &html::Html,
    &csv::Csv,
];

/// The emitter called `name` (a name or an alias, any case).
pub fn by_name(name: &str) -> Option<&'static dyn Writer> {
    let name = name.to_ascii_lowercase();
    WRITERS
        .iter()
        .copied()
        .find(|e| e.name() == name || e.aliases().contains(&name.as_str()))
}

/// The emitter whose extension `path` has (`out.md` → markdown).
pub fn by_extension(path: &Path) -> Option<&'static dyn Writer> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    WRITERS
        .iter()
        .copied()
        .find(|e| e.extensions().contains(&ext.as_str()))
}

/// Runs an emitter into a `String`. Fails only when the emitter refuses the document (Mermaid
/// with several sheets), since writing to memory cannot fail.
pub fn to_string(emitter: &dyn Writer, doc: &Document, opts: &WriteOptions) -> io::Result<String> {
    let mut out = Vec::new();
    emitter.write(doc, opts, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Parts of a map besides the titles and the tree of attached topics. Each emitter has its own
/// default for each; [`WriteOptions`] can force any of them on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Extra {
    /// Floating (detached) topics.
    Floating,
    /// Notes.
    Notes,
    /// Labels.
    Labels,
    /// Markers (priority, task progress, flags, …).
    Markers,
    /// Hyperlinks of every kind.
    Links,
    /// Topic images.
    Images,
    /// Summaries and their summary topics.
    Summaries,
    /// Boundaries.
    Boundaries,
    /// Callouts.
    Callouts,
    /// Relationships.
    Relationships,
    /// Comments.
    Comments,
}

impl Extra {
    /// Every extra, in the order of [`Extra::name`].
    pub const ALL: [Extra; 11] = [
        Extra::Floating,
        Extra::Notes,
        Extra::Labels,
        Extra::Markers,
        Extra::Links,
        Extra::Images,
        Extra::Summaries,
        Extra::Boundaries,
        Extra::Callouts,
        Extra::Relationships,
        Extra::Comments,
    ];

    /// The name used on the command line (`--with notes`).
    pub fn name(self) -> &'static str {
        match self {
            Extra::Floating => "floating",
            Extra::Notes => "notes",
            Extra::Labels => "labels",
            Extra::Markers => "markers",
            Extra::Links => "links",
            Extra::Images => "images",
            Extra::Summaries => "summaries",
            Extra::Boundaries => "boundaries",
            Extra::Callouts => "callouts",
            Extra::Relationships => "relationships",
            Extra::Comments => "comments",
        }
    }

    /// The extra with this name.
    pub fn from_name(name: &str) -> Option<Extra> {
        Extra::ALL.into_iter().find(|e| e.name() == name)
    }

    fn index(self) -> usize {
        Extra::ALL.iter().position(|&e| e == self).unwrap_or(0)
    }
}

/// Options shared by every emitter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteOptions {
    /// Write topics down to this many levels below the root (`Some(0)`: the root only).
    pub depth: Option<usize>,
    /// Markdown: how many levels, counting the root, are headings (`#` to `######`); deeper
    /// topics are nested `- ` lists. `Some(0)`: every topic, the root too, is a list item.
    /// `None`: the default, 2 (the root is `#`, main topics `##`). Values above 6 count as 6.
    pub heading_levels: Option<usize>,
    /// How markers are written by emitters that write them as text: words (`P1`, `50%`,
    /// `red flag`) or emoji. The mapping is in [`crate::markers`].
    pub marker_style: MarkerStyle,
    /// The folder `--extract-media` wrote the map's stored files to: `xap:` references become
    /// links into it (`DIR/resources/…`). `None`: they are written as their path in the archive
    /// (`resources/…`). See [`WriteOptions::media_link`].
    pub media_dir: Option<String>,
    /// CSV: the shape of the rows: one per root-to-leaf path (the default) or one per test case.
    pub csv_style: CsvStyle,
    /// CSV: start with a UTF-8 byte order mark, which Excel needs to read UTF-8.
    pub csv_bom: bool,
    /// CSV: write cells that start like a formula (`=`, `+`, `-`, `@`, tab, carriage return) as
    /// they are. By default such a cell gets a `'` in front, so that spreadsheets do not run it.
    pub csv_keep_formulas: bool,
    /// Forced choices for extras; `None` leaves the emitter's default.
    include: [Option<bool>; Extra::ALL.len()],
}

impl WriteOptions {
    /// Forces an extra on or off.
    pub fn set(&mut self, extra: Extra, on: bool) -> &mut Self {
        self.include[extra.index()] = Some(on);
        self
    }

    /// Turns every extra off: titles and the tree of attached topics only.
    pub fn titles_only(&mut self) -> &mut Self {
        for e in Extra::ALL {
            self.set(e, false);
        }
        self
    }

    /// The link to write for an image source or attachment: a stored file (`xap:resources/a.png`)
    /// becomes `resources/a.png`, or `DIR/resources/a.png` when [`WriteOptions::media_dir`] is
    /// set (the same safe path the files were extracted to); other sources are unchanged.
    pub fn media_link(&self, src: &str) -> String {
        let src = src.trim();
        let Some(entry) = src.strip_prefix("xap:") else {
            return src.to_string();
        };
        let path = crate::media::safe_path(entry)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        match &self.media_dir {
            Some(dir) => format!("{}/{path}", dir.trim_end_matches('/')),
            None => path,
        }
    }

    /// Whether to write `extra`, given the emitter's default.
    pub fn wants(&self, extra: Extra, default: bool) -> bool {
        self.include[extra.index()].unwrap_or(default)
    }

    /// Whether a topic at `depth` below the root is written.
    pub fn within_depth(&self, depth: usize) -> bool {
        self.depth.is_none_or(|m| depth <= m)
    }
}

/// One step of a depth-first walk over attached topics: entering a topic, or leaving it after
/// all its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Enter(TopicId, usize),
    Leave(TopicId, usize),
}

/// Depth-first walk over `start` and its attached children down to `opts.depth` (depth
/// counted from the root, `start` at `depth`), with an explicit stack.
pub(crate) fn walk(
    sheet: &Sheet,
    start: TopicId,
    depth: usize,
    opts: &WriteOptions,
    mut f: impl FnMut(Step) -> io::Result<()>,
) -> io::Result<()> {
    let mut stack = vec![Step::Enter(start, depth)];
    while let Some(step) = stack.pop() {
        f(step)?;
        if let Step::Enter(id, d) = step {
            stack.push(Step::Leave(id, d));
            if opts.within_depth(d + 1) {
                let children = &sheet.topic(id).children;
                stack.extend(children.iter().rev().map(|&c| Step::Enter(c, d + 1)));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_extensions_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in WRITERS {
            for n in std::iter::once(e.name()).chain(e.aliases().iter().copied()) {
                assert!(seen.insert(n), "{n} is used twice");
            }
        }
        let mut exts = std::collections::HashSet::new();
        for e in WRITERS {
            for x in e.extensions() {
                assert!(exts.insert(*x), "extension {x} is used twice");
            }
        }
    }
}
