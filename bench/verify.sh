#!/usr/bin/env bash
# The verification API under load (issue 5 §6): seeds 1,000,000 citizens, gives the demo
# company a grant for 127.0.0.1, starts the release server and drives it over loopback with
# wrk, using requests signed by `huji api-token --queries` (each token is accepted once):
# 80% matching cards, 15% mismatches (each of a different person, so A-N6 never locks), 5%
# malformed (RS3822). Prints, in one run: the most verifications a second with p50/p99, p99 at
# half that rate, the most calls a second of the constant-answer connection test behind the
# same middleware (token, grant, address, certificate, rate, single use, call log), and the
# ratio of the two rates; for comparison, `/livez`, which passes the portal's layers only.
# Usage: bench/verify.sh [--postgres] [CITIZENS]
#   --postgres: a throw-away local PostgreSQL (scripts/services.sh) instead of a SQLite file.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$ROOT/scripts/services.sh"
source "$ROOT/bench/database.sh"
trap stop_services EXIT
cd "$ROOT"

backend=sqlite
if [ "${1:-}" = "--postgres" ]; then backend=postgres; shift; fi
citizens="${1:-1000000}"
[ -x target/release/huji ] || die "build first: cargo build --release -p server --bin huji"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || die "wrk is missing (apt-get install wrk)"

DIR="$WORK/bench-verify"
bench_database "$DIR" "$backend"
export HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt"

say "seeding $citizens citizens ($backend)"
target/release/huji seed --citizens "$citizens" --companies 1000 --seed 1 --demo >"$DIR/seed.log"

AP_ID=APBENCH001
ISSKEY=benchBENCHbenchBENCHbenchBENCH32
target/release/huji pki init --dir "$DIR/pki" >/dev/null
target/release/huji pki crl --dir "$DIR/pki" >/dev/null
api_grant_fixture sql "$DIR/pki" "$DIR/api" 24941832 "$AP_ID" "$ISSKEY" 蝦蝦樂購股份有限公司

# The mix, from people in the registry with a current card, each person once.
sample() { registry_cards sql "$1" 'random()'; } # count → that many random people
mix() { # count → that many queries: 80% matching, 15% another place of issue, 5% applyCode 9
  sample "$1" | awk -F, -v OFS=, '{
    n = NR % 20
    if (n < 3) $4 = ($4 == "63000" ? "65000" : "63000")
    else if (n == 3) $2 = "9"
    print }'
}
sign() { # queries file → tokens file
  target/release/huji api-token --org-id 24941832 --ap-id "$AP_ID" --isskey "$ISSKEY" \
    --key "$DIR/api.key" --user-id bench --queries "$1" >"$1.tokens"
}

export HUJI_TRUSTED_ROOTS="$DIR/pki/trust" HUJI_ID_HASH_KEY_FILE="$DIR/id-hash.key"
# The limits guard real companies; the benchmark is one company calling as fast as it can.
export HUJI_API_RATE_PER_SECOND=100000000 HUJI_API_ABNORMAL_MISMATCHES=100000000 \
  HUJI_API_ABNORMAL_DISTINCT_IDS=100000000 HUJI_API_ABNORMAL_VOLUME_FLOOR=100000000
export RUST_LOG=warn
start_portal "$DATABASE_URL" "" bench-portal
THREADS=2 CONNECTIONS=64 SECONDS_PER_RUN=10

result() { grep '^RESULT' | sed 's/^RESULT //'; }
field() { sed -E "s/.*$1=([^ ]+).*/\1/" <<<"$2"; }

# Tokens live 3 minutes, so each run signs its own batch right before it.
VERIFY=/integration/rwv2c2/
CONNECTION_TEST=/integration/rwv2c2/connection-test
api_run() { # path, count, delay ms
  mix "$2" >"$DIR/queries"
  sign "$DIR/queries"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 5s \
    -s bench/verify.lua "$BASE_URL$1" -- "$DIR/queries.tokens" "$THREADS" "$3" | result
}
livez_run() {
  cat >"$DIR/livez.lua" <<EOF
function done(summary, latency, requests)
  io.write(string.format("RESULT answered=%d seconds=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" -s "$DIR/livez.lua" "$BASE_URL/livez" | result
}
pace_for() { # rate → delay per connection in ms, for that rate over all connections
  awk -v r="$1" -v c="$CONNECTIONS" 'BEGIN { d = int(c * 1000 / r); print (d < 1 ? 1 : d) }'
}

say "warming up"
api_run "$VERIFY" 20000 0 >/dev/null
say "verifications at full speed"
full="$(api_run "$VERIFY" "${BENCH_TOKENS:-150000}" 0)"
echo "$full"
[ "$(field other "$full")" = 0 ] || die "some calls were refused: the run is not valid"
rate="$(field rate "$full")"
say "verifications at half that rate"
half="$(api_run "$VERIFY" "$(( rate * SECONDS_PER_RUN / 2 + 5000 ))" "$(pace_for "$(( rate / 2 ))")")"
echo "$half"
say "connection tests at full speed"
tested="$(api_run "$CONNECTION_TEST" "${BENCH_CONNECTION_TESTS:-250000}" 0)"
echo "$tested"
[ "$(field other "$tested")" = 0 ] || die "some connection tests were refused: the run is not valid"
say "/livez at full speed"
livez="$(livez_run)"
echo "$livez"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%-10s %-32s %-22s %-18s %-6s %s\n' "backend" "verifications/s (p50, p99 ms)" \
  "at half rate p99 ms" "connection tests/s" "ratio" "/livez/s (ratio)"
printf '%-10s %-32s %-22s %-18s %-6s %s\n' "$backend" \
  "$rate ($(field p50_ms "$full"), $(field p99_ms "$full"))" \
  "$(field p99_ms "$half") ($(field rate "$half")/s)" "$(field rate "$tested")" \
  "$(ratio "$rate" "$(field rate "$tested")")" \
  "$(field rate "$livez") ($(ratio "$rate" "$(field rate "$livez")"))"
