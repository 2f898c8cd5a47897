//! Writers: one module per output format, all with the same signature, listed once in
//! [`WRITERS`]. The command line's `-t` values, `-o` extension inference, `--list-formats` and the
//! snapshot tests all read that table.
//!
//! What a run writes is decided in one place, [`Plan`]: which sheets, which topics down to
//! [`WriteOptions::depth`], which extras (each writer's defaults, declared by
//! [`Writer::default_extras`], overridden by [`WriteOptions::set`]), where relationships and
//! anchors go. Every writer then walks the plan ([`Plan::walk`]) instead of the model, so that
//! every format writes the same topics for the same options.
//!
//! ```
//! use xmindconv::write::{self, Markdown, Writer, WriteOptions};
//!
//! let doc = xmindconv::read_path("fixtures/大模型发展.xmind")?;
//! let mut out = Vec::new();
//! Markdown.write(&doc, &WriteOptions::default(), &mut out)?;
//! assert!(out.starts_with("# 大模型".as_bytes()));
//! # Ok::<(), xmindconv::Error>(())
//! ```

mod csv;
mod dot;
mod fmt;
pub(crate) mod freemind;
mod html;
mod ids;
mod json;
mod markdown;
mod mermaid;
mod opml;
mod org;
mod package;
mod plan;
mod plantuml;
mod rows;
mod testcase;
mod testlink;
mod text;
mod xlsx;
mod xmind;
mod xmind8;
mod zentao;

use std::io::{self, Write};
use std::path::Path;

use crate::error::{Error, Result};
pub use crate::markers::MarkerStyle;
use crate::model::Document;
pub use csv::Csv;
pub use dot::Dot;
pub use freemind::FreeMind;
pub use html::Html;
pub use json::Json;
pub use markdown::Markdown;
pub use mermaid::Mermaid;
pub use opml::Opml;
pub use org::Org;
pub use plan::{Entry, Event, Order, Plan, Role, Walk};
pub use plantuml::PlantUml;
pub use rows::TableStyle;
/// The old name of [`TableStyle`].
pub type CsvStyle = TableStyle;
pub use testlink::TestLink;
pub use text::Text;
pub use xlsx::Xlsx;
pub use xmind::Xmind;
pub use xmind8::Xmind8;
pub use zentao::Zentao;

/// An output format.
///
/// A writer declares what it can hold and what it writes by default; [`Writer::write`] makes the
/// [`Plan`] from the options and hands it to [`Writer::write_plan`], which is the format itself.
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
    /// The extras this format writes unless told otherwise.
    fn default_extras(&self) -> &'static [Extra] {
        &Extra::ALL
    }
    /// The extras this format has a place for at all; the others are never written, whatever
    /// the options say.
    fn carries(&self) -> &'static [Extra] {
        &Extra::ALL
    }
    /// Whether the summary topics and callouts below a topic come before its attached children
    /// (formats that write them with the topic's own extras) or after them.
    fn order(&self) -> Order {
        Order::ChildrenFirst
    }
    /// Whether this format embeds the files stored in the map (images, attachments), so that
    /// the map should be read with [`crate::read::ReadOptions::media`] to fill
    /// [`Document::media`]. The command line does so for such formats.
    fn wants_media(&self) -> bool {
        false
    }
    /// Whether the output is a binary file (an archive), which the command line refuses to
    /// write to a terminal.
    fn binary(&self) -> bool {
        false
    }
    /// A lower bound of the size in bytes of what [`Writer::write_plan`] writes, from the shape
    /// of the plan alone (for an indented format, the indentation: [`Plan::indentation`]).
    /// Checked against [`WriteOptions::max_output`] before anything is written.
    fn min_size(&self, plan: &Plan<'_>) -> u64 {
        let _ = plan;
        0
    }
    /// Whether, with `opts`, this format writes test cases by xmind2testcase's rules
    /// (`src/write/testcase.rs`) rather than the topics of the plan: it then writes some of the
    /// planned topics (joined into case names, steps, results) and leaves others out, but never
    /// one the plan does not walk.
    fn writes_test_cases(&self, opts: &WriteOptions) -> bool {
        let _ = opts;
        false
    }
    /// What `-v` says about writing `doc` with `opts` in this format (a map without test cases
    /// in a test-case format); nothing by default.
    fn warnings(&self, doc: &Document, opts: &WriteOptions) -> Vec<String> {
        let _ = (doc, opts);
        Vec::new()
    }
    /// Writes what `plan` says to `out`. Output is buffered by the writer: `out` may be a raw
    /// file.
    fn write_plan(&self, plan: &Plan<'_>, out: &mut dyn Write) -> Result<()>;
    /// Writes `doc` to `out`: the plan for `opts`, its size checked, then the format.
    fn write(&self, doc: &Document, opts: &WriteOptions, out: &mut dyn Write) -> Result<()> {
        run(self, doc, opts, out)
    }
}

impl std::fmt::Debug for dyn Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Every output format, in the order `--list-formats` shows them.
pub static WRITERS: &[&dyn Writer] = &[
    &Markdown, // the default format
    &Json, &Text, &Opml, &Mermaid, &FreeMind, &Org, &PlantUml, &Dot, &Html, &Csv, &Xlsx, &Xmind,
    &Xmind8, &TestLink, &Zentao,
];

/// The writer called `name` (a name or an alias, any case).
pub fn by_name(name: &str) -> Option<&'static dyn Writer> {
    let name = name.to_ascii_lowercase();
    WRITERS
        .iter()
        .copied()
        .find(|e| e.name() == name || e.aliases().contains(&name.as_str()))
}

/// The writer whose extension `path` has (`out.md` → markdown).
pub fn by_extension(path: &Path) -> Option<&'static dyn Writer> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    WRITERS
        .iter()
        .copied()
        .find(|e| e.extensions().contains(&ext.as_str()))
}

/// Runs a writer into a `String`. Fails only when the writer refuses the document (Mermaid
/// with several sheets) or the output passes [`WriteOptions::max_output`].
pub fn to_string(writer: &dyn Writer, doc: &Document, opts: &WriteOptions) -> Result<String> {
    let mut out = Vec::new();
    writer.write(doc, opts, &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Parts of a map besides the titles and the tree of attached topics. Each writer has its own
/// default for each ([`Writer::default_extras`]); [`WriteOptions`] can force any of them on or
/// off.
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

    /// Position in [`Extra::ALL`].
    fn index(self) -> usize {
        self as usize
    }
}

/// Options shared by every writer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteOptions {
    /// Write topics down to this many levels below the root (`Some(0)`: the root only).
    /// Floating topics count one level below the topic they hang from.
    pub depth: Option<usize>,
    /// Markdown: how many levels, counting the root, are headings (`#` to `######`); deeper
    /// topics are nested `- ` lists. `Some(0)`: every topic, the root too, is a list item.
    /// `None`: the default, 2 (the root is `#`, main topics `##`). Values above 6 count as 6.
    pub heading_levels: Option<usize>,
    /// How markers are written by writers that write them as text: words (`P1`, `50%`,
    /// `red flag`) or emoji. The mapping is in [`crate::markers`].
    pub marker_style: MarkerStyle,
    /// The folder `--extract-media` wrote the map's stored files to: `xap:` references become
    /// links into it (`DIR/resources/…`). `None`: they are written as their path in the archive
    /// (`resources/…`). See [`WriteOptions::media_link`].
    pub media_dir: Option<String>,
    /// CSV and xlsx (`--table-style`, also `--csv-style`): the shape of the rows: one per
    /// root-to-leaf path (the default) or one per test case.
    pub table_style: TableStyle,
    /// CSV: start with a UTF-8 byte order mark, which Excel needs to read UTF-8.
    pub csv_bom: bool,
    /// CSV: write cells that start like a formula (`=`, `+`, `-`, `@`, tab, carriage return) as
    /// they are. By default such a cell gets a `'` in front, so that spreadsheets do not run it.
    pub csv_keep_formulas: bool,
    /// The most bytes a writer may write (`--max-output`, default 1 GiB). An indented format
    /// on a very deep map would write far more than the map holds (the indentation grows with
    /// the square of the depth): such a run fails with [`Error::OutputLimit`] before writing
    /// anything when the plan shows it, else as soon as the limit is passed.
    pub max_output: u64,
    /// Forced choices for extras; `None` leaves the writer's default.
    include: [Option<bool>; Extra::ALL.len()],
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions {
            depth: None,
            heading_levels: None,
            marker_style: MarkerStyle::default(),
            media_dir: None,
            table_style: TableStyle::default(),
            csv_bom: false,
            csv_keep_formulas: false,
            max_output: 1 << 30,
            include: [None; Extra::ALL.len()],
        }
    }
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

    /// Whether `extra` is written by a writer whose default for it is `default`.
    pub fn wants(&self, extra: Extra, default: bool) -> bool {
        self.include[extra.index()].unwrap_or(default)
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

    /// Whether a topic at `depth` below the root is written.
    pub fn within_depth(&self, depth: usize) -> bool {
        self.depth.is_none_or(|m| depth <= m)
    }
}

/// Plans, checks the size, and writes: the body of [`Writer::write`].
fn run<W: Writer + ?Sized>(
    writer: &W,
    doc: &Document,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<()> {
    let plan = Plan::new(doc, opts, writer);
    let need = writer.min_size(&plan);
    if need > opts.max_output {
        return Err(too_big(writer, doc, opts, Some(need)));
    }
    let mut limited = Limited {
        out,
        left: opts.max_output,
        over: false,
    };
    match writer.write_plan(&plan, &mut limited) {
        Err(_) if limited.over => Err(too_big(writer, doc, opts, None)),
        other => other,
    }
}

/// The error for an output past [`WriteOptions::max_output`]; `need` is the size the plan showed
/// before writing, `None` when writing passed the limit. Names how deep the map is and the
/// largest `--depth` that fits, found by planning again with smaller depths (only on this path).
fn too_big<W: Writer + ?Sized>(
    writer: &W,
    doc: &Document,
    opts: &WriteOptions,
    need: Option<u64>,
) -> Error {
    let deepest = Plan::new(doc, opts, writer).deepest();
    let fits = |depth: usize| {
        let mut o = opts.clone();
        o.depth = Some(depth);
        writer.min_size(&Plan::new(doc, &o, writer)) <= opts.max_output
    };
    let (mut lo, mut hi) = (0usize, deepest);
    // The largest depth that fits, when some smaller depth fits at all.
    let depth = if fits(0) && need.is_some() {
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if fits(mid) { lo = mid } else { hi = mid - 1 }
        }
        Some(lo)
    } else {
        None
    };
    Error::OutputLimit {
        format: writer.name(),
        limit: opts.max_output,
        deepest,
        depth,
        need,
    }
}

/// A writer that fails once more than `left` bytes are written to it.
struct Limited<'a> {
    out: &'a mut dyn Write,
    left: u64,
    /// The limit was passed (the error it gave is then [`Error::OutputLimit`]).
    over: bool,
}

impl Write for Limited<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check(buf.len())?;
        let n = self.out.write(buf)?;
        self.left -= n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.check(buf.len())?;
        self.out.write_all(buf)?;
        self.left -= buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Limited<'_> {
    fn check(&mut self, len: usize) -> io::Result<()> {
        if len as u64 > self.left {
            self.over = true;
            return Err(io::Error::other("output limit"));
        }
        Ok(())
    }
}

/// Buffers many small writes to a `dyn Write` in one `String` handed on in blocks: the writers
/// build their text in it (escaping straight into it), and it is written out whenever it holds
/// [`Buf::BLOCK`] bytes or more (whole pieces: the last one may take it past).
pub(crate) struct Buf<'o> {
    pub s: String,
    out: &'o mut dyn Write,
}

impl<'o> Buf<'o> {
    /// Larger than the command line's own buffer (64 KiB), so that blocks pass through it
    /// without being copied again.
    const BLOCK: usize = 64 << 10;

    pub fn new(out: &'o mut dyn Write) -> Self {
        Buf {
            s: String::with_capacity(Self::BLOCK + (8 << 10)),
            out,
        }
    }

    /// Hands the text on when a block is full.
    pub fn flush_full(&mut self) -> io::Result<()> {
        if self.s.len() >= Self::BLOCK {
            self.out.write_all(self.s.as_bytes())?;
            self.s.clear();
        }
        Ok(())
    }

    /// Hands all the text on.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(self.s.as_bytes())?;
        self.s.clear();
        self.out.flush()
    }
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
                // XMind 8 files are `.xmind` too; `-o map.xmind` picks XMind 2020+, the first.
                // Zentao's import is a `.csv`; `-o cases.csv` picks -t csv.
                let shared = (e.name() == "xmind8" && *x == "xmind")
                    || (e.name() == "zentao" && *x == "csv");
                assert!(exts.insert(*x) || shared, "extension {x} is used twice");
            }
        }
    }

    /// A root with a chain of `depth` topics below it.
    fn chain(depth: usize) -> Document {
        let mut s = crate::model::Sheet::new("root");
        let mut parent = crate::model::TopicId::ROOT;
        for i in 0..depth {
            parent = s.add(
                parent,
                crate::model::TopicKind::Attached,
                crate::model::Topic::new(format!("t{i}")),
            );
        }
        Document {
            sheets: vec![s],
            ..Document::default()
        }
    }

    #[test]
    fn indented_output_of_a_deep_chain_is_refused_before_writing() {
        let doc = chain(100_000);
        let opts = WriteOptions::default();
        for w in [
            &Markdown as &dyn Writer,
            &Text,
            &Mermaid,
            &Opml,
            &Org,
            &PlantUml,
        ] {
            let mut out = Vec::new();
            let err = w.write(&doc, &opts, &mut out).unwrap_err();
            assert!(out.is_empty(), "{} wrote {} bytes", w.name(), out.len());
            let Error::OutputLimit {
                depth: Some(d),
                deepest,
                ..
            } = err
            else {
                panic!("{}: {err}", w.name());
            };
            assert_eq!(deepest, 100_000);
            // The suggested depth fits, one more does not.
            let mut o = opts.clone();
            o.depth = Some(d);
            assert!(w.min_size(&Plan::new(&doc, &o, w)) <= opts.max_output);
            o.depth = Some(d + 1);
            assert!(w.min_size(&Plan::new(&doc, &o, w)) > opts.max_output);
            assert!(err.to_string().contains(&format!("--depth {d}")), "{err}");
        }
        // Flat formats write it.
        for w in [&Json as &dyn Writer, &FreeMind, &Dot, &Html, &Csv] {
            w.write(&doc, &opts, &mut io::sink()).unwrap();
        }
    }

    #[test]
    fn output_past_the_limit_stops_while_writing() {
        let doc = chain(1_000);
        let opts = WriteOptions {
            max_output: 10_000,
            ..WriteOptions::default()
        };
        let err = to_string(&Json, &doc, &opts).unwrap_err();
        assert!(
            matches!(err, Error::OutputLimit { need: None, .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "json output passed the --max-output limit of 10000 bytes (the map is 1000 levels \
             deep); write fewer levels with --depth, or raise the limit"
        );
    }

    #[test]
    fn extra_index_is_its_place_in_all() {
        for (i, e) in Extra::ALL.into_iter().enumerate() {
            assert_eq!(e.index(), i);
        }
    }
}
