# What a benchmark of the release portal over HTTP starts with: the project's helpers, its
# services stopped at exit, wrk, and the release build it measures.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$ROOT/scripts/services.sh"
trap stop_services EXIT
cd "$ROOT"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
[ -x target/release/huji ] || die "build first: cargo leptos build --release --precompress --split"
