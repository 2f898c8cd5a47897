//! Fuzz target: the content entry itself (content.json or content.xml, which the reader also
//! accepts unzipped), so mutations reach the parsers instead of the zip checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    xmindconv_fuzz::content(data);
});
