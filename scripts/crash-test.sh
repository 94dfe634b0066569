#!/usr/bin/env bash
# kill -9 under load (issue 22 item 3): one server (a SQLite file, or with --postgres a
# throw-away local PostgreSQL) answers signed verification calls from eight clients. In the
# middle of the load it is killed with SIGKILL and started again, and later stopped with
# SIGTERM and started again, while four companies file API申請 and cancel them and four
# citizens report their ID cards lost and revoke the reports. Exits non-zero unless every
# call a client was answered is in the call log exactly once, every answered token is refused
# when sent again (its single use survived), every case a company was given is there once
# with its number, every loss report a citizen was given is there once with its reference,
# the server stopped by SIGTERM exited cleanly, and `huji audit verify` passes.
# Usage: scripts/crash-test.sh [--postgres] [CALLS]
#   CALLS: the calls sent (default 3,000, as the test command runs it; more by hand).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
source "$ROOT/bench/database.sh"
source "$ROOT/scripts/load.sh"
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
say "kill -9 under load ($backend, $CALLS calls): setting up"
load_fixture "$DIR"
load_calls "$DIR" "$CALLS"
load_filers "$DIR" 73019485

port="$(free_port)"
# The citizens' requests each come from an address of their own, as if through a proxy.
export HUJI_TRUSTED_PROXIES=127.0.0.1
start_card_helper crash-helper "http://127.0.0.1:$port" "${FILER_TOKENS[@]}"
start_server() { # [restart]
  start_portal "$DATABASE_URL" "$port" crash-portal "$@"
  server="$PORTAL_PID"
}
start_server
# Four companies file API申請 and cancel them all along, sending again what died with the
# server, and four citizens report their cards lost and revoke the reports, looking up what
# became of a request that died (the cases and the reports must all be there afterwards, once
# each).
load_begin "$DIR" "$BASE_URL" "$HUJI_CARD_HELPER_URL" "$THREADS"
# Strike once a third of the calls are answered, and again at two thirds, each time with the
# clients still sending.
logged_at_least $((CALLS / 3)) "$CLIENT"
say "SIGKILL with $(answered) calls answered"
kill -KILL "$server"
server_gone "$server" || true
start_server restart
logged_at_least $((CALLS * 2 / 3)) "$CLIENT"
say "SIGTERM with $(answered) calls answered"
kill -TERM "$server"
server_gone "$server" || die "the server stopped by SIGTERM exited with $? (137: it hung)"
start_server restart
load_end "$DIR"

say "every call answered is logged once, its token stays spent, every case and report is there once"
check_calls "$DIR" "$BASE_URL" "$THREADS"
check_filings "$DIR"
check_reports "$DIR"
HUJI_AUDIT_CHECKPOINT_FILE="$WORK/crash-portal.audit-head" target/release/huji audit verify \
  || die "the audit chain does not verify after the crashes"
