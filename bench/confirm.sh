#!/usr/bin/env bash
# The identity confirmation API under load (issue 19, I-3): seeds 1,000,000 citizens, records
# HOLDERS of them (default 200) as holders of citizen certificates, registers a bank's system
# by its XCA server certificate, starts the release server with the API's mutual-TLS listener
# and drives it over loopback with keep-alive connections (bench/confirm-load, as wrk cannot
# present a client certificate). The mix: 80% a holder's card number and ID number (belongs,
# valid), 15% a card number no one holds with a registry person's ID number (does not
# belong; each card asked once, so no card reaches its 5 misses a day), 5% a malformed ID
# number (400 malformed_id). Prints, in one run: the most confirmations a second with p50/p99,
# p99 at half that rate, the most nonces a second (POST /integration/confirmation/v1/nonce:
# a constant answer behind the same TLS handshake and checks — the system by its certificate,
# in service, its certificate checking, its rate) and the ratio of the two rates.
# Usage: bench/confirm.sh [--postgres] [CITIZENS]
#   --postgres: a throw-away local PostgreSQL (scripts/services.sh) instead of a SQLite file.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
source "$ROOT/scripts/services.sh"
source "$ROOT/bench/database.sh"
trap stop_services EXIT
cd "$ROOT"

backend=sqlite
if [ "${1:-}" = "--postgres" ]; then backend=postgres; shift; fi
citizens="${1:-1000000}"
holders="${HOLDERS:-200}"
[ -x target/release/huji ] || die "build first: cargo build --release -p server --bin huji"
command -v sqlite3 >/dev/null || apt-get install -y sqlite3 >/dev/null || die "sqlite3 is missing"

say "building the load client (bench/confirm-load)"
cp Cargo.lock bench/confirm-load/Cargo.lock
cargo build --release --quiet --manifest-path bench/confirm-load/Cargo.toml \
  --target-dir "$WORK/confirm-load-target"
LOAD="$WORK/confirm-load-target/release/confirm-load"

DIR="$WORK/bench-confirm"
bench_database "$DIR" "$backend"
export HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt" HUJI_ID_HASH_KEY_FILE="$DIR/id-hash.key"

say "seeding $citizens citizens ($backend)"
target/release/huji seed --citizens "$citizens" --companies 1000 --seed 1 --demo >"$DIR/seed.log"

say "recording $holders citizen certificates and the bank's system"
huji() { target/release/huji "$@"; }
huji pki init --dir "$DIR/pki" >/dev/null
huji pki crl --dir "$DIR/pki" >/dev/null
export HUJI_TRUSTED_ROOTS="$DIR/pki/trust"
huji pki issue server --dir "$DIR/pki" --out "$DIR/listener" --ca gca --org 內政部 --dns localhost >/dev/null
huji pki issue server --dir "$DIR/pki" --out "$DIR/bank" --ca xca --org 示範商業銀行股份有限公司 \
  --dns bank.example.com >/dev/null
huji confirmation register --kind financial --organisation 示範商業銀行股份有限公司 \
  --address 臺北市中正區重慶南路一段122號 --system-name 網路銀行 --certificate "$DIR/bank.crt" \
  --serial "$(openssl x509 -noout -serial -in "$DIR/bank.crt" | cut -d= -f2)" \
  --opens "$(TZ=Asia/Taipei date -d yesterday +%F)" --daily-quota 100000000 >/dev/null
sql "SELECT national_id, name FROM citizens WHERE id_status = 'active' ORDER BY random()
     LIMIT $((holders * 2))" | tr -d "\r" >"$DIR/people"
: >"$DIR/holders"
mkdir -p "$DIR/cards"
n=0
while IFS=, read -r id name && [ "$n" -lt "$holders" ]; do
  card="$(printf 'TP03%012d' "$((n + 1))")"
  huji pki issue citizen --dir "$DIR/pki" --out "$DIR/cards/$n" --name "$name" --id-last4 "${id: -4}" >/dev/null
  huji moica record --certificate "$DIR/cards/$n.crt" --citizen "$id" --card-number "$card" >/dev/null
  echo "$id,$card" >>"$DIR/holders"
  n=$((n + 1))
done < <(head -n "$holders" "$DIR/people")
tail -n "$holders" "$DIR/people" | cut -d, -f1 >"$DIR/strangers"

# The bodies, 20 to a round: 16 holders, 3 strangers' ID numbers with unheld cards, 1 malformed.
python3 - "$DIR" <<'PY'
import json, sys
d = sys.argv[1]
holders = [line.strip().split(",") for line in open(f"{d}/holders")]
strangers = [line.strip() for line in open(f"{d}/strangers")]
with open(f"{d}/bodies", "w") as out:
    for i in range(400_000):
        n = i % 20
        if n < 16:
            person, card = holders[i % len(holders)]
        elif n < 19:
            person, card = strangers[i % len(strangers)], "TP09%012d" % i
        else:
            person, card = "A12345678X", "TP03000000000001"
        out.write(json.dumps({"id_number": person, "card_number": card}) + "\n")
PY

PORT="$(free_port)"
export HUJI_CONFIRM_BIND="127.0.0.1:$PORT" HUJI_CONFIRM_TLS_CERT="$DIR/listener.crt" \
  HUJI_CONFIRM_TLS_KEY="$DIR/listener.key"
# The limits guard real systems; the benchmark is one system calling as fast as it can.
export HUJI_CONFIRM_RATE_PER_SECOND=100000000 RUST_LOG=warn
start_portal "$DATABASE_URL" "" bench-portal
wait_for_port "$PORT" "the confirmation API"
CONNECTIONS=64 SECONDS_PER_RUN=10

load() { # path bodies rate
  "$LOAD" "127.0.0.1:$PORT" "$1" "$DIR/bank.crt" "$DIR/bank.key" "$DIR/pki/trust/gca.crt" "$2" \
    "$CONNECTIONS" "$SECONDS_PER_RUN" "$3" | grep '^RESULT' | sed 's/^RESULT //'
}
field() { sed -E "s/.*$1=([^ ]+).*/\1/" <<<"$2"; }
CONFIRM=/integration/confirmation/v1/confirm
NONCE=/integration/confirmation/v1/nonce

say "warming up"
load "$CONFIRM" "$DIR/bodies" 0 >/dev/null
say "confirmations at full speed"
full="$(load "$CONFIRM" "$DIR/bodies" 0)"
echo "$full"
[ "$(field other "$full")" = 0 ] || die "some calls were answered otherwise: the run is not valid"
rate="$(field rate "$full")"
say "confirmations at half that rate"
half="$(load "$CONFIRM" "$DIR/bodies" "$((rate / 2))")"
echo "$half"
say "nonces at full speed (the constant answer behind the same checks)"
nonces="$(load "$NONCE" - 0)"
echo "$nonces"
[ "$(field other "$nonces")" = 0 ] || die "some nonces were refused: the run is not valid"
say "summary"
echo "confirmations/s: $rate (p50 $(field p50_ms "$full") ms, p99 $(field p99_ms "$full") ms)"
echo "p99 at half rate: $(field p99_ms "$half") ms (achieved $(field rate "$half")/s)"
echo "nonces/s: $(field rate "$nonces")"
awk -v a="$rate" -v b="$(field rate "$nonces")" 'BEGIN { printf "ratio: %.2f\n", a / b }'
echo "calls logged: $(sql "SELECT COUNT(*) FROM confirmation_calls")"
