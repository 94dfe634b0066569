#!/usr/bin/env bash
# Runs the card helper's PC/SC tests (card-helper/tests/pcsc.rs) through a real pcscd with the
# vsmartcard vpcd reader. Starts a private pcscd (its own reader config and vpcd port, and, when
# run as root with `unshare`, its own socket so it never meets a system pcscd), tells the tests
# where it is with HUJI_PCSC_TEST_VPCD and PCSCLITE_CSOCK_NAME, and stops it on exit. Each test
# inserts its own virtual card (huji-virtual-card) and removes it when it is done.
# Extra arguments go to the test binary, e.g. `scripts/pcsc-test.sh pcsc_a_removed_card`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
trap stop_services EXIT
cd "$ROOT"

say "building the card helper and its tests"
cargo build --locked -p card-helper --bins --tests
start_pcscd

say "PC/SC tests"
export HUJI_PCSC_TEST_VPCD="127.0.0.1:$VPCD_PORT"
if ! cargo test --locked -p card-helper --test pcsc -- --test-threads=1 "$@"; then
  echo "--- last lines of $WORK/pcsc/pcscd.log ---"
  tail -n 40 "$WORK/pcsc/pcscd.log"
  die "PC/SC tests failed"
fi
