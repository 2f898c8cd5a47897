#!/usr/bin/env bash
# Runs both fuzz targets for SECONDS each (default 900), one after the other, on one core.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP lets it use the stable
# toolchain. Crashes land in fuzz/artifacts/<target>/; copy each into fuzz/regressions/<target>/
# once fixed (tests/fuzz_regressions.rs replays them).
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-900}
python3 seed.py
for target in archive content; do
  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none -O "$target" -- \
    -max_total_time="$secs" -max_len=1048576 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done
