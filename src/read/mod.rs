//! Readers: open an `.xmind` zip, pick the content entry (content.json before content.xml), enforce
//! the safety limits, and build the [`Document`].
//!
//! Detection follows XMind's own rule: when the archive holds `content.json` it is the map, and the
//! `content.xml` next to it is a decoy "Warning" map for old readers that is never read.

pub(crate) mod clean;
mod xmind;

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Document;

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
}

/// Reads the map at `path` with default options. The document's `name` is the file name.
pub fn read_path(path: impl AsRef<Path>) -> Result<Document> {
    read_path_with(path, &ReadOptions::default())
}

/// Reads the map at `path`.
pub fn read_path_with(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Document> {
    let path = path.as_ref();
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(Error::Io(std::io::Error::other("is a directory")));
    }
    let mut doc = read_from(BufReader::with_capacity(64 << 10, file), options)?;
    doc.name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    Ok(doc)
}

/// Reads a map from the bytes of an `.xmind` file (for example, standard input), with default
/// options.
pub fn read_bytes(bytes: &[u8]) -> Result<Document> {
    read_bytes_with(bytes, &ReadOptions::default())
}

/// Reads a map from the bytes of an `.xmind` file.
pub fn read_bytes_with(bytes: &[u8], options: &ReadOptions) -> Result<Document> {
    read_from(Cursor::new(bytes), options)
}

/// Reads a map from any seekable reader holding an `.xmind` file.
pub fn read_from<R: Read + Seek>(reader: R, options: &ReadOptions) -> Result<Document> {
    xmind::read(reader, options)
}
