//! Shared body of the fuzz targets: read, then run every emitter with several option sets.

use xmindconv::{Extra, WRITERS, WriteOptions, read};

/// Reads `data` with small limits (so the fuzzer does not spend its time on huge inputs) and,
/// when it reads, writes it in every format.
pub fn read_and_emit(data: &[u8]) {
    let mut options = read::ReadOptions::default();
    options.limits.max_entry_size = 8 << 20;
    options.limits.max_depth = 2_000;
    let Ok(doc) = read::read_bytes_with(data, &options) else {
        return;
    };
    let mut all = WriteOptions::default();
    for e in Extra::ALL {
        all.set(e, true);
    }
    let mut titles = WriteOptions::default();
    titles.titles_only();
    titles.depth = Some(3);
    for opts in [WriteOptions::default(), all, titles] {
        for e in WRITERS {
            // Writing to a sink cannot fail: an error is an emitter refusing the document (a
            // one-sheet format given several sheets), which is not a crash.
            let _refused = e.write(&doc, &opts, &mut std::io::sink());
        }
    }
}

/// The `content` target: the first byte picks JSON or XML, the rest is the entry's text after its
/// first character (bare content is recognised by that character).
pub fn content(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut text = Vec::with_capacity(rest.len() + 1);
    text.push(if pick & 1 == 0 { b'[' } else { b'<' });
    text.extend_from_slice(rest);
    read_and_emit(&text);
}
