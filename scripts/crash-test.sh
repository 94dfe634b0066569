#!/usr/bin/env bash
# kill -9 under load (issue 22 item 3): one server (a SQLite file, or with --postgres a
# throw-away local PostgreSQL) answers signed verification calls from eight clients. In the
# middle of the load it is killed with SIGKILL and started again, and later stopped with
# SIGTERM and started again. Exits non-zero unless every call a client was answered is in the
# call log exactly once, every answered token is refused when sent again (its single use
# survived), the server stopped by SIGTERM exited cleanly, and `huji audit verify` passes.
# Usage: scripts/crash-test.sh [--postgres] [CALLS]
#   CALLS: the calls sent (default 3,000, as the test command runs it; more by hand).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
source "$ROOT/bench/database.sh"
# A failed run shows what the servers (and PostgreSQL) said last.
trap 'status=$?; if [ "$status" != 0 ]; then tail -n 5 "$WORK/crash-portal.log" >&2 || true
  [ -z "${PG_DIR:-}" ] || postgres_diagnostics; fi; stop_services' EXIT
cd "$ROOT"

backend=sqlite
if [ "${1:-}" = --postgres ]; then backend=postgres; shift; fi
CALLS="${1:-3000}" THREADS=8
[[ "$CALLS" =~ ^[0-9]+$ ]] && [ "$CALLS" -ge 300 ] || die "CALLS is a number of at least 300"
[ -x target/release/huji ] || die "build first: cargo build --release -p server --bin huji"

DIR="$WORK/crash-$backend"
bench_database "$DIR" "$backend"
export HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt" HUJI_ID_HASH_KEY_FILE="$DIR/id-hash.key" HUJI_AUDIT_KEY_FILE="$DIR/audit.key" \
  HUJI_MOICA_SEAL_KEY_FILE="$DIR/moica-seal.key"
# One company calling as fast as it can: the limits that guard real companies stay out of it.
export HUJI_API_RATE_PER_SECOND=100000000 HUJI_API_ABNORMAL_MISMATCHES=100000000 \
  HUJI_API_ABNORMAL_DISTINCT_IDS=100000000 HUJI_API_ABNORMAL_VOLUME_FLOOR=100000000
export RUST_LOG=warn

say "kill -9 under load ($backend, $CALLS calls): setting up"
target/release/huji seed --citizens 2000 --companies 10 --seed 1 --demo >"$DIR/seed.log"
target/release/huji pki init --dir "$DIR/pki" >/dev/null
target/release/huji pki crl --dir "$DIR/pki" >/dev/null
export HUJI_TRUSTED_ROOTS="$DIR/pki/trust"
api_grant_fixture sql "$DIR/pki" "$DIR/api" 24941832 APCRASH001 crashCRASHcrashCRASHcrashCRASH32 \
  蝦蝦樂購股份有限公司
# Call i asks about a person of the registry as user `crash-i`, so that its row can be found.
registry_cards sql 2000 c.id | awk -v n="$CALLS" '{ people[NR] = $0 }
  END { for (i = 0; i < n; i++) print people[i % NR + 1] ",crash-" i }' >"$DIR/queries"
target/release/huji api-token --org-id 24941832 --ap-id APCRASH001 \
  --isskey crashCRASHcrashCRASHcrashCRASH32 --key "$DIR/api.key" --queries "$DIR/queries" \
  >"$DIR/tokens"

port="$(free_port)"
forget() { # pid: no longer one to stop at the end (it has ended; its number may be reused)
  local kept=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
}
start_server() { # [restart]
  start_portal "$DATABASE_URL" "$port" crash-portal "$@"
  server="${PIDS[-1]}"
}
server_gone() { # waits for the server just stopped (killed after 30 s): its exit status
  local status=0 watchdog
  (sleep 30 && kill -KILL "$server" 2>/dev/null) &
  watchdog=$!
  { wait "$server"; } 2>/dev/null || status=$?
  kill "$watchdog" 2>/dev/null || true
  forget "$server"
  return "$status"
}
answered() { sql "SELECT COUNT(*) FROM api_calls WHERE rd_code = 'RS7009'"; }
logged_at_least() { # count: waits, up to a minute, until the call log holds that many answers
  local until=$((SECONDS + 60)) logged
  while logged="$(answered)"; [[ ! "$logged" =~ ^[0-9]+$ ]] || [ "$logged" -lt "$1" ]; do
    [ "$SECONDS" -lt "$until" ] || die "the call log stopped at ${logged:-?} answers"
    kill -0 "$client" 2>/dev/null || die "the clients ended before the strike"
    sleep 0.05
  done
}

start_server
python3 "$ROOT/scripts/crash_client.py" send "$BASE_URL" "$DIR/tokens" "$DIR/answers" "$THREADS" &
client=$!
PIDS+=("$client")
# Strike once a third of the calls are answered, and again at two thirds, each time with the
# clients still sending.
logged_at_least $((CALLS / 3))
say "SIGKILL with $(answered) calls answered"
kill -KILL "$server"
server_gone || true
start_server restart
logged_at_least $((CALLS * 2 / 3))
say "SIGTERM with $(answered) calls answered"
kill -TERM "$server"
server_gone || die "the server stopped by SIGTERM exited with $? (137: it hung)"
start_server restart
wait "$client" || die "the clients failed"
forget "$client"

say "every call answered is logged once, and its token stays spent"
sql "SELECT user_id, verdict FROM api_calls WHERE rd_code = 'RS7009'" >"$DIR/logged"
# Only the calls in flight at the SIGKILL (one per client at most) may be taken and never
# answered; the SIGTERM finishes those it has.
python3 "$ROOT/scripts/crash_client.py" check "$BASE_URL" "$DIR/tokens" "$DIR/answers" "$DIR/logged" \
  "$THREADS" || die "calls answered before the crashes are missing, doubled or refused"
HUJI_AUDIT_CHECKPOINT_FILE="$WORK/crash-portal.audit-head" target/release/huji audit verify \
  || die "the audit chain does not verify after the crashes"
