#!/usr/bin/env bash
# Installs whatever is missing, builds the release portal, loads the demo registry on first
# start (SQLite under ./data) and serves the portal until Ctrl-C.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/install-deps.sh"

say "building the portal (release; the first build takes several minutes)"
cargo leptos build --release --precompress

export DATABASE_URL="${DATABASE_URL:-sqlite:$ROOT/data/huji.db}"
export HUJI_SITE_ROOT="${HUJI_SITE_ROOT:-$ROOT/target/site}"
export HUJI_HOLIDAYS="${HUJI_HOLIDAYS:-$ROOT/server/data/holidays.txt}"
export HUJI_BIND="${HUJI_BIND:-127.0.0.1:3000}"
export HUJI_PUBLIC_ORIGIN="${HUJI_PUBLIC_ORIGIN:-http://$HUJI_BIND}"

say "loading demo data (only into an empty database)"
"$ROOT/target/release/huji" seed --citizens 10000 --companies 1000 --seed 20231117 --demo --if-empty

say "starting the portal at $HUJI_PUBLIC_ORIGIN/"
exec "$ROOT/target/release/huji" serve
