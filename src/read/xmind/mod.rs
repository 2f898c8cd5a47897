//! The XMind reader: open an `.xmind` zip, pick the content entry (content.json before
//! content.xml), enforce the safety limits, and build the [`Document`].
//!
//! Detection follows XMind's own rule: when the archive holds `content.json` it is the map, and
//! the `content.xml` next to it is a decoy "Warning" map for old readers that is never read.

mod archive;
mod crypto;
pub(super) mod finish;
mod json;
pub(super) mod jsonlex;
mod xml;
mod xmlscan;

use std::collections::HashMap;
use std::io::{Read, Seek};

use super::ReadOptions;
use crate::error::{Error, Result};
use crate::model::{Document, Source};

/// Reads a map from any seekable reader holding an `.xmind` file.
pub(crate) fn read<R: Read + Seek>(reader: R, options: &ReadOptions) -> Result<Document> {
    let limits = &options.limits;
    let mut content = archive::open(reader, limits, options.password.as_deref())?;
    let mut comments = HashMap::new();
    let mut doc = match content.source {
        // An archive's content is content.json or content.xml: `archive::open` never gives
        // another source.
        Source::Json | Source::Format(_) => {
            let text = content.text.text(&content.entry, &mut content.warnings);
            match json::parse(&text, &content.entry, limits) {
                // No checksum is stored: a wrong password can also decrypt to text that is not JSON.
                Err(Error::Json { entry, .. }) if content.decrypted => {
                    return Err(Error::WrongPassword { entry });
                }
                other => other?,
            }
        }
        Source::Xml => {
            let text = content.text.text(&content.entry, &mut content.warnings);
            let mut doc = xml::parse(&text, &content.entry, limits)?;
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
