//! Readers: open an `.xmind` zip, pick the content entry (content.json before content.xml), enforce
//! the safety limits, and build the [`Document`].
//!
//! Detection follows XMind's own rule: when the archive holds `content.json` it is the map, and the
//! `content.xml` next to it is a decoy "Warning" map for old readers that is never read.

mod archive;
mod crypto;
mod finish;
mod json;
mod jsonlex;
mod text;
mod xml;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
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
    let limits = &options.limits;
    let mut content = archive::open(reader, limits, options.password.as_deref())?;
    let mut comments = HashMap::new();
    let mut doc = match content.source {
        Source::Json => match json::parse(&content.text, &content.entry, limits) {
            // No checksum is stored: a wrong password can also decrypt to text that is not JSON.
            Err(Error::Json { entry, .. }) if content.decrypted => {
                return Err(Error::WrongPassword { entry });
            }
            other => other?,
        },
        Source::Xml => {
            let mut doc = xml::parse(&content.text, &content.entry, limits)?;
            if xml::is_warning_stub(&doc) {
                return Err(Error::WarningStub {
                    entry: content.entry,
                });
            }
            if let Some(text) = &content.comments {
                // Comments are secondary: a broken comments.xml must not cost the map.
                match xml::read_comments(text, limits) {
                    Ok(by_object) => comments = by_object,
                    Err(e) => doc.warnings.push(format!("comments were not read: {e}")),
                }
            }
            if let Some(markers) = &content.marker_sheet {
                xml::read_marker_sheet(&mut doc, markers);
            }
            doc
        }
    };
    if doc.sheets.is_empty() {
        return Err(Error::invalid(&content.entry, "the map has no sheets"));
    }
    doc.source = content.source;
    doc.warnings.splice(0..0, content.warnings);
    finish::resolve(&mut doc, comments);
    if options.media {
        if let Some(archive) = content.archive.as_mut() {
            let names = crate::media::referenced(&doc);
            let media =
                archive.read_media(names.iter().map(String::as_str), limits, &mut doc.warnings);
            doc.media = media;
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests;
