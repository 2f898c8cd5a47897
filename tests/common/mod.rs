//! Helpers shared by the integration tests: build .xmind archives in memory.

#![allow(dead_code)]

use std::io::Write;

/// A zip archive with these entries (deflated).
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
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

/// content.json of one sheet whose root has a chain of `depth` topics below it.
pub fn deep_json(depth: usize) -> String {
    let mut s = String::from("[{\"title\":\"Deep\",\"rootTopic\":{\"title\":\"root\"");
    for i in 1..=depth {
        s.push_str(&format!(
            ",\"children\":{{\"attached\":[{{\"title\":\"level {i}\""
        ));
    }
    for _ in 0..depth {
        s.push_str("}]}");
    }
    s.push_str("}}]");
    s
}

/// content.xml of one sheet whose root has a chain of `depth` topics below it.
pub fn deep_xml(depth: usize) -> String {
    let mut s =
        String::from("<xmap-content version=\"2.0\"><sheet id=\"s\"><topic><title>root</title>");
    for i in 1..=depth {
        s.push_str(&format!(
            "<children><topics type=\"attached\"><topic><title>level {i}</title>"
        ));
    }
    for _ in 0..depth {
        s.push_str("</topic></topics></children>");
    }
    s.push_str("</topic><title>Deep</title></sheet></xmap-content>");
    s
}
