#!/usr/bin/env bash
# Runs the card helper's PC/SC tests (card-helper/tests/pcsc.rs) through a real pcscd with the
# vsmartcard vpcd reader. Starts a private pcscd (its own reader config and vpcd port, and, when
# run as root with `unshare`, its own socket so it never meets a system pcscd), tells the tests
# where it is with HUJI_PCSC_TEST_VPCD and PCSCLITE_CSOCK_NAME, and stops it on exit. Each test
# inserts its own virtual card (huji-virtual-card) and removes it when it is done.
# Extra arguments go to the test binary, e.g. `scripts/pcsc-test.sh pcsc_a_removed_card`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
command -v pcscd >/dev/null || die "pcscd is missing: apt-get install pcscd libpcsclite-dev"
[[ -f "$VPCD_DRIVER" ]] || die "the vpcd driver is missing: apt-get install vsmartcard-vpcd"

DIR="$WORK/pcsc"
rm -rf "$DIR" && mkdir -p "$DIR/reader.conf.d" "$DIR/run"
PCSCD_PID=""
stop_pcscd() {
  if [[ -n "$PCSCD_PID" ]] && kill -0 "$PCSCD_PID" 2>/dev/null; then
    kill "$PCSCD_PID" && wait "$PCSCD_PID" 2>/dev/null || true
  fi
}
trap stop_pcscd EXIT

# A free even port for slot 0 (vpcd also takes the next one for slot 1).
port_in_use() { ss -ltn "( sport = :$1 )" | grep -q LISTEN; }
PORT=""
for candidate in $(seq 41000 2 41200); do
  if ! port_in_use "$candidate" && ! port_in_use $((candidate + 1)); then PORT=$candidate; break; fi
done
[[ -n "$PORT" ]] || die "no free port pair for vpcd between 41000 and 41201"
cat >"$DIR/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:$(printf '0x%X' "$PORT")
LIBPATH      $VPCD_DRIVER
CHANNELID    $(printf '0x%X' "$PORT")
CONF

say "building the card helper and its tests"
cargo build --locked -p card-helper --bins --tests

say "starting pcscd with the vpcd reader on port $PORT"
# -a logs every APDU, test PINs included: never run this script against a real card.
if [[ $EUID -eq 0 ]] && unshare --mount true 2>/dev/null; then
  # /run/pcscd is replaced, in pcscd's own mount namespace only, by a private directory.
  mkdir -p /run/pcscd
  unshare --mount sh -c 'mount --bind "$1" /run/pcscd && exec pcscd -f -a -c "$2"' \
    sh "$DIR/run" "$DIR/reader.conf.d" >"$DIR/pcscd.log" 2>&1 &
  PCSCD_PID=$!
  export PCSCLITE_CSOCK_NAME="$DIR/run/pcscd.comm"
else
  if pgrep -x pcscd >/dev/null; then
    die "another pcscd is running and a private socket needs root and unshare: stop it first"
  fi
  pcscd -f -a -c "$DIR/reader.conf.d" >"$DIR/pcscd.log" 2>&1 &
  PCSCD_PID=$!
  export PCSCLITE_CSOCK_NAME=/run/pcscd/pcscd.comm
fi
for _ in $(seq 50); do
  [[ -S "$PCSCLITE_CSOCK_NAME" ]] && port_in_use "$PORT" && break
  kill -0 "$PCSCD_PID" 2>/dev/null || { cat "$DIR/pcscd.log"; die "pcscd exited"; }
  sleep 0.2
done
[[ -S "$PCSCLITE_CSOCK_NAME" ]] || { cat "$DIR/pcscd.log"; die "pcscd did not open $PCSCLITE_CSOCK_NAME"; }

say "PC/SC tests"
export HUJI_PCSC_TEST_VPCD="127.0.0.1:$PORT"
if ! cargo test --locked -p card-helper --test pcsc -- --test-threads=1 "$@"; then
  echo "--- last lines of $DIR/pcscd.log ---"
  tail -n 40 "$DIR/pcscd.log"
  die "PC/SC tests failed"
fi
