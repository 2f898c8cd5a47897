//! Fuzz target: any bytes as an .xmind file, through the reader and, when it reads, every emitter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    xmindconv_fuzz::read_and_emit(data);
});
