#!/usr/bin/env bash
# Prints LCP and time to interactive of the key pages in Chromium with 4x CPU slowdown, on a
# slow-3G and on a mobile network profile (bench/page-speed.cjs; issue 23 item 4).
# Usage: bench/page-speed.sh   (after scripts/run.sh or scripts/test.sh has built the release
# and installed Playwright in end2end/); RUNS=N sets the loads per page (default 3).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$ROOT/scripts/services.sh"
trap stop_services EXIT
cd "$ROOT"
[ -x target/release/huji ] || die "build first: cargo leptos build --release --precompress --split"
[ -d end2end/node_modules/playwright-core ] || die "install Playwright first: scripts/install-deps.sh"
rm -rf "$WORK/bench-speed" && mkdir -p "$WORK/bench-speed"
DATABASE_URL="sqlite:$WORK/bench-speed/huji.db" HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt" \
  target/release/huji seed --citizens 2000 --companies 200 --seed 1 --demo \
  >"$WORK/bench-speed/seed.log" 2>&1 || { cat "$WORK/bench-speed/seed.log"; die "seeding failed"; }
start_portal "sqlite:$WORK/bench-speed/huji.db"
BASE_URL="$BASE_URL" NODE_PATH="$ROOT/end2end/node_modules" node bench/page-speed.cjs
