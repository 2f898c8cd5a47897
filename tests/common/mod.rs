//! Helpers shared by the integration tests: build .xmind archives in memory, find the corpus.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_xmindconv");

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

/// One entry of a hand-assembled zip: every header field as given, so tests can lie.
pub struct RawEntry {
    pub name: Vec<u8>,
    /// 0 stored, 8 deflated, anything else to test unsupported methods.
    pub method: u16,
    /// General-purpose flags (bit 0: encrypted).
    pub flags: u16,
    /// The bytes stored in the archive (already compressed when `method` is 8).
    pub data: Vec<u8>,
    pub crc: u32,
    pub compressed_size: u32,
    pub uncompressed_size: u32,
}

impl RawEntry {
    /// A stored entry with truthful headers.
    pub fn stored(name: &str, data: &[u8]) -> RawEntry {
        RawEntry {
            name: name.as_bytes().to_vec(),
            method: 0,
            flags: 0,
            data: data.to_vec(),
            crc: crc32fast::hash(data),
            compressed_size: data.len() as u32,
            uncompressed_size: data.len() as u32,
        }
    }
}

/// Assembles local headers, data, central directory and end record, exactly as described.
pub fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // version made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&e.flags.to_le_bytes());
            h.extend_from_slice(&e.method.to_le_bytes());
            h.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
            h.extend_from_slice(&e.crc.to_le_bytes());
            h.extend_from_slice(&e.compressed_size.to_le_bytes());
            h.extend_from_slice(&e.uncompressed_size.to_le_bytes());
            h.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra length
            if central {
                h.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attrs
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(&e.name);
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(&e.data);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    let n = entries.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A deflate stream of `mib` MiB of spaces and its CRC, built in milliseconds: one compressed
/// MiB (ending on a byte boundary) repeated, then an empty final block.
pub fn deflated_spaces(mib: usize) -> (Vec<u8>, u32) {
    use flate2::{Compress, Compression, FlushCompress};
    let chunk = vec![b' '; 1 << 20];
    let mut c = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(8 << 10);
    c.compress_vec(&chunk, &mut block, FlushCompress::Full)
        .unwrap();
    let mut stream = Vec::with_capacity(block.len() * mib + 2);
    let mut crc = crc32fast::Hasher::new();
    for _ in 0..mib {
        stream.extend_from_slice(&block);
        crc.update(&chunk);
    }
    stream.extend_from_slice(&[0x03, 0x00]); // final, fixed-Huffman, end of block
    (stream, crc.finalize())
}

/// Result of one run of the binary.
pub struct Run {
    pub code: Option<i32>,
    pub stderr: String,
    pub stdout_len: usize,
    pub elapsed: Duration,
    pub max_rss_kib: i64,
}

/// Runs the binary with `-t format extra… path` under `ulimit -v` (KiB) and a wall-clock limit,
/// reporting the peak memory. The kernel counts the memory of this (the parent) process at the
/// time of the spawn into the child's peak, so keep the calling test process small.
#[allow(clippy::zombie_processes)] // reaped by wait4(), which also reports the peak memory
pub fn run(path: &Path, format: &str, extra: &[&str], vmem_kib: u64, limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {vmem_kib}; exec \"$0\" \"$@\""))
        .arg(BIN)
        .args(["-t", format])
        .args(extra)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader =
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()).unwrap_or(0));
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let (status, rusage) = loop {
        let mut status = 0;
        // SAFETY: plain libc call on our own child; `rusage` is written by the kernel.
        let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut rusage) };
        if r == pid {
            break (status, rusage);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!(
                "{} -t {format}: still running after {limit:?}",
                path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let stdout_len = out_reader.join().unwrap() as usize;
    let stderr = err_reader.join().unwrap();
    let code = if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else {
        None
    };
    Run {
        code,
        stderr,
        stdout_len,
        elapsed,
        max_rss_kib: rusage.ru_maxrss,
    }
}

/// Random documents built in the model, for property tests.
pub mod arbitrary {
    use proptest::prelude::*;
    use xmindconv::model::{
        Boundary, BoundaryRange, ChildRange, Comment, Document, Image, Link, Notes, Relationship,
        Sheet, Topic, TopicId, TopicKind,
    };

    /// Titles drawn from letters, CJK, emoji, white space and every character some format
    /// treats specially.
    pub fn title() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a", "Topic", " ", "  ", "\n", "\t", "中文", "😢", "#", "##", "*", "_", "`", "[", "]",
            "(", ")", "{", "}", "<", ">", "&", "|", "%%", ":::", "::icon(", "\"", "'", "\\", "-",
            "1.", "+", ">", "~", "$", "#35;", "&amp;", "mindmap", "<b>", "://", "=", "!",
        ]);
        prop::collection::vec(pieces, 0..6).prop_map(|v| v.concat())
    }

    /// One topic's extras, sometimes.
    fn decorate(t: &mut Topic, seed: u32, note: String) {
        if seed % 3 == 0 {
            t.notes = Some(Box::new(Notes {
                plain: note.into(),
                html: None,
            }));
        }
        if seed % 4 == 0 {
            t.labels = vec!["label".into(), format!("l{seed}")].into();
        }
        if seed % 5 == 0 {
            t.markers = vec!["priority-1".into(), "task-done".into(), "custom-xyz".into()].into();
        }
        if seed % 7 == 0 {
            t.link = Some(Box::new(Link::new(format!(
                "https://example.com/{seed}?a=1&b=<2>"
            ))));
        }
        if seed % 11 == 0 {
            t.image = Some(Box::new(Image {
                src: "xap:resources/a b.png".into(),
                // Sizes a library user can put in the model, NaN and infinities included: no
                // writer may turn them into output its format cannot hold (B1).
                width: [Some(10.0), Some(f64::NAN), Some(f64::INFINITY), Some(0.5)]
                    [(seed / 11 % 4) as usize],
                height: [None, Some(f64::NEG_INFINITY), Some(1e300)][(seed / 11 % 3) as usize],
            }));
        }
        if seed % 13 == 0 {
            t.comments = vec![Comment {
                author: "me".into(),
                time: Some(1),
                content: "a comment".into(),
            }]
            .into();
        }
        t.folded = seed % 17 == 0;
    }

    /// A sheet: each new topic picks an existing parent and a kind.
    pub fn sheet() -> impl Strategy<Value = Sheet> {
        (
            title(),
            title(),
            prop::collection::vec(
                (any::<prop::sample::Index>(), 0u32..100, title(), title()),
                0..40,
            ),
        )
            .prop_map(|(sheet_title, root_title, topics)| {
                let mut s = Sheet::new(root_title);
                s.title = sheet_title;
                s.topics[0].id = "t0".into();
                for (i, (parent, seed, t, note)) in topics.into_iter().enumerate() {
                    let parent = TopicId(parent.index(s.topics.len()) as u32);
                    let kind = match seed % 10 {
                        0 => TopicKind::Floating,
                        1 => TopicKind::Callout,
                        2 => TopicKind::Summary,
                        _ => TopicKind::Attached,
                    };
                    let mut topic = Topic::new(t);
                    topic.id = format!("t{}", i + 1).into();
                    decorate(&mut topic, seed, note);
                    let id = s.add(parent, kind, topic);
                    let p = &mut s.topics[parent.index()];
                    if kind == TopicKind::Summary && !p.children.is_empty() {
                        let last = p.children.len() - 1;
                        if let Some(sum) = p.summaries.iter_mut().find(|x| x.topic == Some(id)) {
                            sum.range = Some(ChildRange {
                                start: 0,
                                end: last,
                            });
                        }
                        p.boundaries.push(Boundary {
                            id: format!("b{}", i + 1),
                            range: BoundaryRange::Children(ChildRange {
                                start: 0,
                                end: last,
                            }),
                            title: "b".into(),
                        });
                    }
                }
                if s.topics.len() > 2 {
                    s.relationships.push(Relationship {
                        id: "r".into(),
                        end1: "t1".into(),
                        end2: "t2".into(),
                        from: Some(TopicId(1)),
                        to: Some(TopicId(2)),
                        title: "rel".into(),
                    });
                }
                s
            })
    }

    /// A document of one to three sheets.
    pub fn document() -> impl Strategy<Value = Document> {
        prop::collection::vec(sheet(), 1..4).prop_map(|sheets| Document {
            name: Some("random.xmind".into()),
            sheets,
            ..Document::default()
        })
    }
}

/// The shared corpus of real maps (`../shared/corpus`, or `$XMINDCONV_CORPUS`). Absent, the tests
/// that need it skip with a note, unless `XMINDCONV_REQUIRE_CORPUS` is set (`.ci/run` sets it
/// when the corpus is there): then a missing corpus, or one with fewer than 40 maps, fails.
pub fn corpus_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("XMINDCONV_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
        });
    let maps = std::fs::read_dir(&dir).map_or(0, |d| {
        d.filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "xmind"))
        })
        .count()
    });
    if maps >= 40 {
        return Some(dir);
    }
    if std::env::var_os("XMINDCONV_REQUIRE_CORPUS").is_some() {
        panic!(
            "XMINDCONV_REQUIRE_CORPUS is set but {} holds {maps} maps, not the 40 of the corpus",
            dir.display()
        );
    }
    eprintln!("note: no corpus at {}; skipped", dir.display());
    None
}
