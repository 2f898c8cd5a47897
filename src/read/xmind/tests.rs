//! Reader unit tests on small archives built in memory.

use std::io::Write;

use super::*;
use crate::model::{LinkKind, TopicKind};
use crate::read::read_bytes;

pub(crate) fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
    buf.into_inner()
}

#[test]
fn json_map_with_every_kind_of_child() {
    let json = r#"[{"id":"s1","title":"Plan","rootTopic":{"id":"t0","title":"Trip",
      "children":{"attached":[
        {"id":"t1","title":"Book\r\nflights","markers":[{"markerId":"priority-1"}],
         "notes":{"plain":{"content":"Use miles\n"},"realHTML":{"content":"<div>Use miles</div>"}}},
        {"id":"t2","title":"Hotel","labels":["paid"],"href":"xmind:#t1","branch":"folded"},
        {"id":"t3","title":"Visa","image":{"src":"xap:resources/a.png","width":120,"height":80}}],
        "summary":[{"id":"t4","title":"Before June"}],
        "detached":[{"id":"t5","title":"Ideas","position":{"x":1,"y":2}}],
        "callout":[{"id":"t6","title":"Hey"}]},
      "summaries":[{"id":"m1","range":"(0,2)","topicId":"t4"}],
      "boundaries":[{"id":"b1","range":"(1,2)","title":"Money"}]},
      "relationships":[{"id":"r1","end1Id":"t2","end2Id":"t5","title":"see"},
                       {"id":"r2","end1Id":"t2","end2Id":"gone"}]}]"#;
    let doc = read_bytes(&zip(&[("content.json", json.as_bytes())])).unwrap();
    let s = &doc.sheets[0];
    let root = s.root();
    assert_eq!(root.title, "Trip");
    let titles: Vec<&str> = root
        .children
        .iter()
        .map(|&c| s.topic(c).title.as_str())
        .collect();
    assert_eq!(titles, ["Book\nflights", "Hotel", "Visa"]);
    let t1 = s.topic(root.children[0]);
    assert_eq!(t1.markers, ["priority-1"]);
    assert_eq!(t1.notes.as_ref().unwrap().plain, "Use miles\n");
    let t2 = s.topic(root.children[1]);
    assert!(t2.folded);
    let link = t2.link.as_ref().unwrap();
    assert_eq!(link.kind, LinkKind::Topic);
    assert_eq!(link.target.unwrap().topic, root.children[0]);
    assert_eq!(root.summaries.len(), 1);
    let summary = &root.summaries[0];
    assert_eq!(summary.range.map(|r| (r.start, r.end)), Some((0, 2)));
    assert_eq!(s.topic(summary.topic.unwrap()).title, "Before June");
    assert_eq!(s.topic(root.floating[0]).kind, TopicKind::Floating);
    assert_eq!(s.topic(root.callouts[0]).title, "Hey");
    assert_eq!(root.boundaries[0].title, "Money");
    assert_eq!(s.relationships.len(), 2);
    assert!(s.relationships[0].to.is_some());
    assert!(s.relationships[1].to.is_none());
}

#[test]
fn content_json_wins_over_the_decoy_content_xml() {
    let xml = br#"<xmap-content><sheet id="x"><topic id="1vr0lcte2og4t2sopiogvdmifc"><title>Warning</title></topic></sheet></xmap-content>"#;
    let json = br#"[{"rootTopic":{"title":"Real"}}]"#;
    let doc = read_bytes(&zip(&[("content.xml", xml), ("content.json", json)])).unwrap();
    assert_eq!(doc.sheets[0].root().title, "Real");
    let err = read_bytes(&zip(&[("content.xml", xml)])).unwrap_err();
    assert!(matches!(err, Error::WarningStub { .. }), "{err}");
}

#[test]
fn deep_json_chain_reads_without_overflow() {
    let depth = 20_000;
    let mut s = String::from("[{\"rootTopic\":");
    for i in 0..depth {
        s.push_str(&format!(
            "{{\"title\":\"{i}\",\"children\":{{\"attached\":["
        ));
    }
    s.push_str("{\"title\":\"leaf\"}");
    for _ in 0..depth {
        s.push_str("]}}");
    }
    s.push_str("}]");
    let doc = read_bytes(s.as_bytes()).unwrap();
    assert_eq!(doc.sheets[0].topics.len(), depth + 1);
}

#[test]
fn deep_xml_chain_reads_without_overflow() {
    let depth = 20_000;
    let mut s = String::from("<xmap-content><sheet>");
    for i in 0..depth {
        s.push_str(&format!(
            "<topic><title>{i}</title><children><topics type=\"attached\">"
        ));
    }
    s.push_str("<topic><title>leaf</title></topic>");
    for _ in 0..depth {
        s.push_str("</topics></children></topic>");
    }
    s.push_str("</sheet></xmap-content>");
    let doc = read_bytes(s.as_bytes()).unwrap();
    assert_eq!(doc.sheets[0].topics.len(), depth + 1);
}

#[test]
fn xml_attributes_that_are_not_kept_are_still_checked() {
    let xml = |attrs: &str| {
        format!(
            r#"<xmap-content><sheet><topic id="r" {attrs}><title>t</title><marker-refs><marker-ref marker-id="flag&#45;red" x="&#1;"/></marker-refs></topic></sheet></xmap-content>"#
        )
    };
    let doc = read_bytes(xml(r#"timestamp="1" xlink:href="a&amp;b""#).as_bytes()).unwrap();
    let root = doc.sheets[0].root();
    assert_eq!(root.link.as_ref().unwrap().href, "a&b");
    assert_eq!(root.markers, ["flag-red"]);
    // One control character, in an attribute that is not kept.
    assert_eq!(
        doc.warnings,
        ["content.xml: characters XML 1.0 cannot carry were removed from 1 texts"]
    );
    let doc = read_bytes(xml(r#"timestamp="1&#2;" foo="a&#x3;""#).as_bytes()).unwrap();
    assert_eq!(
        doc.warnings,
        ["content.xml: characters XML 1.0 cannot carry were removed from 3 texts"]
    );
    let err = read_bytes(xml(r#"timestamp="&bogus;""#).as_bytes()).unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
    let err = read_bytes(xml(r#"timestamp="1" timestamp="2""#).as_bytes()).unwrap_err();
    assert!(err.to_string().contains("content.xml"), "{err}");
}

/// B1: both readers take image sizes through one number parser; a size that is no finite number
/// is no size, and the JSON written from it stays valid JSON.
#[test]
fn image_sizes_that_are_not_numbers_are_dropped_by_both_readers() {
    let xml = r#"<xmap-content xmlns:svg="http://www.w3.org/2000/svg" xmlns:xhtml="http://www.w3.org/1999/xhtml"><sheet><topic id="r"><title>t</title><xhtml:img xhtml:src="xap:attachments/a.png" svg:width="NaN" svg:height="inf"/></topic></sheet></xmap-content>"#;
    let json = r#"[{"id":"s","rootTopic":{"id":"r","title":"t","image":{"src":"xap:resources/a.png","width":"NaN","height":1e999}}}]"#;
    for doc in [
        read_bytes(&zip(&[("content.xml", xml.as_bytes())])).unwrap(),
        read_bytes(&zip(&[("content.json", json.as_bytes())])).unwrap(),
    ] {
        let image = doc.sheets[0].root().image.as_ref().expect("an image");
        assert!(image.src.ends_with("a.png"), "{}", image.src);
        assert_eq!((image.width, image.height), (None, None));
        let out = crate::write::to_string(
            &crate::write::Json,
            &doc,
            &crate::write::WriteOptions::default(),
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
        assert!(out.contains("a.png") && !out.contains("NaN"), "{v}");
    }
}

/// Item 5: the user's invisible characters are kept; only what XML 1.0 cannot carry goes, with
/// a warning.
#[test]
fn zero_width_spaces_are_kept_and_forbidden_characters_warned() {
    let json =
        "[{\"id\":\"s\",\"rootTopic\":{\"id\":\"r\",\"title\":\"a\\u200Bb\\uFEFF\\u0007\"}}]";
    let doc = read_bytes(&zip(&[("content.json", json.as_bytes())])).unwrap();
    assert_eq!(doc.sheets[0].root().title, "a\u{200B}b\u{FEFF}");
    assert_eq!(
        doc.warnings,
        ["content.json: characters XML 1.0 cannot carry were removed from 1 texts"]
    );
}

/// Titles are kept as decoded only when nothing in the document can need cleaning: a character
/// reference to a CR, a raw CR, a control or a U+FFFF elsewhere in the document all still give
/// clean titles, in both formats (where a plain document reads its titles as they are).
#[test]
fn titles_are_cleaned_whenever_the_document_could_need_it() {
    let xml = |title: &str, elsewhere: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0" version="2.0"><sheet id="s"><topic id="r"><title>{title}</title><children><topics type="attached"><topic id="c"><title>{elsewhere}</title></topic></topics></children></topic><title>S</title></sheet></xmap-content>"#
        )
    };
    let json = |title: &str, elsewhere: &str| {
        format!(
            r#"[{{"id":"s","title":"S","rootTopic":{{"id":"r","title":"{title}","children":{{"attached":[{{"id":"c","title":"{elsewhere}"}}]}}}}}}]"#
        )
    };
    let cases = [
        // (content.xml title, content.json title, what is read)
        ("a&#13;b", "a\\rb", "a\nb"),
        ("a\r\nb", "a\r\nb", "a\nb"),
        ("a\u{FFFF}b", "a\u{FFFF}b", "ab"),
        ("a\u{1}b", "a\\u0001b", "ab"),
        ("a &amp; b，中", "a & b，中", "a & b，中"),
    ];
    for (x, j, want) in cases {
        for elsewhere in ["plain", "x\u{FFFE}y"] {
            let d = read_bytes(&zip(&[("content.xml", xml(x, elsewhere).as_bytes())])).unwrap();
            assert_eq!(
                d.sheets[0].topics[0].title.as_str(),
                want,
                "content.xml {x:?}"
            );
            let d = read_bytes(&zip(&[("content.json", json(j, elsewhere).as_bytes())])).unwrap();
            assert_eq!(
                d.sheets[0].topics[0].title.as_str(),
                want,
                "content.json {j:?}"
            );
        }
    }
}
