#!/usr/bin/env bash
# Several servers behind a real load balancer (issue 22 items 2 and 3): a throw-away local
# PostgreSQL, three `huji serve` processes on it and Debian's nginx in front of them, on
# loopback, each server trusting the balancer's X-Forwarded-For (HUJI_TRUSTED_PROXIES). Every
# client talks to the balancer only, so that consecutive requests land on different servers.
# Exits non-zero unless, across the servers:
#   - the expiry notices of twenty certificates, due when all three start their jobs at once
#     (and again at each restart), are each sent once: one outbox row, one mail (F-7, C-4);
#   - sign-ins with a soft token in the card helper make sessions every server knows, and six
#     登錄資料修改 of one company posted at once leave one pending case (A-6);
#   - wrong guesses about ten people at once fail three comparisons each (A-N6);
#   - each of fifty tokens sent twice at once is answered once (single-use jti);
#   - a client drawing more sign-in challenges at once than its limit gets exactly the limit;
#   - under verification calls, four companies filing and cancelling API申請, four citizens
#     reporting their ID cards lost and revoking the reports, and page views, one server
#     killed with SIGKILL and another stopped with SIGTERM (each started again) lose no
#     answered call, no case a company was given and no report a citizen was given, make no
#     case or report twice, fail no page view (but one a viewer cut off by the SIGKILL), and
#     `huji audit verify` passes.
# Usage: scripts/cluster-test.sh [CALLS]
#   CALLS: the verification calls sent under the faults (default 5,000; more by hand).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
source "$ROOT/bench/database.sh"
source "$ROOT/scripts/load.sh"
DIR="$WORK/cluster"
trap 'status=$?; if [ "$status" != 0 ]; then for log in "$WORK"/cluster-[0-9].log "$DIR/nginx-error.log"; do
  echo "--- $log" >&2; tail -n 5 "$log" >&2 || true; done; [ -z "${PG_DIR:-}" ] || postgres_diagnostics; fi
  stop_services' EXIT
cd "$ROOT"

CALLS="${1:-5000}" THREADS=8 SERVERS=3
[[ "$CALLS" =~ ^[0-9]+$ ]] && [ "$CALLS" -ge 300 ] || die "CALLS is a number of at least 300"
[ -x target/release/huji ] || die "build first: cargo build --release -p server --bin huji"
[ -x target/debug/huji-card-helper ] && [ -x target/debug/huji-virtual-card ] ||
  die "build the card helper first: cargo build -p card-helper"
command -v nginx >/dev/null || die "nginx is missing (scripts/install-deps.sh installs it)"
client_py() { python3 "$ROOT/scripts/cluster_client.py" "$@"; }

bench_database "$DIR" postgres
say "$SERVERS servers behind nginx on one PostgreSQL: setting up"
load_fixture "$DIR"
# The company's 工商憑證 as a soft token: reader `Huji Soft Token (company)` in the helper.
COMPANY=蝦蝦樂購股份有限公司 PIN=73019485
target/release/huji pki issue business --dir "$DIR/pki" --out "$DIR/company" --business-id 24941832 \
  --name "$COMPANY" >/dev/null
target/debug/huji-virtual-card --init --state "$DIR/company.token" --key "$DIR/company.key" \
  --certificate "$DIR/company.crt" --pin "$PIN" --user-code 87654321 >/dev/null
load_filers "$DIR" "$PIN"
# Twenty certificates whose expiry notice (C-4) is due, each to its own address.
now="$(date +%s)"
sql "INSERT INTO moica_certificates (card_number, serial, subject, issuer, not_before, not_after,
    status, created_at, citizen_id, email)
  SELECT 'TP05' || lpad(id::text, 12, '0'), 'cluster-' || id, 'CN=' || name, 'CN=MOICA',
    $now - 86400 * 365, $now + 86400 * (10 + id % 20), 'active', $now, id, 'notice-' || id || '@example.com'
  FROM citizens ORDER BY id LIMIT 20" >/dev/null
start_smtp_sink cluster-maildir

# The balancer first, on its port, then the servers behind it: all three start at once, as
# after a deployment, and their jobs' first runs meet.
mapfile -t ports < <(free_port $((SERVERS + 1)))
LB_PORT="${ports[0]}"
export PUBLIC_ORIGIN="http://127.0.0.1:$LB_PORT" HUJI_TRUSTED_PROXIES=127.0.0.1
LB="$PUBLIC_ORIGIN"
declare -A port server
for n in $(seq 1 "$SERVERS"); do port[$n]="${ports[$n]}"; done
# The balancer: round robin over the servers (one record of which are down, shared by its
# workers), a call sent again to the next server when the one it chose cannot be reached or
# dies before answering (only for requests that are safe to repeat: GET and HEAD), and the
# client's address added to X-Forwarded-For. As docs/operations.md has it, but on loopback,
# without TLS, and with each answer naming the servers it was sent to (X-Upstream), which
# tells the clients when nginx sent a call again. Responses are never spooled to disk (its
# workers may not reach this folder).
mkdir -p "$DIR/nginx" && chmod 0777 "$DIR/nginx"
{
  echo "daemon off; worker_processes 2; pid $DIR/nginx/nginx.pid;"
  echo "events { worker_connections 2048; }"
  echo "http {"
  echo "  access_log off;"
  for temp in client_body proxy fastcgi uwsgi scgi; do echo "  ${temp}_temp_path $DIR/nginx/$temp;"; done
  echo "  upstream huji {"
  echo "    zone huji 64k;"
  for n in $(seq 1 "$SERVERS"); do echo "    server 127.0.0.1:${port[$n]} max_fails=1 fail_timeout=2s;"; done
  echo "    keepalive 64;"
  echo "  }"
  cat <<'NGINX'
  server {
    listen 127.0.0.1:@LB_PORT@;
    client_max_body_size 26m;
    location / {
      proxy_pass http://huji;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Client-Certificate "";
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_max_temp_file_size 0;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
NGINX
} | sed "s/@LB_PORT@/$LB_PORT/" >"$DIR/nginx.conf"
nginx -t -q -c "$DIR/nginx.conf" -e "$DIR/nginx-error.log" || die "nginx refused the configuration"
nginx -c "$DIR/nginx.conf" -e "$DIR/nginx-error.log" &
PIDS+=($!)
wait_for_port "$LB_PORT" nginx

start_server() { # n, [restart]
  start_portal "$DATABASE_URL" "${port[$1]}" "cluster-$1" "${@:2}"
  server[$1]="$PORTAL_PID"
}
for n in $(seq 1 "$SERVERS"); do
  launch_portal "$DATABASE_URL" "${port[$n]}" "cluster-$n"
  server[$n]="$PORTAL_PID"
done
for n in $(seq 1 "$SERVERS"); do
  await_portal "${server[$n]}" "$DATABASE_URL" "${port[$n]}" "cluster-$n"
  server[$n]="$PORTAL_PID"
done
start_card_helper cluster-helper "$LB" --soft-token "$DIR/company.token" "${FILER_TOKENS[@]}"
HELPER="$HUJI_CARD_HELPER_URL"

say "scheduled jobs once: each due expiry notice sent once"
notices_sent() { sql "SELECT COUNT(*) FROM outbox WHERE to_addr LIKE 'notice-%' AND sent_at IS NOT NULL"; }
mails_once() { # every notice queued once and delivered once
  local until=$((SECONDS + 60)) queued
  while [ "$(notices_sent)" -lt 20 ]; do
    [ "$SECONDS" -lt "$until" ] || die "only $(notices_sent) of 20 expiry notices were sent"
    sleep 0.2
  done
  queued="$(sql "SELECT COUNT(*), COUNT(DISTINCT to_addr) FROM outbox WHERE to_addr LIKE 'notice-%'")"
  [ "$queued" = 20,20 ] || die "the expiry notices were queued as (rows, addresses) $queued, not 20,20"
  python3 - "$MAILDIR" <<'PY' || die "the expiry notices were not delivered once each"
import email, pathlib, re, sys
to = [email.message_from_bytes(p.read_bytes())["To"] or "" for p in pathlib.Path(sys.argv[1]).rglob("*.eml")
      if p.is_file()]
notices = sorted(m.group() for t in to if (m := re.search(r"notice-[0-9]+@example\.com", t)))
sys.exit(0 if len(notices) == 20 and len(set(notices)) == 20 else f"delivered: {notices}")
PY
}
mails_once

# Page views, public and the company's own, from here to the end: the load the steps below
# and the faults meet.
rm -f "$DIR/stop" "$DIR/cookies"
client_py browse "$LB" "$DIR/cookies" "$COMPANY" "$DIR/stop" "$DIR/views" &
browser=$!
PIDS+=("$browser")

say "sessions across the servers and one pending case per company"
servers="$(for n in $(seq 1 "$SERVERS"); do printf 'http://127.0.0.1:%s,' "${port[$n]}"; done)"
client_py sessions "$LB" "${servers%,}" "$HELPER" "Huji Soft Token (company)" "$PIN" 24941832 6 "$DIR/cookies" "$DIR/case"
IFS=, read -r case_id case_number <"$DIR/case"
[ "$(sql "SELECT COUNT(*) FROM api_cases WHERE business_id = '24941832' AND status = 'pending'")" = 1 ] ||
  die "the company has other than one pending case"

say "A-N6, single-use tokens and a rate limit, each at once across the servers"
# Ten people of the registry's end, twelve wrong 申請類別 each (the other two codes in turn).
tail -n 10 "$DIR/people" | awk -F, -v OFS=, '{ for (i = 0; i < 12; i++) { code = ($2 + i % 2) % 3 + 1
  print $1, code, $3, $4, "guess" } }' >"$DIR/guesses"
load_tokens "$DIR/guesses" "$DIR/guess-tokens"
paste -d, <(cut -d, -f1 "$DIR/guesses") "$DIR/guess-tokens" >"$DIR/guess-calls"
client_py guesses "$LB" "$DIR/guess-calls"
head -n 50 "$DIR/people" | awk '{ print $0 ",replay-" NR }' >"$DIR/replays"
load_tokens "$DIR/replays" "$DIR/replay-tokens"
client_py replays "$LB" "$DIR/replay-tokens"
# platform::challenge::ISSUE_LIMIT: 300 a client in 600 s. A draw across the window's turn is
# drawn again, as another client.
status=0
client_py challenges "$LB" 198.51.100.7 330 300 || status=$?
if [ "$status" = 3 ]; then client_py challenges "$LB" 198.51.100.8 330 300 || status=$?; fi
[ "$status" = 0 ] || die "the sign-in challenge limit did not hold across the servers"

say "verification calls, filings, loss reports and page views while servers die ($CALLS calls)"
load_calls "$DIR" "$CALLS"
load_begin "$DIR" "$LB" "$HELPER" "$THREADS"
logged_at_least $((CALLS / 3)) "$CLIENT"
say "SIGKILL to server 2 with $(answered) calls answered"
kill -KILL "${server[2]}"
server_gone "${server[2]}" || true
start_server 2 restart
restarted=$SECONDS
logged_at_least $((CALLS * 2 / 3)) "$CLIENT"
# nginx tries a server it found down again after fail_timeout (2 s): the next strike waits
# for server 2 to be back in the round, so that two servers are always there to answer.
while [ $((SECONDS - restarted)) -le 3 ]; do sleep 0.1; done
kill -0 "$CLIENT" 2>/dev/null || die "the clients ended before the strike"
say "SIGTERM to server 3 with $(answered) calls answered"
kill -TERM "${server[3]}"
server_gone "${server[3]}" || die "server 3, stopped by SIGTERM, exited with $? (137: it hung)"
start_server 3 restart
load_end "$DIR"
wait "$browser" || die "a page view failed while a server was down"
forget "$browser"

say "nothing lost, nothing done twice"
check_calls "$DIR" "$LB" "$THREADS"
[ "$(sql "SELECT number FROM api_cases WHERE id = '$case_id' AND status = 'pending'")" = "$case_number" ] ||
  die "the case $case_number the company was given is not pending"
check_filings "$DIR"
check_reports "$DIR"
mails_once
HUJI_AUDIT_CHECKPOINT_FILE="$WORK/cluster-1.audit-head" target/release/huji audit verify \
  || die "the audit chain does not verify after the faults"
