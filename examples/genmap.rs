//! Deterministic generator of large XMind maps for the benchmark (`bench/run.sh`).
//!
//! ```sh
//! cargo run --release --example genmap -- --topics 100000 --flavour json -o big.xmind
//! cargo run --release --example genmap -- --topics 100000 --flavour xml -o big8.xmind
//! ```
//!
//! The same map is written in either flavour:
//! - `json`: `content.json` as XMind 2020 and later write it (ids of 26 characters,
//!   `"class":"topic"`, notes as `plain` + `realHTML`, `markers[].markerId`, comments in the
//!   old Zen shape), plus `metadata.json`, `manifest.json` and the "Warning" `content.xml`
//!   decoy. XMind 2021 and later **store** their entries uncompressed, so the default
//!   method is `stored`.
//! - `xml`: `content.xml` as XMind 8 writes it (`<topics type=…>`, `<notes><html>`+`<plain>`,
//!   `<marker-refs>`, `xlink:href`, `timestamp` attributes), `comments.xml`, `meta.xml` and
//!   `META-INF/manifest.xml`. XMind 8 **deflates** every entry (level 6, like Java's
//!   `ZipOutputStream`), so the default method is `deflated`.
//!
//! `--method stored|deflated` overrides the method of every entry.
//!
//! Shape, for N topics: 1% of them form one chain hanging from the root (a deep branch: 100
//! levels at 10k topics, 1,000 at 100k, 10,000 at 1M); the rest is a tree with 10 children per
//! topic, filled level by level (about 4 levels at 10k, 5 at 100k, 6 at 1M). Some leaves are
//! floating topics, callouts and summary topics instead of attached ones. Every topic has a
//! title of one or two words after its number (some Chinese, some on two lines, some with characters to
//! escape); regularly spaced topics have notes, labels, markers, web and topic links, images,
//! comments, boundaries and summaries; one topic in 1,000 starts a relationship. The output is
//! the same bytes on every run.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    Json,
    Xml,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Attached,
    Floating,
    Callout,
    Summary,
}

/// The shape of the map: which topics exist and how they hang together, computed from the
/// index alone (no per-topic storage).
struct Shape {
    /// All topics: root 0, tree 1..tree, chain tree..n.
    n: u32,
    /// End of the 10-ary tree part.
    tree: u32,
}

const FANOUT: u32 = 10;

impl Shape {
    fn new(n: u32) -> Shape {
        let n = n.max(1);
        let chain = if n >= 200 { n / 100 } else { 0 };
        Shape { n, tree: n - chain }
    }

    /// Children of `j` in document order (every kind mixed; see [`Shape::kind`]).
    fn children(&self, j: u32) -> Vec<u32> {
        let mut out = Vec::new();
        if j < self.tree {
            let first = j as u64 * FANOUT as u64 + 1;
            let last = (first + FANOUT as u64).min(self.tree as u64);
            out.extend((first..last).map(|c| c as u32));
            if j == 0 && self.tree < self.n {
                out.push(self.tree); // head of the chain
            }
        } else if j + 1 < self.n {
            out.push(j + 1);
        }
        out
    }

    fn is_leaf(&self, j: u32) -> bool {
        self.children(j).is_empty()
    }

    /// Leaves of the tree part are sometimes floating topics, callouts or summary topics.
    fn kind(&self, j: u32) -> Kind {
        if j == 0 || j >= self.tree || !self.is_leaf(j) {
            return Kind::Attached;
        }
        if j % 997 == 0 {
            Kind::Summary
        } else if j % 1009 == 0 {
            Kind::Callout
        } else if j % 1999 == 0 {
            Kind::Floating
        } else {
            Kind::Attached
        }
    }
}

fn mix(mut x: u64) -> u64 {
    // splitmix64
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A 26-character id like the ones XMind writes (`1vr0lcte2og4t2sopiogvdmifc`).
fn topic_id(j: u32) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuv";
    let mut s = String::with_capacity(26);
    let mut bits = 0;
    for i in 0..26 {
        if i % 12 == 0 {
            bits = mix(j as u64 ^ (i as u64) << 40);
        }
        s.push(ALPHABET[(bits & 31) as usize] as char);
        bits >>= 5;
    }
    s
}

const WORDS: &[&str] = &[
    "plan", "review", "budget", "research", "design", "market", "launch", "customer", "feedback",
    "roadmap", "testing", "quality", "training", "hiring", "metrics", "strategy", "risk",
    "partner", "legal", "support",
];
const CJK: &[&str] = &[
    "研究", "设计", "市场", "预算", "测试", "客户", "计划", "模型",
];

fn title(j: u32) -> String {
    if j == 0 {
        return "Benchmark map".into();
    }
    let r = mix(j as u64 ^ 0x5EED);
    let words = 1 + (r % 2) as usize;
    let mut s = format!("Topic {j}");
    for w in 0..words {
        let k = (r >> (8 + 5 * w)) as usize;
        if j % 17 == 0 {
            s.push_str(CJK[k % CJK.len()]);
        } else {
            s.push(' ');
            s.push_str(WORDS[k % WORDS.len()]);
        }
    }
    if j % 29 == 0 {
        s.push_str("\nsecond line");
    }
    if j % 31 == 0 {
        s.push_str(" & \"quoted\" <tag>");
    }
    if j % 101 == 0 {
        s.push('\u{200B}'); // XMind 2024 appends this to some titles it re-saves
    }
    s
}

struct Extras {
    note: Option<String>,
    labels: Vec<String>,
    markers: Vec<&'static str>,
    href: Option<String>,
    image: bool,
    comments: Vec<(String, i64, String)>,
    folded: bool,
}

fn extras(shape: &Shape, j: u32) -> Extras {
    let leaf = shape.is_leaf(j);
    Extras {
        note: (j % 20 == 3).then(|| format!("Note {j}: check the numbers.\nDecide by Friday.")),
        labels: match j % 7 {
            2 => vec![format!("label {}", j % 13)],
            5 if j % 3 == 0 => vec!["urgent".into(), format!("team {}", j % 5)],
            _ => Vec::new(),
        },
        markers: match j % 5 {
            1 => vec!["priority-1"],
            4 if j % 4 == 0 => vec!["task-half", "flag-red"],
            _ => Vec::new(),
        },
        href: if j % 11 == 4 {
            Some(format!("https://example.com/wiki/page-{j}?a=1&b=2"))
        } else if j % 53 == 5 {
            Some(format!("xmind:#{}", topic_id(j / 2)))
        } else {
            None
        },
        image: j % 500 == 42,
        comments: if j % 50 == 9 {
            let mut c = vec![(
                "Ann".into(),
                1_700_000_000_000 + j as i64,
                format!("Comment on {j}: looks good"),
            )];
            if j % 100 == 9 {
                c.push((
                    "李雷".into(),
                    1_700_000_100_000 + j as i64,
                    "再确认一下".into(),
                ));
            }
            c
        } else {
            Vec::new()
        },
        folded: !leaf && j % 97 == 96,
    }
}

// ---------------------------------------------------------------------------------------------
// content.json

fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

enum Task {
    Topic(u32),
    Raw(String),
}

fn content_json(shape: &Shape) -> String {
    let mut out = String::with_capacity(shape.n as usize * 120);
    out.push_str(r#"[{"id":""#);
    out.push_str(&topic_id(u32::MAX));
    out.push_str(r#"","class":"sheet","title":"Sheet 1","rootTopic":"#);
    let mut stack = vec![Task::Topic(0)];
    while let Some(task) = stack.pop() {
        let j = match task {
            Task::Raw(s) => {
                out.push_str(&s);
                continue;
            }
            Task::Topic(j) => j,
        };
        let x = extras(shape, j);
        out.push_str(r#"{"id":""#);
        out.push_str(&topic_id(j));
        out.push_str(r#"","class":"topic","title":"#);
        json_str(&mut out, &title(j));
        if j == 0 {
            out.push_str(r#","structureClass":"org.xmind.ui.map.unbalanced""#);
        }
        if let Some(note) = &x.note {
            out.push_str(r#","notes":{"plain":{"content":"#);
            json_str(&mut out, note);
            out.push_str(r#"},"realHTML":{"content":"#);
            json_str(
                &mut out,
                &format!("<div>{}</div>", note.replace('\n', "<br>")),
            );
            out.push_str("}}");
        }
        if !x.labels.is_empty() {
            out.push_str(r#","labels":["#);
            for (i, l) in x.labels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(&mut out, l);
            }
            out.push(']');
        }
        if !x.markers.is_empty() {
            out.push_str(r#","markers":["#);
            for (i, m) in x.markers.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, r#"{{"markerId":"{m}"}}"#);
            }
            out.push(']');
        }
        if let Some(h) = &x.href {
            out.push_str(r#","href":"#);
            json_str(&mut out, h);
        }
        if x.image {
            let _ = write!(
                out,
                r#","image":{{"src":"xap:resources/{}.png","width":120,"height":80}}"#,
                topic_id(j ^ 0x1234)
            );
        }
        if !x.comments.is_empty() {
            out.push_str(r#","comments":["#);
            for (i, (author, time, content)) in x.comments.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(r#"{"author":"#);
                json_str(&mut out, author);
                let _ = write!(out, r#","creationTime":{time},"content":"#);
                json_str(&mut out, content);
                out.push('}');
            }
            out.push(']');
        }
        if x.folded {
            out.push_str(r#","branch":"folded""#);
        }

        // Everything after the scalar keys goes on the stack, last part first.
        let kids = shape.children(j);
        let mut tail: Vec<Task> = Vec::new();
        if !kids.is_empty() {
            tail.push(Task::Raw(r#","children":{"#.into()));
            let mut first_group = true;
            for (kind, key) in [
                (Kind::Attached, "attached"),
                (Kind::Floating, "detached"),
                (Kind::Summary, "summary"),
                (Kind::Callout, "callout"),
            ] {
                let group: Vec<u32> = kids
                    .iter()
                    .copied()
                    .filter(|&c| shape.kind(c) == kind)
                    .collect();
                if group.is_empty() {
                    continue;
                }
                let comma = if first_group { "" } else { "," };
                first_group = false;
                tail.push(Task::Raw(format!(r#"{comma}"{key}":["#)));
                for (i, c) in group.into_iter().enumerate() {
                    if i > 0 {
                        tail.push(Task::Raw(",".into()));
                    }
                    tail.push(Task::Topic(c));
                }
                tail.push(Task::Raw("]".into()));
            }
            tail.push(Task::Raw("}".into()));
            let summaries: Vec<u32> = kids
                .iter()
                .copied()
                .filter(|&c| shape.kind(c) == Kind::Summary)
                .collect();
            if !summaries.is_empty() {
                let mut s = String::from(r#","summaries":["#);
                for (i, c) in summaries.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    let _ = write!(
                        s,
                        r#"{{"id":"{}","range":"(0,2)","topicId":"{}"}}"#,
                        topic_id(c ^ 0x5555),
                        topic_id(*c)
                    );
                }
                s.push(']');
                tail.push(Task::Raw(s));
            }
            if j % 200 == 0 {
                tail.push(Task::Raw(format!(
                    r#","boundaries":[{{"id":"{}","range":"(1,3)","title":"Group {j}"}}]"#,
                    topic_id(j ^ 0x7777)
                )));
            }
        }
        tail.push(Task::Raw("}".into()));
        stack.extend(tail.into_iter().rev());
    }
    out.push_str(r#","relationships":["#);
    for (i, (a, b)) in relationships(shape).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            r#"{{"id":"{}","end1Id":"{}","end2Id":"{}","title":"depends on"}}"#,
            topic_id(a ^ 0x9999),
            topic_id(a),
            topic_id(b)
        );
    }
    out.push_str(r#"],"theme":{"id":"default"},"topicPositioning":"fixed"}]"#);
    out
}

fn relationships(shape: &Shape) -> impl Iterator<Item = (u32, u32)> + '_ {
    (1..shape.n / 1000).map(|k| (k * 1000, k * 1000 / 3))
}

// ---------------------------------------------------------------------------------------------
// content.xml and comments.xml

fn xml_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // XMind 8 stores line breaks as CR LF, the CR as a character reference.
            '\n' => out.push_str("&#13;\n"),
            c => out.push(c),
        }
    }
}

fn content_xml(shape: &Shape) -> String {
    let mut out = String::with_capacity(shape.n as usize * 160);
    out.push_str(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?><xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0" xmlns:fo="http://www.w3.org/1999/XSL/Format" xmlns:svg="http://www.w3.org/2000/svg" xmlns:xhtml="http://www.w3.org/1999/xhtml" xmlns:xlink="http://www.w3.org/1999/xlink" timestamp="1700000000000" version="2.0">"#,
    );
    let _ = write!(
        out,
        r#"<sheet id="{}" timestamp="1700000000000">"#,
        topic_id(u32::MAX)
    );
    let mut stack = vec![Task::Topic(0)];
    while let Some(task) = stack.pop() {
        let j = match task {
            Task::Raw(s) => {
                out.push_str(&s);
                continue;
            }
            Task::Topic(j) => j,
        };
        let x = extras(shape, j);
        let _ = write!(out, r#"<topic id="{}""#, topic_id(j));
        if x.folded {
            out.push_str(r#" branch="folded""#);
        }
        if j == 0 {
            out.push_str(r#" structure-class="org.xmind.ui.map.unbalanced""#);
        }
        let _ = write!(out, r#" timestamp="{}""#, 1_700_000_000_000u64 + j as u64);
        if let Some(h) = &x.href {
            out.push_str(r#" xlink:href=""#);
            xml_text(&mut out, h);
            out.push('"');
        }
        out.push_str("><title>");
        xml_text(&mut out, &title(j));
        out.push_str("</title>");
        if x.image {
            let _ = write!(
                out,
                r#"<xhtml:img svg:height="80" svg:width="120" xhtml:src="xap:attachments/{}.png"/>"#,
                topic_id(j ^ 0x1234)
            );
        }
        if let Some(note) = &x.note {
            out.push_str("<notes><html>");
            for line in note.split('\n') {
                out.push_str("<xhtml:p>");
                xml_text(&mut out, line);
                out.push_str("</xhtml:p>");
            }
            out.push_str("</html><plain>");
            xml_text(&mut out, note);
            out.push_str("</plain></notes>");
        }
        if !x.labels.is_empty() {
            out.push_str("<labels>");
            for l in &x.labels {
                out.push_str("<label>");
                xml_text(&mut out, l);
                out.push_str("</label>");
            }
            out.push_str("</labels>");
        }
        if !x.markers.is_empty() {
            out.push_str("<marker-refs>");
            for m in &x.markers {
                let _ = write!(out, r#"<marker-ref marker-id="{m}"/>"#);
            }
            out.push_str("</marker-refs>");
        }
        let kids = shape.children(j);
        let mut tail: Vec<Task> = Vec::new();
        if !kids.is_empty() {
            tail.push(Task::Raw("<children>".into()));
            for (kind, key) in [
                (Kind::Attached, "attached"),
                (Kind::Floating, "detached"),
                (Kind::Summary, "summary"),
                (Kind::Callout, "callout"),
            ] {
                let group: Vec<u32> = kids
                    .iter()
                    .copied()
                    .filter(|&c| shape.kind(c) == kind)
                    .collect();
                if group.is_empty() {
                    continue;
                }
                tail.push(Task::Raw(format!(r#"<topics type="{key}">"#)));
                tail.extend(group.into_iter().map(Task::Topic));
                tail.push(Task::Raw("</topics>".into()));
            }
            tail.push(Task::Raw("</children>".into()));
            if j % 200 == 0 {
                tail.push(Task::Raw(format!(
                    r#"<boundaries><boundary id="{}" range="(1,3)"><title>Group {j}</title></boundary></boundaries>"#,
                    topic_id(j ^ 0x7777)
                )));
            }
            let summaries: Vec<u32> = kids
                .iter()
                .copied()
                .filter(|&c| shape.kind(c) == Kind::Summary)
                .collect();
            if !summaries.is_empty() {
                let mut s = String::from("<summaries>");
                for c in summaries {
                    let _ = write!(
                        s,
                        r#"<summary id="{}" range="(0,2)" topic-id="{}"/>"#,
                        topic_id(c ^ 0x5555),
                        topic_id(c)
                    );
                }
                s.push_str("</summaries>");
                tail.push(Task::Raw(s));
            }
        }
        tail.push(Task::Raw("</topic>".into()));
        stack.extend(tail.into_iter().rev());
    }
    out.push_str("<title>Sheet 1</title><relationships>");
    for (a, b) in relationships(shape) {
        let _ = write!(
            out,
            r#"<relationship end1="{}" end2="{}" id="{}"><title>depends on</title></relationship>"#,
            topic_id(a),
            topic_id(b),
            topic_id(a ^ 0x9999)
        );
    }
    out.push_str("</relationships></sheet></xmap-content>");
    out
}

fn comments_xml(shape: &Shape) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?><comments xmlns="urn:xmind:xmap:xmlns:comments:2.0" version="2.0">"#,
    );
    for j in 0..shape.n {
        for (author, time, content) in extras(shape, j).comments {
            out.push_str("<comment author=\"");
            xml_text(&mut out, &author);
            let _ = write!(
                out,
                r#"" object-id="{}" time="{time}"><content>"#,
                topic_id(j)
            );
            xml_text(&mut out, &content);
            out.push_str("</content></comment>");
        }
    }
    out.push_str("</comments>");
    out
}

// ---------------------------------------------------------------------------------------------

const WARNING_STUB: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?><xmap-content xmlns="urn:xmind:xmap:xmlns:content:2.0" version="2.0"><sheet id="7abtd0ssc7n4pi1nu6i7b6lsdh"><topic id="1vr0lcte2og4t2sopiogvdmifc"><title>Warning 警告 Attention Warnung 경고</title></topic><title>Sheet 1</title></sheet></xmap-content>"#;

fn write_map(
    path: &PathBuf,
    flavour: Flavour,
    method: CompressionMethod,
    topics: u32,
) -> std::io::Result<(String, usize)> {
    let shape = Shape::new(topics);
    let time = DateTime::from_date_and_time(2024, 1, 1, 0, 0, 0).expect("valid date");
    let opts = SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(time)
        .large_file(false);
    let mut zip = ZipWriter::new(BufWriter::new(File::create(path)?));
    let mut put = |name: &str, data: &[u8]| -> std::io::Result<()> {
        zip.start_file(name, opts)?;
        zip.write_all(data)
    };
    let (entry, size) = match flavour {
        Flavour::Json => {
            let content = content_json(&shape);
            put("content.json", content.as_bytes())?;
            put(
                "metadata.json",
                br#"{"creator":{"name":"Vana","version":"24.01.14362"}}"#,
            )?;
            put(
                "manifest.json",
                br#"{"file-entries":{"content.json":{},"metadata.json":{},"Thumbnails/thumbnail.png":{}}}"#,
            )?;
            put("content.xml", WARNING_STUB.as_bytes())?;
            ("content.json".to_string(), content.len())
        }
        Flavour::Xml => {
            let content = content_xml(&shape);
            put("content.xml", content.as_bytes())?;
            put("comments.xml", comments_xml(&shape).as_bytes())?;
            put(
                "meta.xml",
                br#"<?xml version="1.0" encoding="UTF-8" standalone="no"?><meta xmlns="urn:xmind:xmap:xmlns:meta:2.0" version="2.0"><Creator><Name>XMind</Name><Version>R3.7.9.201912052356</Version></Creator></meta>"#,
            )?;
            put(
                "META-INF/manifest.xml",
                br#"<?xml version="1.0" encoding="UTF-8" standalone="no"?><manifest xmlns="urn:xmind:xmap:xmlns:manifest:1.0"><file-entry full-path="content.xml" media-type="text/xml"/><file-entry full-path="comments.xml" media-type="text/xml"/><file-entry full-path="META-INF/" media-type=""/><file-entry full-path="META-INF/manifest.xml" media-type="text/xml"/><file-entry full-path="meta.xml" media-type="text/xml"/></manifest>"#,
            )?;
            ("content.xml".to_string(), content.len())
        }
    };
    zip.finish()?.flush()?;
    Ok((entry, size))
}

fn usage() -> ! {
    eprintln!(
        "usage: genmap --topics N --flavour json|xml [--method stored|deflated] -o OUT.xmind"
    );
    std::process::exit(2)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut topics, mut flavour, mut method, mut out) = (None, None, None, None);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--topics" => topics = Some(value().parse::<u32>().unwrap_or_else(|_| usage())),
            "--flavour" | "--flavor" => {
                flavour = Some(match value().as_str() {
                    "json" => Flavour::Json,
                    "xml" => Flavour::Xml,
                    _ => usage(),
                })
            }
            "--method" => {
                method = Some(match value().as_str() {
                    "stored" => CompressionMethod::Stored,
                    "deflated" => CompressionMethod::Deflated,
                    _ => usage(),
                })
            }
            "-o" | "--output" => out = Some(PathBuf::from(value())),
            _ => usage(),
        }
    }
    let (Some(topics), Some(flavour), Some(out)) = (topics, flavour, out) else {
        usage()
    };
    // XMind 2021+ stores content.json uncompressed; XMind 8 deflates everything.
    let method = method.unwrap_or(match flavour {
        Flavour::Json => CompressionMethod::Stored,
        Flavour::Xml => CompressionMethod::Deflated,
    });
    match write_map(&out, flavour, method, topics) {
        Ok((entry, size)) => eprintln!(
            "{}: {topics} topics, {entry} {size} bytes, {}",
            out.display(),
            if method == CompressionMethod::Stored {
                "stored"
            } else {
                "deflated"
            }
        ),
        Err(e) => {
            eprintln!("genmap: {}: {e}", out.display());
            std::process::exit(1)
        }
    }
}
