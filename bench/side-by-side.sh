#!/usr/bin/env bash
# Side by side on the harder maps of ../shared/bench/gen_big_xmind.py (deflated, titles with
# `<`, `&` and CJK): each command against its floor or peer in one farm-bench run, CPU ratio
# quoted at the median. Run by hand; never part of the test suite.
#
#   bench/side-by-side.sh              # 100,000 topics, both flavours
#   N=1000000 RUNS=3 bench/side-by-side.sh
#
# Rows: reading and writing (-t json, markdown, text) against `unzip -p MAP ENTRY` (issue 12,
# target 2.5x), `.xmind` to `.xmind` (-t xmind) against `.xmind` to JSON (issue 13, target 3x),
# and the map's own Markdown to JSON against the map to JSON (issue 14, target 3x).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
RUNS=${RUNS:-5}
DIR=${DIR:-target/bench-hard}
BIN=target/release/xmindconv
cargo build --release --quiet
mkdir -p "$DIR"
for flavour in json xml; do
  map="$DIR/hard-$N-$flavour.xmind"
  [ -f "$map" ] || python3 ../shared/bench/gen_big_xmind.py "$map" "$N" "$flavour" >/dev/null
  entry="content.$flavour"
  for f in json markdown text; do
    echo "== $map -t $f vs unzip -p $entry"
    farm-bench -n "$RUNS" --vs "unzip -p $map $entry" -- "$BIN" -t "$f" "$map" | grep -E 'A/B cpu|peak'
  done
  echo "== $map -t xmind vs -t json"
  farm-bench -n "$RUNS" --vs "$BIN -t json $map" -- "$BIN" -t xmind "$map" | grep -E 'A/B cpu|peak'
  # Reading Markdown (issue 14, target 3x): our own Markdown of the map, read to JSON, against
  # the map itself read to JSON.
  md="$DIR/hard-$N-$flavour.md"
  [ -f "$md" ] || "$BIN" -t markdown "$map" -o "$md"
  echo "== $md -t json vs $map -t json"
  farm-bench -n "$RUNS" --vs "$BIN -t json $map" -- "$BIN" -t json "$md" | grep -E 'A/B cpu|peak'
done
