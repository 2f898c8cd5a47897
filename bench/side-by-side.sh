#!/usr/bin/env bash
# Side by side on the harder maps of ../shared/bench/gen_big_xmind.py (deflated, titles with
# `<`, `&` and CJK): each command against its floor or peer in one hyperfine run (the two
# interleaved by hyperfine's own order, after a warm-up), the ratio of their mean CPU time
# (user + system), and each one's peak memory from GNU time. Run by hand; never part of the
# test suite. Needs hyperfine, jq, unzip and /usr/bin/time (Debian: hyperfine, jq, unzip, time).
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
for tool in hyperfine jq unzip /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/side-by-side.sh: $tool is missing" >&2; exit 1; }
done
cargo build --release --quiet
mkdir -p "$DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Peak resident memory of a command in MiB, its output thrown away.
peak() {
  /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null
  awk '{ printf "%.1f", $1 / 1024 }' "$tmp/rss"
}

# pair 'COMMAND A' 'COMMAND B': CPU of A over CPU of B, and both peaks.
pair() {
  hyperfine -N --style none --warmup 1 --runs "$RUNS" --output null \
    --export-json "$tmp/h.json" "$1" "$2" >/dev/null
  jq -r '.results | "cpu A/B: \((.[0].user + .[0].system) / (.[1].user + .[1].system) * 100 | round / 100)  (A \((.[0].user + .[0].system) * 1000 | round) ms, B \((.[1].user + .[1].system) * 1000 | round) ms)"' "$tmp/h.json"
  # shellcheck disable=SC2086
  echo "peak MiB: A $(peak $1), B $(peak $2)"
}

for flavour in json xml; do
  map="$DIR/hard-$N-$flavour.xmind"
  [ -f "$map" ] || python3 ../shared/bench/gen_big_xmind.py "$map" "$N" "$flavour" >/dev/null
  entry="content.$flavour"
  for f in json markdown text; do
    echo "== A: $BIN -t $f $map, B: unzip -p $map $entry"
    pair "$BIN -t $f $map" "unzip -p $map $entry"
  done
  echo "== A: $BIN -t xmind $map, B: $BIN -t json $map"
  pair "$BIN -t xmind $map" "$BIN -t json $map"
  # Reading Markdown: our own Markdown of the map, read to JSON, against the map itself read
  # to JSON.
  md="$DIR/hard-$N-$flavour.md"
  [ -f "$md" ] || "$BIN" -t markdown "$map" -o "$md"
  echo "== A: $BIN -t json $md, B: $BIN -t json $map"
  pair "$BIN -t json $md" "$BIN -t json $map"
done
