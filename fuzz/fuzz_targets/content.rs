//! Fuzz target: the content entry itself (content.json or content.xml, which the reader also
//! accepts unzipped), so mutations reach the parsers instead of the zip checks. The first byte
//! picks the flavour, the rest is the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let mut text = Vec::with_capacity(rest.len() + 1);
    // Bare content is recognised by its first character.
    text.push(if pick & 1 == 0 { b'[' } else { b'<' });
    text.extend_from_slice(rest);
    xmindconv_fuzz::read_and_emit(&text);
});
