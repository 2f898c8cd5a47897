//! Property tests over random documents built in the model: every emitter writes them without
//! error, JSON reads back to the same tree, and text keeps every title its plan writes, in order.

mod common;

use proptest::prelude::*;
use serde_json::Value;
use xmindconv::model::{Document, Sheet, TopicId};
use xmindconv::write::{Event, Plan};
use xmindconv::{Extra, WRITERS, WriteOptions, Writer, write};

/// Titles of a JSON topic and its descendants, as (depth, title) in pre-order, for `children`
/// (attached) only.
fn json_tree(topic: &Value, depth: usize, out: &mut Vec<(usize, String)>) {
    out.push((depth, topic["title"].as_str().unwrap().to_string()));
    for c in topic["children"].as_array().unwrap() {
        json_tree(c, depth + 1, out);
    }
}

fn model_tree(sheet: &Sheet) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    sheet.walk(TopicId::ROOT, |id, d| {
        out.push((d, sheet.topic(id).title.to_string()));
        true
    });
    out
}

/// Every title the plan of `writer` writes, in the order of its walk: each sheet's tree, then
/// the trees of its floating topics whose anchors are written.
fn planned_titles(doc: &Document, writer: &dyn Writer) -> Vec<String> {
    let opts = WriteOptions::default();
    let plan = Plan::new(doc, &opts, writer);
    let mut out = Vec::new();
    for (i, s) in doc.sheets.iter().enumerate() {
        for e in plan.walk(i) {
            if let Event::Enter(e) = e {
                out.push(s.topic(e.id).title.to_string());
            }
        }
    }
    out
}

/// Whether every line of every title occurs in `text`, in order.
fn titles_in_order(text: &str, titles: &[String]) -> Result<(), String> {
    let mut at = 0;
    for t in titles {
        for line in t.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
            match text[at..].find(line) {
                Some(i) => at += i + line.len(),
                None => return Err(format!("{line:?} (of {t:?}) missing after byte {at}")),
            }
        }
    }
    Ok(())
}

/// Every entry of an xlsx archive is well-formed XML, and the worksheet is there (openpyxl reads
/// real workbooks in tests/consumers.rs).
fn workbook_is_well_formed(bytes: &[u8]) -> Result<(), String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).map_err(|e| e.to_string())?;
        let mut r = quick_xml::Reader::from_str(&text);
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(format!("{name}: {e}")),
            }
        }
        names.push(name);
    }
    if !names.iter().any(|n| n == "xl/worksheets/sheet1.xml") {
        return Err(format!("no worksheet in {names:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_emitter_writes_every_document(doc in common::arbitrary::document()) {
        let mut all = WriteOptions::default();
        for e in Extra::ALL {
            all.set(e, true);
        }
        let mut titles = WriteOptions::default();
        titles.titles_only();
        for e in WRITERS {
            for opts in [&WriteOptions::default(), &all, &titles] {
                let mut out = Vec::new();
                match e.write(&doc, opts, &mut out) {
                    // A workbook: a zip of well-formed XML with its worksheet.
                    Ok(()) if e.name() == "xlsx" => {
                        let r = workbook_is_well_formed(&out);
                        prop_assert!(r.is_ok(), "xlsx: {:?}", r.err());
                    }
                    // An archive must read back, with as many sheets.
                    Ok(()) if e.binary() => {
                        let back = xmindconv::read::read_bytes(&out);
                        prop_assert!(back.is_ok(), "{}: {:?}", e.name(), back.err());
                        prop_assert_eq!(back.unwrap().sheets.len(), doc.sheets.len().max(1));
                    }
                    Ok(()) => prop_assert!(
                        std::str::from_utf8(&out).is_ok(),
                        "{} wrote invalid UTF-8",
                        e.name()
                    ),
                    // A one-sheet format (Mermaid) refuses several sheets; each must convert.
                    Err(err) => {
                        prop_assert!(doc.sheets.len() > 1, "{}: {err}", e.name());
                        for s in &doc.sheets {
                            let one = Document { sheets: vec![s.clone()], ..doc.clone() };
                            e.write(&one, opts, &mut Vec::new()).unwrap();
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn json_reads_back_to_the_same_tree(doc in common::arbitrary::document()) {
        let json = write::to_string(write::by_name("json").unwrap(), &doc, &WriteOptions::default()).unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        let sheets = v["sheets"].as_array().unwrap();
        prop_assert_eq!(sheets.len(), doc.sheets.len());
        for (js, s) in sheets.iter().zip(&doc.sheets) {
            prop_assert_eq!(js["title"].as_str().unwrap(), s.title.as_str());
            let mut tree = Vec::new();
            json_tree(&js["root"], 0, &mut tree);
            prop_assert_eq!(tree, model_tree(s));
        }
    }

    #[test]
    fn text_keeps_every_title_in_order(doc in common::arbitrary::document()) {
        let writer = write::by_name("text").unwrap();
        let text = write::to_string(writer, &doc, &WriteOptions::default()).unwrap();
        let r = titles_in_order(&text, &planned_titles(&doc, writer));
        prop_assert!(r.is_ok(), "{}\n{text}", r.unwrap_err());
    }
}

/// The attached tree of every sheet, as (depth, title).
fn trees(doc: &Document) -> Vec<Vec<(usize, String)>> {
    doc.sheets.iter().map(model_tree).collect()
}

fn read_as(format: &str, text: &str) -> Document {
    let mut o = xmindconv::ReadOptions::default();
    o.format = Some(format.into());
    xmindconv::read::read_bytes_with(text.as_bytes(), &o).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Titles made of everything Mermaid could misread (`#35;`, `%%`, `:::`, `::icon(`, brackets,
    /// quotes, `mindmap`, line breaks) come back exactly from our Mermaid, one sheet at a time.
    #[test]
    fn mermaid_reads_back_to_the_same_titles(doc in common::arbitrary::document()) {
        let writer = write::by_name("mermaid").unwrap();
        let mut titles = WriteOptions::default();
        titles.titles_only();
        for s in &doc.sheets {
            let one = Document { sheets: vec![s.clone()], ..doc.clone() };
            let out = write::to_string(writer, &one, &titles).unwrap();
            let back = read_as("mermaid", &out);
            prop_assert_eq!(trees(&back), trees(&one), "{}", out);
        }
    }

    /// The same through our FreeMind, every sheet at once.
    #[test]
    fn freemind_reads_back_to_the_same_titles(doc in common::arbitrary::document()) {
        let writer = write::by_name("freemind").unwrap();
        let mut titles = WriteOptions::default();
        titles.titles_only();
        let out = write::to_string(writer, &doc, &titles).unwrap();
        let back = read_as("freemind", &out);
        prop_assert_eq!(trees(&back), trees(&doc), "{}", out);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any text, made of the characters these formats treat specially, is read or refused by the
    /// FreeMind, Mermaid and text readers, never a panic.
    #[test]
    fn outline_readers_never_panic(pieces in prop::collection::vec(prop::sample::select(vec![
        "mindmap\n", "  ", "\t", "\n", "\r", "\r\n", "a", "中", "😢", "(", ")", "((", "))", "[", "]",
        "{{", "}}", "\"", "`", "\"`", "`\"", "-)", "(-", "::icon(", ":::", "%%", "#35;", "#quot;",
        "&amp;", "&#x1F600;", "<br/>", "• ", "- ", "---\n", "== Sheet 1: x ==\n",
        "<map>", "</map>", "<node TEXT=\"x\">", "</node>", "<richcontent TYPE=\"NODE\">",
        "</richcontent>", "<icon BUILTIN=\"full-1\"/>", "<attribute NAME=\"sheet\" VALUE=\"s\"/>",
        "<arrowlink DESTINATION=\"ID_1\"/>", "ID=\"ID_1\"", "&lol;", "<!DOCTYPE x>",
    ]), 0..40)) {
        let text = pieces.concat();
        read_with_the_outline_readers(&text);
    }

    /// Any text made of the pieces of our Markdown writer's forms (headings, lists, the block
    /// quote of extras, sheet comments, anchors, the floating section) is read or refused,
    /// never a panic.
    #[test]
    fn markdown_reader_never_panics_on_our_forms(pieces in prop::collection::vec(prop::sample::select(vec![
        "# ", "## ", "#### ", "- ", "1. ", "  ", "    ", "\n", "\n\n", "> ", ">", "**", "**Labels:** ",
        "**Markers:** ", "**Note:**", "**Note:** ", "**Link:** ", "**File link:** ",
        "**Topic link:** ", " (no such topic)", "**Comment (a, 2024-01-01):** ", "**Callout:** ",
        "**Summary (a … b):** ", "![image](x.png)", "[t](#topic-x)", "<a id=\"topic-x\"></a>",
        "<!-- Sheet 1: x -->\n", "Floating topics", "P1, 50%", "1️⃣ ◑", "a", "中", "\\", "|", "```",
        "[ ] ", "[x] ", "&nbsp;", "---\ntitle: t\n---\n", "\r",
    ]), 0..60)) {
        let text = pieces.concat();
        read_with_the_outline_readers(&text);
    }

    /// The same for any text at all.
    #[test]
    fn outline_readers_never_panic_on_any_text(text in any::<String>()) {
        read_with_the_outline_readers(&text);
    }
}

/// Reads `text` as FreeMind, Mermaid, text, Markdown and OPML; any result but a panic will do.
fn read_with_the_outline_readers(text: &str) {
    for format in ["freemind", "mermaid", "text", "markdown", "opml"] {
        let mut o = xmindconv::ReadOptions::default();
        o.format = Some(format.into());
        let _ = xmindconv::read::read_bytes_with(text.as_bytes(), &o);
    }
}
