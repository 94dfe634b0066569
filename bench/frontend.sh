#!/usr/bin/env bash
# Prints the client's files (raw and gzip bytes of the runtime's WASM and JS, the CSS, and the
# islands' chunks together), each page's
# first-visit weight against its budget (scripts/page-weight.sh), and how fast the release
# server answers a page and a static file, measured with wrk over loopback.
# Usage: bench/frontend.sh   (after scripts/run.sh or scripts/test.sh has built the release)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "the client's files (a page loads the JS and WASM only if it holds an island, and only its own islands' chunks)"
total_raw=0; total_gz=0
for f in target/site/pkg/huji.*.wasm target/site/pkg/huji.*.js target/site/pkg/huji.*.css; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-48s %8d bytes raw %8d bytes gzip\n' "$(basename "$f")" "$raw" "$gz"
done
chunks_raw=0; chunks_gz=0; chunks=0
for f in target/site/pkg/chunk_*.wasm target/site/pkg/split_*.wasm; do
  chunks=$((chunks + 1))
  chunks_raw=$((chunks_raw + $(stat -c %s "$f"))); chunks_gz=$((chunks_gz + $(gzip -9 -c "$f" | wc -c)))
done
printf '%-48s %8d bytes raw %8d bytes gzip\n' "$chunks islands' chunks (all pages)" "$chunks_raw" "$chunks_gz"
printf '%-48s %8d bytes raw %8d bytes gzip\n' "total" "$((total_raw + chunks_raw))" "$((total_gz + chunks_gz))"

rm -rf "$WORK/bench" && mkdir -p "$WORK/bench"
start_portal "sqlite:$WORK/bench/huji.db"
say "first-visit weight of each page (brotli and gzip as served)"
"$ROOT/scripts/page-weight.sh" "$BASE_URL" || true

say "throughput (wrk, 2 threads, 32 connections, 10 s each)"
wasm="/pkg/$(basename target/site/pkg/huji.*.wasm)"
# The home page as each browser asks for it (compressed as it is sent), then a built file.
for request in "/ br" "/ gzip" "/ identity" "$wasm br"; do
  read -r path encoding <<<"$request"
  echo "GET $path (Accept-Encoding: $encoding): $(curl -s -o /dev/null -w '%{size_download}' \
    -H "Accept-Encoding: $encoding" "$BASE_URL$path") bytes"
  wrk -t2 -c32 -d10s -H "Accept-Encoding: $encoding" "$BASE_URL$path" | grep -E 'Requests/sec|Latency|Transfer/sec'
done
