#!/usr/bin/env bash
# Issue 23 item 5: the portal's home page against a bare Leptos SSR page of the same size
# behind no middleware (server/examples/bare-ssr.rs), with the same wrk command, both sent
# uncompressed; prints each rate, their ratio (target ≥ 0.5) and /livez (the portal's
# middleware with no page). The portal keeps all it does per request: the security headers
# and CSP nonce, request ids, the request log with its masking, metrics.
# Usage: bench/ssr.sh   (after a release build: scripts/run.sh or scripts/test.sh)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "building the bare page (server/examples/bare-ssr.rs)"
cargo build --release --quiet --offline -p server --example bare-ssr

rm -rf "$WORK/bench-ssr" && mkdir -p "$WORK/bench-ssr"
start_portal "sqlite:$WORK/bench-ssr/huji.db"
bytes=$(curl -sf -H "Accept-Encoding: identity" "$BASE_URL/" | wc -c)
bare_port=$(free_port)
target/release/examples/bare-ssr "127.0.0.1:$bare_port" "$bytes" &
PIDS+=("$!")
wait_for_port "$bare_port" "the bare page"
BARE_URL="http://127.0.0.1:$bare_port/"

rate() { # url, [seconds]: requests per second, wrk -t2 -c32, uncompressed
  wrk -t2 -c32 -d"${2:-10}s" -H "Accept-Encoding: identity" "$1" | awk '/Requests\/sec/ { printf "%d", $2 }'
}
say "wrk -t2 -c32 -d10s, Accept-Encoding: identity, one after the other"
rate "$BARE_URL" 3 >/dev/null # warms both up: the first seconds of a fresh process are slower
rate "$BASE_URL/" 3 >/dev/null
bare=$(rate "$BARE_URL")
echo "bare page ($(curl -s "$BARE_URL" | wc -c) bytes): $bare requests/s"
home=$(rate "$BASE_URL/")
echo "home page ($bytes bytes): $home requests/s"
livez=$(rate "$BASE_URL/livez")
echo "/livez: $livez requests/s"
awk -v h="$home" -v b="$bare" 'BEGIN { printf "ratio (home / bare): %.2f (target >= 0.5)\n", h / b }'
