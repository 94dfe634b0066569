#!/usr/bin/env bash
# Installs whatever is missing, builds the release portal and the card helper, loads the demo
# registry on first start (SQLite under ./data), makes the development PKI and the demo
# software cards (data/demo/), starts the card helper with them and a local mail sink (every
# notice the portal sends lands, decoded, in data/demo/mail/) and serves the portal until
# Ctrl-C.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
cd "$ROOT"

"$ROOT/scripts/install-deps.sh"

say "building the portal (release; the first build takes several minutes)"
cargo leptos build --release --precompress --split
cargo build --release --locked -p card-helper

export DATABASE_URL="${DATABASE_URL:-sqlite:$ROOT/data/huji.db}"
export HUJI_SITE_ROOT="${HUJI_SITE_ROOT:-$ROOT/target/site}"
export HUJI_HOLIDAYS="${HUJI_HOLIDAYS:-$ROOT/server/data/holidays.txt}"
export HUJI_BIND="${HUJI_BIND:-127.0.0.1:3000}"
export HUJI_PUBLIC_ORIGIN="${HUJI_PUBLIC_ORIGIN:-http://$HUJI_BIND}"
export HUJI_CARD_HELPER_URL="${HUJI_CARD_HELPER_URL:-http://127.0.0.1:24170}"
export HUJI_LINK_SERVER_POOL="${HUJI_LINK_SERVER_POOL:-$DEMO_LINK_SERVER_POOL}"
# A demonstration is tried at any hour: the counters do not keep office hours (C-2) here.
export HUJI_COUNTER_HOURS="${HUJI_COUNTER_HOURS:-always}"
DEMO="$ROOT/data/demo"

say "loading demo data (only into an empty database)"
"$ROOT/target/release/huji" seed --citizens 10000 --companies 1000 --seed 20231117 --demo --if-empty

say "development PKI and demo cards (data/demo/; PINs in scripts/demo-cards.sh)"
mapfile -t TOKENS < <("$ROOT/scripts/demo-cards.sh" "$DEMO" demo)
[ "${#TOKENS[@]}" -gt 0 ] || die "making the demo cards failed"
export HUJI_TRUSTED_ROOTS="$DEMO/pki/trust"
# The development MOICA CA certifies the cards issued at the counter (C-2).
export HUJI_MOICA_CA_DIR="$DEMO/pki"
# The identity confirmation API's mutual-TLS listener (seed 003, docs/confirmation-api.md).
export HUJI_CONFIRM_BIND="${HUJI_CONFIRM_BIND:-127.0.0.1:3443}"
export HUJI_CONFIRM_TLS_CERT="${HUJI_CONFIRM_TLS_CERT:-$DEMO/confirm/listener.crt}"
export HUJI_CONFIRM_TLS_KEY="${HUJI_CONFIRM_TLS_KEY:-$DEMO/confirm/listener.key}"

say "starting the card helper (跨平台網頁元件) with the demo software cards at $HUJI_CARD_HELPER_URL"
"$ROOT/target/release/huji-card-helper" --port "${HUJI_CARD_HELPER_URL##*:}" \
  --allow-origin "$HUJI_PUBLIC_ORIGIN" "${TOKENS[@]}" &
HELPER=$!
trap 'kill $HELPER 2>/dev/null' EXIT

# The demo's mail goes to a sink on loopback that keeps each message, and a decoded .txt of it,
# in data/demo/mail/ (unless HUJI_SMTP_URL names a real server).
MAIL_DIR="$DEMO/mail"
if [ -z "${HUJI_SMTP_URL:-}" ]; then
  MAIL_PORT="$(free_port)"
  "$WORK/venv/bin/python" "$ROOT/scripts/smtp-sink.py" "$MAIL_PORT" "$MAIL_DIR" --text \
    >"$WORK/demo-mail.log" 2>&1 &
  SINK=$!
  trap 'kill $HELPER $SINK 2>/dev/null' EXIT
  wait_for_port "$MAIL_PORT" "the demo mail sink"
  export HUJI_SMTP_URL="smtp://127.0.0.1:$MAIL_PORT"
fi

say "starting the portal at $HUJI_PUBLIC_ORIGIN/"
echo "    company: $HUJI_PUBLIC_ORIGIN/company/sign-in  (統一編號 24941832, PIN 12345678)"
echo "    staff:   $HUJI_PUBLIC_ORIGIN/admin/sign-in    (PIN 123456)"
[ -z "${SINK:-}" ] || echo "    mail:    every notice the portal sends, decoded: $MAIL_DIR/*.txt (newest last)"
echo "    citizen certificate: apply at $HUJI_PUBLIC_ORIGIN/certificate/apply, issue as the registrar"
echo "             at $HUJI_PUBLIC_ORIGIN/admin/certificate/issue onto a blank card (docs/certificate.md):"
for blank in demo-blank-1 demo-blank-2; do
  echo "             $blank: card $(cat "$DEMO/cards/$blank.number" 2>/dev/null || echo "? (used)")"
done
echo "    identity confirmation: as 示範商業銀行 (demo-bank, 統一編號 88880005, PIN 12345678) request"
echo "             啟用 at $HUJI_PUBLIC_ORIGIN/confirmation/requests with $DEMO/confirm/demo-bank.crt"
echo "             (serial $(openssl x509 -noout -serial -in "$DEMO/confirm/demo-bank.crt" | cut -d= -f2)); approve it as the reviewer at"
echo "             $HUJI_PUBLIC_ORIGIN/admin/confirmation with today's date; then the API (mutual TLS)"
echo "             at https://$HUJI_CONFIRM_BIND answers the bank's system:"
echo "             curl --cert $DEMO/confirm/demo-bank.crt --key $DEMO/confirm/demo-bank.key \\"
echo "               --cacert $DEMO/pki/trust/gca.crt --json '{\"id_number\":\"A123456789\",\"card_number\":\"TP03000000087321\"}' \\"
echo "               https://localhost:${HUJI_CONFIRM_BIND##*:}/integration/confirmation/v1/confirm"
"$ROOT/target/release/huji" serve
