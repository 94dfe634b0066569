#!/usr/bin/env bash
# Prints what a first visit downloads (raw and gzip bytes of the WASM, JS and CSS) and how
# fast the release server answers a page and a static file, measured with wrk over loopback.
# Usage: bench/frontend.sh   (after scripts/run.sh or scripts/test.sh has built the release)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$ROOT/scripts/services.sh"
trap stop_services EXIT
cd "$ROOT"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
[ -x target/release/huji ] || die "build first: cargo leptos build --release --precompress"

say "first-visit download (every page loads the same bundle)"
total_raw=0; total_gz=0
for f in target/site/pkg/huji.*.wasm target/site/pkg/huji.*.js target/site/pkg/huji.*.css; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-48s %8d bytes raw %8d bytes gzip\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-48s %8d bytes raw %8d bytes gzip (budget 300 KB gzip)\n' "total" "$total_raw" "$total_gz"

say "throughput (wrk, 2 threads, 32 connections, 10 s each)"
rm -rf "$WORK/bench" && mkdir -p "$WORK/bench"
start_portal "sqlite:$WORK/bench/huji.db"
wasm="/pkg/$(basename target/site/pkg/huji.*.wasm)"
for path in / "$wasm"; do
  echo "GET $path (Accept-Encoding: br)"
  wrk -t2 -c32 -d10s -H 'Accept-Encoding: br' "$BASE_URL$path" | grep -E 'Requests/sec|Latency|Transfer/sec'
done
