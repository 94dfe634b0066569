#!/usr/bin/env bash
# Times loading the synthetic registry (F-1) into a fresh database with the release binary.
# Usage: bench/seed.sh [CITIZENS] [COMPANIES]   (default 1,000,000 and 100,000; SQLite)
#        DATABASE_URL=postgres://… bench/seed.sh   (an empty PostgreSQL database)
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$ROOT"
[ -x target/release/huji ] || die "build first: cargo leptos build --release --split"
citizens="${1:-1000000}"; companies="${2:-100000}"
if [ -z "${DATABASE_URL:-}" ]; then
  rm -rf "$WORK/bench-seed" && mkdir -p "$WORK/bench-seed"
  export DATABASE_URL="sqlite:$WORK/bench-seed/huji.db"
fi
export HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt"
say "seeding $citizens citizens and $companies companies into ${DATABASE_URL%%\?*}"
/usr/bin/time -f 'wall %e s, peak memory %M KiB' target/release/huji seed \
  --citizens "$citizens" --companies "$companies" --seed 1
