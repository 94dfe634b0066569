# Starts and stops the real services the tests talk to: an SMTP sink, a PostgreSQL cluster,
# pcscd with the virtual reader, and the portal itself. Each runs on loopback only, from
# $WORK, and is stopped by stop_services (registered as an EXIT trap by the callers).
# shellcheck shell=bash

PIDS=()
PG_DIR=""
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() { # port, what
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.2
  done
  die "$2 did not start on port $1"
}

start_smtp_sink() {
  SMTP_PORT="$(free_port)"
  MAILDIR="$WORK/maildir"
  rm -rf "$MAILDIR"
  "$WORK/venv/bin/python" "$ROOT/scripts/smtp-sink.py" "$SMTP_PORT" "$MAILDIR" >"$WORK/smtp-sink.log" 2>&1 &
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

stop_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}

# The portal from the release build, on its own port and database. Sets BASE_URL.
start_portal() { # database url, [port]
  local port="${2:-$(free_port)}"
  BASE_URL="http://127.0.0.1:$port"
  HUJI_BIND="127.0.0.1:$port" HUJI_PUBLIC_ORIGIN="$BASE_URL" DATABASE_URL="$1" \
    HUJI_SITE_ROOT="$ROOT/target/site" HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt" \
    HUJI_SMTP_URL="${HUJI_TEST_SMTP_URL:-}" \
    "$ROOT/target/release/huji" serve >"$WORK/portal.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$port" "the portal"
}

# The card helper for the portal at origin $1, with software cards (helper arguments after
# it). Sets and exports HUJI_CARD_HELPER_URL, which the portal's pages then use.
start_card_helper() { # origin, helper args...
  local origin="$1" port
  shift
  port="$(free_port)"
  "$ROOT/target/debug/huji-card-helper" --port "$port" --allow-origin "$origin" "$@" \
    >"$WORK/card-helper.log" 2>&1 &
  PIDS+=($!)
  wait_for_port "$port" "the card helper"
  export HUJI_CARD_HELPER_URL="http://127.0.0.1:$port"
}

stop_services() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  stop_postgres
}
