# Starts and stops the real services the tests talk to: an SMTP sink, a PostgreSQL cluster,
# pcscd with the virtual reader, and the portal itself. Each runs on loopback only, from
# $WORK, and is stopped by stop_services (registered as an EXIT trap by the callers).
# shellcheck shell=bash

PIDS=()
PG_DIR=""
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

free_port() { # [count]: that many distinct ports, one a line
  python3 -c 'import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets: s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in sockets))' "${1:-1}"
}

forget() { # pid: no longer one to stop at the end (it has ended; its number may be reused)
  local kept=() pid
  for pid in "${PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
}

port_in_use() { ss -ltn "( sport = :$1 )" | grep -q LISTEN; }

port_bindable() { # port: a listener could bind it now, on every address (as vpcd does)
  python3 -c 'import socket, sys
socket.socket().bind(("", int(sys.argv[1])))' "$1" 2>/dev/null
}

wait_for_port() { # port, what
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 did not start on port $1"
}

start_smtp_sink() { # [name]: its folder of mails, WORK/NAME (default maildir)
  SMTP_PORT="$(free_port)"
  MAILDIR="$WORK/${1:-maildir}"
  rm -rf "$MAILDIR"
  "$WORK/venv/bin/python" "$ROOT/scripts/smtp-sink.py" "$SMTP_PORT" "$MAILDIR" >"$MAILDIR.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$SMTP_PORT" "the SMTP sink"
  export HUJI_TEST_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
  export HUJI_TEST_MAILDIR="$MAILDIR"
}

start_postgres() {
  [ -n "$PG_BIN" ] || die "PostgreSQL is not installed (scripts/install-deps.sh installs it)"
  PG_PORT="$(free_port)"
  PG_DIR="$(mktemp -d /tmp/huji-pg.XXXXXX)"
  chown postgres "$PG_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 >"$WORK/postgres-init.log"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=300 -c fsync=off" start >/dev/null
  export HUJI_TEST_POSTGRES_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}

# What a failed PostgreSQL run leaves to go on: the disk and the server's own log.
postgres_diagnostics() {
  df -h "$PG_DIR" >&2 || true
  tail -n 40 "$PG_DIR/log" >&2 || true
}

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}

# A private pcscd with the vsmartcard vpcd reader: its own reader config and vpcd port, and,
# when run as root with `unshare`, its own socket so that it never meets a system pcscd.
# Exports PCSCLITE_CSOCK_NAME (where PC/SC clients find it) and sets VPCD_PORT (where a
# virtual card connects: huji-virtual-card --vpcd 127.0.0.1:$VPCD_PORT).
start_pcscd() {
  local driver=/usr/lib/pcsc/drivers/serial/libifdvpcd.so dir="$WORK/pcsc" pid candidate
  command -v pcscd >/dev/null || die "pcscd is missing: apt-get install pcscd libpcsclite-dev"
  [[ -f "$driver" ]] || die "the vpcd driver is missing: apt-get install vsmartcard-vpcd"
  rm -rf "$dir" && mkdir -p "$dir/reader.conf.d" "$dir/run"
  # A free even port for slot 0 (vpcd also takes the next one for slot 1), below the
  # ephemeral range (32768-60999): after a load test, closed client connections hold ports
  # there in TIME_WAIT, which no listener shows but which keep vpcd from binding.
  VPCD_PORT=""
  for candidate in $(seq 24000 2 24200); do
    if port_bindable "$candidate" && port_bindable $((candidate + 1)); then VPCD_PORT=$candidate; break; fi
  done
  [[ -n "$VPCD_PORT" ]] || die "no free port pair for vpcd between 24000 and 24201"
  cat >"$dir/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$(printf '0x%X' "$VPCD_PORT")
LIBPATH      $driver
CHANNELID    $(printf '0x%X' "$VPCD_PORT")
CONF
  say "starting pcscd with the vpcd reader on port $VPCD_PORT"
  # -a logs every APDU, test PINs included: never use this pcscd with a real card.
  if [[ $EUID -eq 0 ]] && unshare --mount true 2>/dev/null; then
    # /run/pcscd is replaced, in pcscd's own mount namespace only, by a private directory.
    mkdir -p /run/pcscd
    unshare --mount sh -c 'mount --bind "$1" /run/pcscd && exec pcscd -f -a -c "$2"' \
      sh "$dir/run" "$dir/reader.conf.d" >"$dir/pcscd.log" 2>&1 &
    pid=$!
    export PCSCLITE_CSOCK_NAME="$dir/run/pcscd.comm"
  else
    if pgrep -x pcscd >/dev/null; then
      die "another pcscd is running and a private socket needs root and unshare: stop it first"
    fi
    pcscd -f -a -c "$dir/reader.conf.d" >"$dir/pcscd.log" 2>&1 &
    pid=$!
    export PCSCLITE_CSOCK_NAME=/run/pcscd/pcscd.comm
  fi
  PIDS+=("$pid")
  for _ in $(seq 50); do
    [[ -S "$PCSCLITE_CSOCK_NAME" ]] && port_in_use "$VPCD_PORT" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$dir/pcscd.log"; die "pcscd exited"; }
    sleep 0.2
  done
  cat "$dir/pcscd.log"
  die "pcscd did not open $PCSCLITE_CSOCK_NAME and vpcd port $VPCD_PORT"
}

# The portal from the release build, on its own port and database, its pages using the card
# helper at HUJI_CARD_HELPER_URL (when set). The browser tests run on the real clock, so the
# counters are open at any hour (the hours themselves are proved on a fixed clock). Sets BASE_URL. A second portal on the same
# database needs its own NAME (for its log). Behind a load balancer, PUBLIC_ORIGIN is the
# address people use (the balancer's), which is every server's public origin.
start_portal() { # database url, [port], [name], [restart], [attempt]
  launch_portal "$@"
  await_portal "$PORTAL_PID" "$1" "$PORTAL_PORT" "${@:3}"
}

# start_portal's first half: starts the portal and sets PORTAL_PID and PORTAL_PORT without
# waiting for it, so that several can start at once (then await_portal each).
launch_portal() { # as start_portal
  local port="${2:-$(free_port)}" name="${3:-portal}"
  BASE_URL="http://127.0.0.1:$port"
  # Each portal's database is its own: so is its audit checkpoint (made afresh with it). A
  # restart of the same portal keeps its checkpoint, and adds to its log.
  [ "${4:-}" = restart ] || rm -f "$WORK/$name.audit-head" "$WORK/$name.log"
  HUJI_AUDIT_CHECKPOINT_FILE="$WORK/$name.audit-head" \
  HUJI_BIND="127.0.0.1:$port" HUJI_PUBLIC_ORIGIN="${PUBLIC_ORIGIN:-$BASE_URL}" DATABASE_URL="$1" \
    HUJI_SITE_ROOT="$ROOT/target/site" HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt" \
    HUJI_SMTP_URL="${HUJI_TEST_SMTP_URL:-}" HUJI_LINK_SERVER_POOL="$DEMO_LINK_SERVER_POOL" \
    HUJI_COUNTER_HOURS=always \
    "$ROOT/target/release/huji" serve >>"$WORK/$name.log" 2>&1 &
  PORTAL_PID=$!
  PORTAL_PORT="$port"
  PIDS+=("$PORTAL_PID")
}

# start_portal's second half: waits for the portal launched as PID to listen on its port. Sets
# PORTAL_PID to the portal that runs (another when it had to be started again).
await_portal() { # pid, database url, port, [name], [restart], [attempt]
  local pid="$1" port="$3" name="${4:-portal}"
  BASE_URL="http://127.0.0.1:$port"
  # A server that exits while starting (a database that did not take its connections in
  # time, right after another server was killed) is started again, as a service manager
  # would; the third failure is the test's.
  for _ in $(seq 1 100); do
    local ended=false
    if grep -qs '^State:[[:space:]]*Z' "/proc/$pid/status" || [ ! -e "/proc/$pid" ]; then ended=true; fi
    # Listening, and still running: not another program that had the port.
    if ! "$ended" && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      PORTAL_PID="$pid"
      return 0
    fi
    if "$ended"; then
      wait "$pid" 2>/dev/null || true
      forget "$pid"
      [ "${6:-1}" -lt 3 ] || { tail -n 5 "$WORK/$name.log" >&2; die "the portal ($name) exited while starting"; }
      say "the portal ($name) exited while starting: starting it again"
      start_portal "$2" "$port" "$name" restart "$((${6:-1} + 1))"
      return
    fi
    sleep 0.2
  done
  die "the portal ($name) did not start on port $port"
}

# A verification-API grant for 127.0.0.1, as if API申請 had been approved and 憑證上傳 done (a
# fixture row: the portal's own steps are the tests'), with a new API certificate made with the
# development PKI in PKI_DIR: OUT.crt and OUT.key. SQL_FN is a function running one statement
# against the database. Release build.
api_grant_fixture() { # sql-fn, pki-dir, out, business-id, ap-id, isskey, company name
  "$ROOT/target/release/huji" pki issue api --dir "$2" --out "$3" --business-id "$4" --name "$7" >/dev/null
  local now
  now="$(date +%s)"
  "$1" "INSERT INTO api_grants (business_id, ap_id, company_name, host_ip, contact, landline,
      mobile, email, status, status_changed_at, approved_at, certificate_pem, isskey)
    VALUES ('$4', '$5', '$7', '127.0.0.1', '郭總裁', '(02)3939889', '0910123321',
      'fixture@example.com', 'active', $now, $now, '$(cat "$3.crt")', '$6')" >/dev/null
}

# COUNT people of the registry with a current card, as verification queries
# `personId,applyCode,applyYyymmdd,issueSiteId`; ORDER is `random()` or a column.
registry_cards() { # sql-fn (comma-separated rows), count, order
  "$1" "SELECT c.national_id, CAST(i.apply_code AS INTEGER), i.issue_date, i.issue_site_id
      FROM citizens c JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current
      WHERE c.id_status = 'active' ORDER BY $3 LIMIT $2" |
    awk -F, -v OFS=, '{ split($3, d, "-"); printf "%s,%s,%03d%s%s,%s\n", $1, $2, d[1] - 1911, d[2], d[3], $4 }'
}

# A card helper (target/debug) answering the portal at ORIGIN, with its arguments after it
# (--soft-token FILE…, or none for the PC/SC readers). Sets and exports HUJI_CARD_HELPER_URL.
start_card_helper() { # name, origin, helper args...
  local name="$1" origin="$2" port
  shift 2
  port="$(free_port)"
  "$ROOT/target/debug/huji-card-helper" --port "$port" --allow-origin "$origin" "$@" \
    >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$port" "the card helper ($name)"
  export HUJI_CARD_HELPER_URL="http://127.0.0.1:$port"
}

stop_services() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  stop_postgres
}
