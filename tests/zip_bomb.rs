//! The zip bomb of issue 4 (1 GiB of spaces in content.json, compressed to about 1 MiB) is
//! refused within a second using under 100 MiB, with honest, lying and zero size headers. A test
//! binary of its own: a child's peak memory as the kernel reports it includes this process's.

mod common;

use std::time::Duration;

use common::{RawEntry, deflated_spaces, raw_zip, run};

/// The 1 GiB zip bomb is refused within a second, in under 100 MiB.
#[test]
fn zip_bomb_is_refused_fast_and_small() {
    let dir = tempfile::tempdir().unwrap();
    let (gib, crc) = deflated_spaces(1024);
    for (name, declared) in [("honest", u32::MAX), ("lying", 1000), ("unknown", 0)] {
        let path = dir.path().join(format!("bomb-{name}.xmind"));
        let entry = RawEntry {
            name: b"content.json".to_vec(),
            method: 8,
            flags: 0,
            compressed_size: gib.len() as u32,
            uncompressed_size: declared,
            crc,
            data: gib.clone(),
        };
        std::fs::write(&path, raw_zip(&[entry])).unwrap();
        let r = run(&path, "json", &[], 100 << 10, Duration::from_secs(10));
        assert_eq!(r.code, Some(1), "{name}: {}", r.stderr);
        assert!(
            r.elapsed < Duration::from_secs(1),
            "{name}: took {:?}",
            r.elapsed
        );
        assert!(
            r.max_rss_kib < 100 << 10,
            "{name}: peak {} KiB",
            r.max_rss_kib
        );
    }
}
