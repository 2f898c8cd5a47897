#!/usr/bin/env bash
# Benchmark xmindconv on generated maps and print a Markdown table. Run by hand; never part of
# the test suite.
#
#   bench/run.sh                       # 10k, 100k and 1M topics, every flavour and format
#   SIZES="100000" RUNS=10 bench/run.sh
#   VARIANTS="json xml" FORMATS="json text" bench/run.sh
#
# Needs: hyperfine, jq, unzip, GNU time (/usr/bin/time). Debian: apt-get install -y hyperfine jq
# unzip time.
#
# Variants (see examples/genmap.rs):
#   json           content.json stored, as XMind 2021 and later write it
#   json-deflated  the same content.json deflated (XMind Zen / 2020, and most re-zipped maps)
#   xml            content.xml + comments.xml deflated, as XMind 8 writes them
#
# For each map, in the same hyperfine run: the baseline `unzip -p MAP ENTRY` (the content entry
# only) and `xmindconv -t FORMAT MAP` for every format that `xmindconv --list-formats` lists,
# all with output to /dev/null. Wall time is hyperfine's median; CPU time is hyperfine's mean
# user + system time (steadier than wall time on a busy machine); peak RSS is the median of three
# runs under /usr/bin/time. Throughput is the decompressed content entry's size over the median
# wall time. The RSS target is issue 5's: 3 x the decompressed content + 10 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 100000 1000000"}
VARIANTS=${VARIANTS:-"json json-deflated xml"}
RUNS=${RUNS:-5}
MAPS=${MAPS:-target/bench-maps}
BIN=target/release/xmindconv
GEN=target/release/examples/genmap

for tool in hyperfine jq unzip /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is missing" >&2; exit 1; }
done

cargo build --release --quiet --bin xmindconv --example genmap
mkdir -p "$MAPS"
FORMATS=${FORMATS:-$("$BIN" --list-formats | awk '{ sub(",", "", $1); print $1 }')}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Median of the numbers on standard input.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Peak RSS in KiB of a command (median of three runs), output to /dev/null.
peak_rss() {
    for _ in 1 2 3; do
        /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" \
            || { cat "$tmp/err" >&2; exit 1; }
        cat "$tmp/rss"
    done | median
}

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), \
$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo); $(uname -sr)"
echo "xmindconv $(git describe --always --dirty 2>/dev/null || echo '?'); $RUNS runs per command; \
load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| topics | map | content | format | wall (ms) | MB/s | × unzip | CPU (ms) | CPU × unzip | peak RSS (MiB) | RSS target (MiB) |"
echo "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"

for size in $SIZES; do
    for variant in $VARIANTS; do
        case $variant in
            json) flavour=json method=stored entry=content.json ;;
            json-deflated) flavour=json method=deflated entry=content.json ;;
            xml) flavour=xml method=deflated entry=content.xml ;;
            *) echo "bench/run.sh: unknown variant $variant" >&2; exit 2 ;;
        esac
        map="$MAPS/$size-$variant.xmind"
        [[ -f $map ]] || "$GEN" --topics "$size" --flavour "$flavour" --method "$method" -o "$map" 2>/dev/null
        bytes=$(unzip -p "$map" "$entry" | wc -c)
        mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
        cmds=("unzip -p $map $entry")
        for f in $FORMATS; do cmds+=("$BIN -t $f $map"); done
        hyperfine -N --style none --warmup 1 --runs "$RUNS" --export-json "$tmp/h.json" "${cmds[@]}" >/dev/null 2>"$tmp/hyperfine.err" \
            || { cat "$tmp/hyperfine.err" >&2; exit 1; }
        base=$(jq '.results[0].median' "$tmp/h.json")
        base_cpu=$(jq '.results[0].user + .results[0].system' "$tmp/h.json")
        target=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", 3 * b / 1048576 + 10 }')
        i=0
        for label in unzip $FORMATS; do
            t=$(jq ".results[$i].median" "$tmp/h.json")
            cpu=$(jq ".results[$i].user + .results[$i].system" "$tmp/h.json")
            read -r -a cmd <<<"${cmds[$i]}"
            rss=$(peak_rss "${cmd[@]}")
            awk -v size="$size" -v variant="$variant" -v method="$method" -v entry="$entry" \
                -v mb="$mb" -v bytes="$bytes" -v label="$label" -v t="$t" -v base="$base" \
                -v rss="$rss" -v target="$target" -v cpu="$cpu" -v base_cpu="$base_cpu" 'BEGIN {
                    fmt = (label == "unzip") ? "`unzip -p` (baseline)" : label
                    printf "| %d | %s (%s) | %s %s MB | %s | %.1f | %.0f | %s | %.1f | %s | %.1f | %s |\n",
                        size, variant, method, entry, mb, fmt, t * 1000, bytes / 1e6 / t,
                        (label == "unzip") ? "1" : sprintf("%.2f", t / base), cpu * 1000,
                        (label == "unzip") ? "1" : sprintf("%.2f", cpu / base_cpu), rss / 1024,
                        (label == "unzip") ? "" : target
                }'
            i=$((i + 1))
        done
    done
done
