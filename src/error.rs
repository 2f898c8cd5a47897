//! The library's typed error: every way reading a map can fail, with messages that name the zip
//! entry and the position. The binary adds the file name in front.

use std::fmt;
use std::io;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Why a map could not be read.
///
/// Messages are lower-case, one line, with no trailing period, and name the archive entry and
/// position where that applies. The command-line tool prints them as
/// `xmindconv: FILE: MESSAGE`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the input, or writing the output, failed.
    #[error("{0}")]
    Io(#[from] io::Error),

    /// The input is not a zip archive at all; `what` says what it looks like instead.
    #[error("not an XMind file: {what}")]
    NotZip {
        /// e.g. "a 7-Zip archive", "a Git LFS pointer file (the real file was never downloaded)"
        what: String,
    },

    /// The zip container is damaged.
    #[error("damaged zip archive: {0}")]
    BadZip(String),

    /// Neither `content.json` nor `content.xml` is in the archive.
    #[error(
        "no content.json or content.xml in the archive (entries: {entries}); is this an XMind file?"
    )]
    NoContent {
        /// A short list of what the archive holds.
        entries: String,
    },

    /// The map is password-protected and no password was given.
    #[error(
        "the map is password-protected ({entry} is encrypted){hint}; give the password with --password"
    )]
    Encrypted {
        /// The encrypted entry.
        entry: String,
        /// `, password hint: "…"` or empty.
        hint: String,
    },

    /// The password does not decrypt the map.
    #[error("wrong password: {entry} does not decrypt")]
    WrongPassword {
        /// The encrypted entry.
        entry: String,
    },

    /// The map is encrypted in a way this crate cannot decrypt.
    #[error("{entry} is encrypted with {what}, which xmindconv cannot decrypt")]
    UnsupportedEncryption {
        /// The encrypted entry.
        entry: String,
        /// The scheme.
        what: String,
    },

    /// The archive holds only XMind's "Warning" placeholder map, whose content.json is missing.
    #[error(
        "{entry} is only XMind's \"Warning\" placeholder map and the archive has no content.json"
    )]
    WarningStub {
        /// Usually `content.xml`.
        entry: String,
    },

    /// The content entry is not valid JSON, or has the wrong shape.
    #[error("{entry}: invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// The entry name.
        entry: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong.
        message: String,
    },

    /// The content entry is not well-formed XML.
    #[error("{entry}: invalid XML at byte {offset}: {message}")]
    Xml {
        /// The entry name.
        entry: String,
        /// Byte offset in the entry.
        offset: u64,
        /// What was wrong.
        message: String,
    },

    /// The content is valid JSON or XML but not an XMind map.
    #[error("{entry}: {message}")]
    Invalid {
        /// The entry name.
        entry: String,
        /// What was wrong.
        message: String,
    },

    /// A configured safety limit was exceeded.
    #[error("{entry}: {what} exceeds the limit of {limit} ({option} raises it)")]
    Limit {
        /// The entry (or `archive`).
        entry: String,
        /// e.g. "uncompressed size", "nesting depth".
        what: &'static str,
        /// The limit, formatted with its unit.
        limit: String,
        /// The command-line option that raises it.
        option: &'static str,
    },

    /// A text input (Markdown, OPML, FreeMind, Mermaid, our JSON) is malformed.
    #[error("invalid {format} at line {line}, column {column}: {message}")]
    Syntax {
        /// The input format, as a reader name (`json`, `opml`, …).
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What was wrong.
        message: String,
    },

    /// Well-formed input that breaks the format's schema (our JSON), at a JSON path such as
    /// `sheets[0].root.children[2].title`.
    #[error("{format}: at {path}: {message}")]
    Schema {
        /// The input format.
        format: &'static str,
        /// Where, as a JSON path.
        path: String,
        /// What was wrong.
        message: String,
    },

    /// A text input is not UTF-8. No reader guesses another encoding or replaces bytes.
    #[error(
        "{format}: the input is not UTF-8: invalid byte at offset {offset} (line {line}); convert it to UTF-8"
    )]
    Encoding {
        /// The input format.
        format: &'static str,
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line of that byte.
        line: usize,
    },

    /// The input is empty (or only white space).
    #[error("the input is empty: there is no map to read")]
    Empty {
        /// The input format.
        format: &'static str,
    },

    /// A writer cannot hold this document (a Mermaid mindmap holds one sheet).
    #[error("{message}")]
    Unsupported {
        /// The writer's name.
        format: &'static str,
        /// Why, and what to do instead.
        message: String,
    },

    /// The output would pass [`crate::write::WriteOptions::max_output`].
    #[error("{}", output_limit(format, *limit, *deepest, *depth, *need))]
    OutputLimit {
        /// The writer's name.
        format: &'static str,
        /// The limit, in bytes.
        limit: u64,
        /// Levels below the root of the deepest topic the options would write.
        deepest: usize,
        /// The largest `--depth` whose output fits, when one does.
        depth: Option<usize>,
        /// The size the output was known to need before writing; `None` when writing passed the
        /// limit.
        need: Option<u64>,
    },
}

fn output_limit(
    format: &str,
    limit: u64,
    deepest: usize,
    depth: Option<usize>,
    need: Option<u64>,
) -> String {
    let size = |b: u64| {
        if b < 1 << 20 {
            format!("{b} bytes")
        } else {
            format!("{} MiB", b.div_ceil(1 << 20))
        }
    };
    let json = if format == "json" {
        ""
    } else {
        ", or use -t json"
    };
    match need {
        Some(n) => {
            let fewer = match depth {
                Some(d) => format!("--depth {d}"),
                None => "--depth".to_string(),
            };
            format!(
                "{format} output would take at least {}, over the --max-output limit of {}: the \
                 map is {deepest} levels deep and each level indents everything below it further; write \
                 fewer levels with {fewer}{json}",
                size(n),
                size(limit)
            )
        }
        None => format!(
            "{format} output passed the --max-output limit of {} (the map is {deepest} levels \
             deep); write fewer levels with --depth{json}, or raise the limit",
            size(limit)
        ),
    }
}

impl Error {
    pub(crate) fn invalid(entry: &str, message: impl fmt::Display) -> Error {
        Error::Invalid {
            entry: entry.to_string(),
            message: message.to_string(),
        }
    }
}
