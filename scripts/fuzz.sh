#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target in fuzz/fuzz_targets (issue 22 item 5): the parsers of what
# anyone may type or send (the validated form types, certificates, the holiday table). Each
# target starts from its kept corpus, fuzz/corpus/TARGET, which is replayed first, and then
# runs for SECONDS; it fails on a panic (a failed round trip is one), an input that takes over
# 10 s, or one that makes it use over 2 GiB.
#
# Built with cargo-fuzz on the stable toolchain, without a sanitizer (AddressSanitizer needs a
# nightly compiler, which this project's machines do not have; the code fuzzed is safe Rust),
# unoptimized, so that debug assertions and integer-overflow checks are on.
#
# Usage: scripts/fuzz.sh [--keep] [SECONDS] [TARGET...]
#   SECONDS: per target (default 5, as the test command runs it; a few minutes by hand).
#   --keep:  merge what this run found into the kept corpus afterwards (fuzz/corpus, to
#            commit), keeping only inputs that add coverage.
# A crash leaves its input in .work/fuzz/artifacts/TARGET/: make it a unit test of the parser
# (named after the rule it broke) and add it to fuzz/corpus/TARGET, so every run replays it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT/fuzz"

keep=false SECONDS_EACH=5
if [ "${1:-}" = --keep ]; then keep=true; shift; fi
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then SECONDS_EACH="$1"; shift; fi
[ "$SECONDS_EACH" -ge 1 ] || die "SECONDS is at least 1"
mapfile -t targets < <(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else cargo fuzz list; fi)

say "building the fuzz targets"
cargo fuzz build --sanitizer none --dev --target-dir "$ROOT/fuzz/target"
# cargo-fuzz has no --locked: the lock file must have been right as committed.
git -C "$ROOT" diff --quiet -- fuzz/Cargo.lock || die "fuzz/Cargo.lock changed in the build: commit it"

# The targets are run as built, not through `cargo fuzz run`, which would ask cargo again for
# each.
BIN="$ROOT/fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/debug"
FOUND="$WORK/fuzz/corpus" ARTIFACTS="$WORK/fuzz/artifacts"
for target in "${targets[@]}"; do
  [ -x "$BIN/$target" ] || die "no fuzz target $target in $BIN (cargo fuzz list names them)"
  [ -d "corpus/$target" ] || die "no kept corpus for $target: make fuzz/corpus/$target with a few valid inputs"
  mkdir -p "$FOUND/$target" "$ARTIFACTS/$target"
  say "fuzzing $target for ${SECONDS_EACH} s"
  # New inputs go to the first folder (.work), never into the kept corpus.
  if ! "$BIN/$target" "$FOUND/$target" "corpus/$target" \
      -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -artifact_prefix="$ARTIFACTS/$target/" -print_final_stats=1 2>"$WORK/fuzz/$target.log"; then
    tail -n 40 "$WORK/fuzz/$target.log"
    die "$target failed: its input is in $ARTIFACTS/$target/ (make it a test, then add it to fuzz/corpus/$target)"
  fi
  grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$WORK/fuzz/$target.log" | tr '\n' ' '
  echo
  if "$keep"; then
    "$BIN/$target" -merge=1 -max_len=8192 "corpus/$target" "$FOUND/$target" 2>>"$WORK/fuzz/$target.log"
  fi
done
