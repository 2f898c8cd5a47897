//! Readers: one module per input format, all with the same signature (the input's bytes and
//! [`ReadOptions`] in, a [`Document`] out), listed once in [`READERS`]. The command line's `-f`
//! values, extension and content detection and `--list-formats` all read that table.
//!
//! Every reader builds the model without recursion, applies [`Limits::max_depth`] and
//! [`Limits::max_text`], and reports bad input as a typed [`Error`] that names the line and column
//! where the format has lines. Text formats must be UTF-8 (a UTF-8 byte order mark is skipped);
//! other bytes are an [`Error::Encoding`] naming the byte offset, not silently replaced.

pub(crate) mod clean;
mod common;
mod freemind;
mod json;
mod markdown;
mod mermaid;
mod opml;
mod text;
mod xmind;

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek};
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{Document, Source};

/// Safety limits applied while reading. Every limit has a command-line option that changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest uncompressed size of one entry we read (content.json, content.xml, comments.xml),
    /// in bytes. Enforced while decompressing; the size the zip header declares is not trusted.
    /// Default 512 MiB (`--max-size`).
    pub max_entry_size: u64,
    /// Most entries an archive may list. Default 10,000 (`--max-entries`).
    pub max_entries: u64,
    /// Largest ratio of uncompressed to compressed size of an entry, checked while
    /// decompressing once more than 1 MiB came out. Real maps stay under 10. Default 100
    /// (`--max-ratio`).
    pub max_ratio: u64,
    /// Deepest nesting of topics below the root. Default 100,000 (`--max-depth`).
    pub max_depth: usize,
    /// Longest title, label or note, in bytes. Default 16 MiB (`--max-text`).
    pub max_text: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entry_size: 512 << 20,
            max_entries: 10_000,
            max_ratio: 100,
            max_depth: 100_000,
            max_text: 16 << 20,
        }
    }
}

/// Options for reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Safety limits.
    pub limits: Limits,
    /// The password of a password-protected map (XMind 2020 and later encrypt content.json with
    /// it; see `src/read/crypto.rs`).
    pub password: Option<String>,
    /// Also read the files the map stores and refers to (images, attachments) into
    /// [`Document::media`]. Off by default: they can be large and most formats only link them.
    pub media: bool,
    /// The input format, by a [`Reader::name`] or alias (`-f`). `None`: from the file's
    /// extension, else from the content ([`detect`]).
    pub format: Option<String>,
    /// The input's file name without its extension, which titles a map that has no title of
    /// its own (Markdown with several top-level headings and no front matter `title`). Set by
    /// [`read_path_with`] when `None`.
    pub name: Option<String>,
}

/// One input format: its names, the extensions that select it, how to recognise it from its
/// content, and the function that reads it.
pub struct Reader {
    /// The name typed after `-f/--from`, e.g. `"markdown"`.
    pub name: &'static str,
    /// Other names accepted after `-f`, e.g. `&["md"]`.
    pub aliases: &'static [&'static str],
    /// Input-file extensions that select this format when `-f` is absent.
    pub extensions: &'static [&'static str],
    /// One line for `--list-formats`.
    pub description: &'static str,
    /// Whether the start of an input (up to 4 KiB) looks like this format. Tried in table
    /// order; Markdown, last, takes anything.
    pub sniff: fn(&[u8]) -> bool,
    /// Reads the whole input.
    pub read: fn(&[u8], &ReadOptions) -> Result<Document>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Every input format, in the order content detection tries them (and `--list-formats` shows
/// them).
pub static READERS: &[Reader] = &[
    Reader {
        name: "xmind",
        aliases: &[],
        extensions: &["xmind"],
        description: "XMind 3 to 8 (content.xml) and XMind Zen to 2026 (content.json), zipped or bare",
        sniff: common::looks_like_xmind,
        read: |bytes, options| xmind::read(Cursor::new(bytes), options),
    },
    Reader {
        name: "json",
        aliases: &[],
        extensions: &["json"],
        description: "xmindconv's own JSON (what -t json writes; schema/xmindconv.schema.json)",
        sniff: common::looks_like_json,
        read: json::read,
    },
    Reader {
        name: "opml",
        aliases: &[],
        extensions: &["opml"],
        description: "OPML 2.0 outlines: text, _note, links; no DTD, no entities beyond XML's five",
        sniff: |head| common::xml_root_is(head, b"opml"),
        read: opml::read,
    },
    Reader {
        name: "freemind",
        aliases: &["mm"],
        extensions: &["mm"],
        description: "FreeMind / Freeplane maps: text, HTML nodes, notes, links, icons, attributes, arrow links",
        sniff: |head| common::xml_root_is(head, b"map"),
        read: freemind::read,
    },
    Reader {
        name: "mermaid",
        aliases: &["mmd"],
        extensions: &["mmd", "mermaid"],
        description: "Mermaid mindmap: indentation as Mermaid nests it, every shape, #code; entities",
        sniff: mermaid::sniff,
        read: mermaid::read,
    },
    Reader {
        name: "text",
        aliases: &["txt"],
        extensions: &["txt"],
        description: "indented text outlines (tabs or spaces, - * • bullets), and what -t text writes",
        // Any text is some outline: chosen by -f or the extension only.
        sniff: |_| false,
        read: text::read,
    },
    Reader {
        name: "markdown",
        aliases: &["md"],
        extensions: &["md", "markdown"],
        description: "Markdown (CommonMark, GFM tables and task lists): headings and nested lists",
        sniff: |_| true,
        read: markdown::read,
    },
];

/// The reader called `name` (a name or an alias, any case).
pub fn by_name(name: &str) -> Option<&'static Reader> {
    let name = name.to_ascii_lowercase();
    READERS
        .iter()
        .find(|r| r.name == name || r.aliases.contains(&name.as_str()))
}

/// The reader whose extension `path` has (`map.opml` → opml).
pub fn by_extension(path: &Path) -> Option<&'static Reader> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    READERS
        .iter()
        .find(|r| r.extensions.contains(&ext.as_str()))
}

/// The reader whose format the start of an input looks like: a zip (or another archive or
/// binary file, which the XMind reader explains), `<opml`, `<map`, a first line `mindmap`, a
/// JSON object; anything else is Markdown.
pub fn detect(head: &[u8]) -> &'static Reader {
    let head = &head[..head.len().min(4096)];
    READERS
        .iter()
        .find(|r| (r.sniff)(head))
        .unwrap_or(&READERS[READERS.len() - 1])
}

fn chosen(options: &ReadOptions) -> Result<Option<&'static Reader>> {
    match &options.format {
        None => Ok(None),
        Some(name) => by_name(name).map(Some).ok_or_else(|| Error::Unsupported {
            format: "reader",
            message: format!("unknown input format {name:?}"),
        }),
    }
}

/// Reads the map at `path` with default options. The document's `name` is the file name.
pub fn read_path(path: impl AsRef<Path>) -> Result<Document> {
    read_path_with(path, &ReadOptions::default())
}

/// Reads the map at `path`, in the format [`ReadOptions::format`] names, else the one its
/// extension names, else the one its content looks like. The document's `name` is the file name
/// unless the input names its map itself (our JSON does).
pub fn read_path_with(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Document> {
    let path = path.as_ref();
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(Error::Io(std::io::Error::other("is a directory")));
    }
    let mut input = BufReader::with_capacity(64 << 10, file);
    let reader = match chosen(options)?.or_else(|| by_extension(path)) {
        Some(r) => r,
        None => detect(input.fill_buf()?),
    };
    let named;
    let options = if options.name.is_none() {
        let mut o = options.clone();
        o.name = path.file_stem().map(|n| n.to_string_lossy().into_owned());
        named = o;
        &named
    } else {
        options
    };
    let mut doc = if reader.name == "xmind" {
        // Zip archives are read in place, not into memory first.
        xmind::read(input, options)?
    } else {
        let bytes = common::read_all(input, &options.limits)?;
        run(reader, &bytes, options)?
    };
    if doc.name.is_none() {
        doc.name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    }
    Ok(doc)
}

/// Reads a map from the bytes of an input (for example, standard input), with default
/// options: the format is detected from the content.
pub fn read_bytes(bytes: &[u8]) -> Result<Document> {
    read_bytes_with(bytes, &ReadOptions::default())
}

/// Reads a map from the bytes of an input, in the format [`ReadOptions::format`] names, else the
/// one the content looks like.
pub fn read_bytes_with(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let reader = match chosen(options)? {
        Some(r) => r,
        None => detect(bytes),
    };
    run(reader, bytes, options)
}

/// Runs `reader` on the whole input; a map read from another format than `.xmind` or our JSON
/// says which ([`Source::Format`]).
fn run(reader: &Reader, bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    let mut doc = (reader.read)(bytes, options)?;
    if let Some(name) = other_format(reader.name) {
        doc.source = Source::Format(name);
    }
    Ok(doc)
}

/// The reader's own name for `name` when it is an input format other than `.xmind` and our
/// JSON (which name their source themselves).
pub(crate) fn other_format(name: &str) -> Option<&'static str> {
    READERS
        .iter()
        .find(|r| r.name == name && r.name != "xmind" && r.name != "json")
        .map(|r| r.name)
}

/// Reads a map from any seekable reader holding an `.xmind` file.
pub fn read_from<R: Read + Seek>(reader: R, options: &ReadOptions) -> Result<Document> {
    xmind::read(reader, options)
}
