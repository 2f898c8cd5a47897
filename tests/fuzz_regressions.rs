//! Replays every input under `fuzz/regressions/` through the same code the fuzz targets run.

#[path = "../fuzz/src/lib.rs"]
mod fuzz_body;

#[test]
fn fuzz_regressions_stay_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut n = 0;
    for target in ["archive", "content"] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            match target {
                "archive" => fuzz_body::read_and_emit(&data),
                _ => fuzz_body::content(&data),
            }
            n += 1;
        }
    }
    // The folder holds the crashes fuzzing found; replaying none means the path is wrong.
    assert!(n > 0, "no regression inputs under {}", root.display());
    eprintln!("replayed {n} regression inputs");
}
