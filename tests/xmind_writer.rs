//! `-t xmind` (issue 13): every fixture and corpus map written as XMind 2020+ reads back to the
//! same model (our `-t json` of both equal, ids and resource paths aside), the same input always
//! gives the same bytes, deep maps and the command line. validate-xmind and xmindparser check the
//! same files in tests/consumers.rs.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;
use xmindconv::read::{self, ReadOptions};
use xmindconv::write::{self, Writer, Xmind, Xmind8};
use xmindconv::{Document, WriteOptions};

const BIN: &str = env!("CARGO_BIN_EXE_xmindconv");

/// Every readable `.xmind` in fixtures/ and in the shared corpus (required with
/// `XMINDCONV_REQUIRE_CORPUS`).
fn maps() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in std::iter::once(root.join("fixtures")).chain(common::corpus_dir()) {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "xmind") && read::read_path(&p).is_ok() {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 8, "too few maps: {out:?}");
    out
}

fn with_media(path: &std::path::Path) -> Document {
    let mut o = ReadOptions::default();
    o.media = true;
    read::read_path_with(path, &o).unwrap()
}

fn xmind(doc: &Document) -> Vec<u8> {
    let mut out = Vec::new();
    Xmind
        .write(doc, &WriteOptions::default(), &mut out)
        .unwrap();
    out
}

/// Our JSON of `doc`, without what a rewrite changes by design: ids, `xap:` paths, the name and
/// source, and what the docs say `-t xmind` cannot carry (relationships with an end that is
/// neither a topic nor a boundary, boundaries without a usable range, summaries without a topic
/// or range).
fn comparable(doc: &Document) -> Value {
    let text = write::to_string(
        write::by_name("json").unwrap(),
        doc,
        &WriteOptions::default(),
    )
    .unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("name");
    o.remove("source");
    for sheet in o["sheets"].as_array_mut().unwrap() {
        let s = sheet.as_object_mut().unwrap();
        s.remove("id");
        // The ids of the sheet's topics and boundaries: what a relationship end may name.
        let mut ends = std::collections::HashSet::new();
        let mut stack = vec![&s["root"]];
        while let Some(x) = stack.pop() {
            match x {
                Value::Object(m) => {
                    if let Some(Value::String(id)) = m.get("id") {
                        ends.insert(id.clone());
                    }
                    stack.extend(m.values());
                }
                Value::Array(a) => stack.extend(a.iter()),
                _ => {}
            }
        }
        let rels = s["relationships"].as_array_mut().unwrap();
        rels.retain(|r| {
            r["resolved"] == true
                || [&r["end1"], &r["end2"]]
                    .iter()
                    .all(|e| e.as_str().is_some_and(|e| ends.contains(e)))
        });
        for r in rels {
            for k in ["id", "end1", "end2"] {
                r.as_object_mut().unwrap().remove(k);
            }
        }
    }
    let mut stack = vec![&mut v];
    while let Some(x) = stack.pop() {
        match x {
            Value::Object(m) => {
                m.remove("id");
                if let Some(Value::Array(b)) = m.get_mut("boundaries") {
                    b.retain(|b| b.get("master").is_some() || b.get("start").is_some());
                    if b.is_empty() {
                        m.remove("boundaries");
                    }
                }
                if let Some(Value::Array(v)) = m.get_mut("summaries") {
                    v.retain(|s| !s["topic"].is_null() && !s["start"].is_null());
                    if v.is_empty() {
                        m.remove("summaries");
                    }
                }
                if let Some(Value::Object(l)) = m.get_mut("link") {
                    if l["kind"] == "topic" {
                        l.remove("href");
                    }
                }
                stack.extend(m.values_mut());
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            Value::String(s) if s.contains("xap:") => {
                *s = xap_free(s);
            }
            _ => {}
        }
    }
    v
}

/// `s` with every `xap:` reference cut to `xap:`.
fn xap_free(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("xap:") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let end = rest
            .find(|c: char| c == '"' || c == '\'' || c == '>' || c.is_whitespace())
            .unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_map_written_as_xmind_reads_back_to_the_same_model() {
    let mut failures = Vec::new();
    for map in maps() {
        let doc = with_media(&map);
        let bytes = xmind(&doc);
        let mut o = ReadOptions::default();
        o.media = true;
        let back = read::read_bytes_with(&bytes, &o).unwrap();
        let (want, got) = (comparable(&doc), comparable(&back));
        if want != got {
            let (w, g) = (want.to_string(), got.to_string());
            let at = w.bytes().zip(g.bytes()).take_while(|(a, b)| a == b).count();
            let around = |s: &str| {
                let from = s.floor_char_boundary(at.saturating_sub(120));
                let to = s.ceil_char_boundary((at + 120).min(s.len()));
                s[from..to].to_string()
            };
            failures.push(format!(
                "{}:\n  {}\n  {}",
                map.display(),
                around(&w),
                around(&g)
            ));
        }
        // Every stored file the new map refers to is in the new archive (files with the same
        // bytes become one).
        for entry in xmindconv::media::referenced(&back) {
            assert!(
                back.media.contains_key(&entry),
                "{}: {entry}",
                map.display()
            );
        }
        // And the same bytes again: nothing depends on time, hashing or threads.
        assert_eq!(bytes, xmind(&doc), "{} written twice", map.display());
    }
    assert!(failures.is_empty(), "not the same model: {failures:#?}");
}

#[test]
fn the_seed_survives_byte_for_byte() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = read::read_path(root.join("fixtures/大模型发展.xmind")).unwrap();
    let mut back = read::read_bytes(&xmind(&doc)).unwrap();
    back.name = doc.name.clone();
    let text = |d: &Document| {
        write::to_string(write::by_name("text").unwrap(), d, &WriteOptions::default()).unwrap()
    };
    assert_eq!(text(&back), text(&doc));
    let seed = std::fs::read_to_string(root.join("fixtures/大模型发展.txt")).unwrap();
    assert_eq!(text(&back).trim_end(), seed.trim_end());
}

#[test]
fn a_10000_level_chain_comes_back_whole() {
    let bytes = common::zip(&[("content.json", common::deep_json(10_000).as_bytes())]);
    let doc = read::read_bytes(&bytes).unwrap();
    let back = read::read_bytes(&xmind(&doc)).unwrap();
    let sheet = &back.sheets[0];
    assert_eq!(sheet.len(), 10_001);
    let last = sheet
        .topics
        .iter()
        .find(|t| t.title == "level 10000")
        .unwrap();
    assert!(last.children.is_empty());
}

#[test]
fn ids_stay_unique_and_links_follow_them() {
    use xmindconv::model::{Link, Relationship, Sheet, Topic, TopicKind};
    let mut s = Sheet::new("root");
    s.id = "same".into();
    let a = s.add(xmindconv::model::TopicId::ROOT, TopicKind::Attached, {
        let mut t = Topic::new("a");
        t.id = "same".into();
        t
    });
    let b = s.add(
        xmindconv::model::TopicId::ROOT,
        TopicKind::Attached,
        Topic::new("b"),
    );
    s.topics[b.index()].link = Some(Box::new(Link::new("xmind:#same")));
    s.relationships.push(Relationship {
        end1: "same".into(),
        end2: String::new(),
        from: Some(a),
        to: Some(b),
        ..Relationship::default()
    });
    let doc = Document {
        sheets: vec![s],
        ..Document::default()
    };
    let back = read::read_bytes(&xmind(&doc)).unwrap();
    let s = &back.sheets[0];
    let ids: std::collections::BTreeSet<&str> = s
        .topics
        .iter()
        .map(|t| t.id.as_str())
        .chain([s.id.as_str()])
        .collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert_eq!(s.id, "same");
    let a = s.topics.iter().position(|t| t.title == "a").unwrap();
    let b = s.topics.iter().position(|t| t.title == "b").unwrap();
    assert_eq!(s.topics[a].id, "same_2");
    let link = s.topics[b].link.as_ref().unwrap();
    assert_eq!(link.target.map(|r| r.topic.index()), Some(a), "{link:?}");
    let r = &s.relationships[0];
    assert_eq!(
        (r.from.map(|t| t.index()), r.to.map(|t| t.index())),
        (Some(a), Some(b))
    );
}

/// XMind draws relationship lines to boundaries too (cathy's welcome map does): such an end
/// keeps pointing at its boundary, through a renamed id, in both writers.
#[test]
fn relationships_to_boundaries_follow_the_boundary() {
    use xmindconv::model::{
        Boundary, BoundaryRange, Relationship, Sheet, Topic, TopicId, TopicKind,
    };
    let mut s = Sheet::new("root");
    s.topics[0].id = "dup".into();
    let a = s.add(TopicId::ROOT, TopicKind::Attached, {
        let mut t = Topic::new("a");
        t.id = "ta".into();
        t
    });
    // The boundary's id repeats a topic's: the writer renames it, and the end follows.
    s.topics[a.index()].boundaries.push(Boundary {
        id: "dup".into(),
        range: BoundaryRange::Master,
        title: "box".into(),
    });
    s.relationships.push(Relationship {
        end1: "ta".into(),
        end2: "dup".into(),
        from: Some(a),
        to: None,
        title: "to the box".into(),
        ..Relationship::default()
    });
    let doc = Document {
        sheets: vec![s],
        ..Document::default()
    };
    for bytes in [xmind(&doc), {
        let mut out = Vec::new();
        Xmind8
            .write(&doc, &WriteOptions::default(), &mut out)
            .unwrap();
        out
    }] {
        let back = read::read_bytes(&bytes).unwrap();
        let s = &back.sheets[0];
        let a = s.topics.iter().find(|t| t.title == "a").unwrap();
        let box_id = &a.boundaries[0].id;
        assert_eq!(box_id, "dup_2");
        assert_eq!(s.relationships.len(), 1);
        let r = &s.relationships[0];
        assert_eq!((r.end1.as_str(), r.end2.as_str()), ("ta", "dup_2"));
        assert_eq!(r.title, "to the box");
    }
}

#[test]
fn the_command_line_infers_refuses_and_writes_one_file_per_input() {
    let dir = tempfile::tempdir().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seed = root.join("fixtures/大模型发展.xmind");
    let out = dir.path().join("new.xmind");
    let o = Command::new(BIN)
        .arg(&seed)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK\x03\x04"));
    // Markdown in, XMind out, through a pipe.
    let md = dir.path().join("notes.md");
    std::fs::write(&md, "# Trip\n\n- Book\n  - flights\n").unwrap();
    let o = Command::new(BIN)
        .args(["-t", "xmind"])
        .arg(&md)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(o.status.success());
    let back = read::read_bytes(&o.stdout).unwrap();
    assert_eq!(back.sheets[0].root().title, "Trip");
    // Several inputs: one file each in a folder; onto standard output: refused.
    let folder = dir.path().join("out/");
    let o = Command::new(BIN)
        .args(["-t", "xmind"])
        .arg(&seed)
        .arg(&md)
        .arg("-o")
        .arg(&folder)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(folder.join("大模型发展.xmind").is_file());
    assert!(folder.join("notes.xmind").is_file());
    let o = Command::new(BIN)
        .args(["-t", "xmind"])
        .arg(&seed)
        .arg(&md)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("need -o to name a folder"));
}

/// Rich notes change shape in XMind 8's XHTML (`div` becomes `p`, `b` becomes `strong`): what
/// must survive is their text, and everything else but the names of custom markers, whose
/// icons the model does not hold (see docs/formats/xmind8.md).
fn without_rich_notes(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("marker_names");
    let mut stack = vec![&mut v];
    while let Some(x) = stack.pop() {
        match x {
            Value::Object(m) => {
                if let Some(Value::Object(n)) = m.get_mut("notes") {
                    n.remove("html");
                }
                stack.extend(m.values_mut());
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            _ => {}
        }
    }
    v
}

#[test]
fn every_map_written_as_xmind8_reads_back_to_the_same_model() {
    let mut failures = Vec::new();
    for map in maps() {
        let doc = with_media(&map);
        let mut bytes = Vec::new();
        Xmind8
            .write(&doc, &WriteOptions::default(), &mut bytes)
            .unwrap();
        let mut o = ReadOptions::default();
        o.media = true;
        let back = read::read_bytes_with(&bytes, &o).unwrap();
        assert_eq!(back.source, xmindconv::model::Source::Xml);
        let (want, got) = (
            without_rich_notes(comparable(&doc)),
            without_rich_notes(comparable(&back)),
        );
        if want != got {
            let (w, g) = (want.to_string(), got.to_string());
            let at = w.bytes().zip(g.bytes()).take_while(|(a, b)| a == b).count();
            let around = |s: &str| {
                let from = s.floor_char_boundary(at.saturating_sub(120));
                let to = s.ceil_char_boundary((at + 120).min(s.len()));
                s[from..to].to_string()
            };
            failures.push(format!(
                "{}:\n  {}\n  {}",
                map.display(),
                around(&w),
                around(&g)
            ));
        }
        // Rich notes stay rich.
        for (a, b) in doc.sheets.iter().zip(&back.sheets) {
            let rich = |s: &xmindconv::Sheet| -> Vec<bool> {
                s.topics
                    .iter()
                    .map(|t| t.notes.as_ref().is_some_and(|n| n.html.is_some()))
                    .collect()
            };
            assert_eq!(rich(a), rich(b), "{}", map.display());
        }
        let mut again = Vec::new();
        Xmind8
            .write(&doc, &WriteOptions::default(), &mut again)
            .unwrap();
        assert_eq!(bytes, again, "{} written twice", map.display());
    }
    assert!(failures.is_empty(), "not the same model: {failures:#?}");
}
