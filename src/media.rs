//! Files stored inside a map (images, attachments): which archive entries a document refers to,
//! and safe relative paths for writing them out.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::model::{Document, LinkKind};

/// The archive entries the document refers to with `xap:` (topic images, attachment links,
/// images inside rich notes), in sorted order, as their paths in the archive.
pub fn referenced(doc: &Document) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |src: &str| {
        if let Some(entry) = src.trim().strip_prefix("xap:") {
            if !entry.is_empty() {
                out.insert(entry.to_string());
            }
        }
    };
    for sheet in &doc.sheets {
        for t in &sheet.topics {
            if let Some(img) = &t.image {
                add(&img.src);
            }
            if let Some(l) = t.link.as_ref().filter(|l| l.kind == LinkKind::Attachment) {
                add(&l.href);
            }
            if let Some(html) = t.notes.as_ref().and_then(|n| n.html.as_deref()) {
                for src in crate::notes::references(html) {
                    add(&src);
                }
            }
        }
    }
    out
}

/// A relative path under which an archive entry can be written safely: only normal components
/// (no root, no drive, no `..`, no `.`), backslashes treated as separators. `None` when nothing
/// is left.
pub fn safe_path(entry: &str) -> Option<PathBuf> {
    let unified = entry.replace('\\', "/");
    let mut out = PathBuf::new();
    for part in unified.split('/') {
        let p = Path::new(part);
        match p.components().next() {
            Some(Component::Normal(name)) if p.components().count() == 1 => {
                let name = name.to_string_lossy();
                // A drive (`C:`) or any name with `:` (special on Windows) is dropped.
                if name.contains(':') || name.trim().is_empty() {
                    continue;
                }
                out.push(name.as_ref());
            }
            _ => continue,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Notes, Sheet};

    #[test]
    fn images_in_rich_notes_are_found_however_quoted() {
        // B2: `src='…'` and `src=…` were missed, though the writers link to them.
        let mut s = Sheet::new("root");
        s.topics[0].notes = Some(Box::new(Notes {
            plain: "".into(),
            html: Some(
                "<p><img src='xap:resources/q.png'><IMG SRC=xap:resources/u.png>\
                 <img src=\"xap:resources/d.png\"></p>"
                    .into(),
            ),
        }));
        let doc = Document {
            sheets: vec![s],
            ..Document::default()
        };
        let found: Vec<String> = referenced(&doc).into_iter().collect();
        assert_eq!(
            found,
            ["resources/d.png", "resources/q.png", "resources/u.png"]
        );
    }

    #[test]
    fn hostile_entry_names_stay_inside_the_folder() {
        let p = |s| safe_path(s).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(p("resources/ab.png").as_deref(), Some("resources/ab.png"));
        assert_eq!(p("../../etc/passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(p("/etc/passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(
            p("..\\..\\windows\\system.ini").as_deref(),
            Some("windows/system.ini")
        );
        assert_eq!(p("C:/boot.ini").as_deref(), Some("boot.ini"));
        assert_eq!(p("./a/./b").as_deref(), Some("a/b"));
        assert_eq!(p("..").as_deref(), None);
        assert_eq!(p("").as_deref(), None);
    }
}
