//! xmindconv reads XMind mind maps of every generation (XMind 3 to 8 `content.xml`, XMind Zen and
//! XMind 2020 to 2026 `content.json`) into one outline model and writes it in other formats.
//!
//! ```
//! use xmindconv::{write, read_path, WriteOptions};
//!
//! let doc = read_path("fixtures/大模型发展.xmind")?;
//! assert_eq!(doc.sheets[0].root().title, "大模型");
//! let text = write::to_string(write::by_name("text").unwrap(), &doc, &WriteOptions::default())?;
//! assert!(text.starts_with("大模型发展.xmind\n大模型\n\n  • RNN"));
//! # Ok::<(), xmindconv::Error>(())
//! ```
//!
//! The library has no command-line dependencies; the `xmindconv` binary (feature `cli`) adds them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base64;
mod error;
pub mod markers;
pub mod media;
pub mod model;
mod notes;
pub mod read;
mod url;
pub mod write;
mod xml;

pub use error::{Error, Result};
pub use model::{Document, Sheet, Topic, TopicId};
pub use read::{Limits, ReadOptions, read_bytes, read_path};
pub use write::{Extra, WRITERS, WriteOptions, Writer};
