#!/usr/bin/env bash
# Makes the development PKI, software cards (soft tokens) and their staff accounts under DIR,
# then prints the --soft-token arguments for huji-card-helper. Idempotent: existing cards are
# kept (with their PIN counters), CRLs are published afresh, staff bindings are added if
# missing. Needs the portal's database settings (DATABASE_URL…) in the environment, a seeded
# registry (household offices), and the binaries in HUJI_BIN (default target/release).
#
#   scripts/demo-cards.sh DIR demo|e2e
#
# Cards (PIN / 用戶代碼 87654321 for all):
#   demo:  demo-company   蝦蝦樂購股份有限公司 24941832, 工商憑證, PIN 12345678
#          demo-agency    臺北市政府警察局 379130000C, 機關憑證 (GCA), PIN 12345678
#          demo-agency-ntpc 新北市政府警察局 382130000C, 機關憑證 (GCA), PIN 12345678
#          demo-reviewer  林美玲, 內政部戶政司審核人員 (national), 自然人憑證, PIN 123456
#          demo-engineer  周建國, 內政部資訊服務司人員 (national), 自然人憑證, PIN 123456
#          demo-county    陳志豪, 臺北市 民政局 戶役政單位人員 (county officer; household-data
#                         agency linking), PIN 123456
#          demo-military  張國華, 臺北市 役政單位人員 (county military officer; military-data
#                         agency linking), PIN 123456
#          demo-cht       王建民, 中華電信工程人員 (national; agency linking), PIN 123456
#          demo-clerk     李小華, 戶政事務所承辦人員 at 臺北市大安區戶政事務所 (王小明's), PIN 123456
#          demo-wang      王小明 (A123456789), his own 自然人憑證, card TP03000000087321, PIN 730101
#          demo-registrar 陳建志, 戶政事務所登記主管 at 新北市板橋區戶政事務所, PIN 123456 (issues cards
#                         at the counter, C-2, to citizens of anywhere)
#          demo-lin       林美玲's (F228135791) own 自然人憑證, card TP03000000054321, PIN 790715,
#                         expiring 45 days after it is made: inside the 展期 window (C-4)
#          demo-zhou-renew 周淑芬's (F225308407) extended 自然人憑證, card TP03000000054322,
#                         PIN 541108, at the end of its 8 years (40 days left): inside the
#                         線上續卡 window
#          demo-blank-1, demo-blank-2  blank 自然人憑證 IC cards for counter issuance (made once,
#                         each card number printed in DIR/cards/demo-blank-*.number; remove
#                         DIR/cards/demo-blank-*.token for fresh ones)
#   e2e:   e2e-company (蝦蝦樂購, PIN 73019485), e2e-company-spare (PIN 61827354),
#          e2e-agency (臺北市政府警察局 379130000C, 機關憑證, PIN 52718364), e2e-reviewer (林美玲),
#          e2e-agency-ntpc (新北市政府警察局 382130000C, 機關憑證, PIN 48261537: another agency,
#          in another county), e2e-engineer (周建國, 資訊服務司), e2e-county (陳志豪, 臺北市
#          戶役政單位), e2e-county-ntpc (高文彬, 新北市 戶役政單位), e2e-cht (王建民, 中華電信),
#          e2e-clerk (李小華, 戶政事務所承辦人員 at 臺北市大安區戶政事務所 63000030), PIN 123456,
#          e2e-wang (王小明's own 自然人憑證, card TP03000000087321, PIN 730101),
#          e2e-pin (林美玲's 自然人憑證 for the PIN change and unlock tests, PIN 790715),
#          e2e-registrar (陳建志, 登記主管 at 新北市板橋區戶政事務所 65000010, PIN 123456),
#          e2e-extend (林美玲's own 自然人憑證, card TP03000000054321, PIN 790715, expiring in
#          30 days: inside the 展期 window, C-4), e2e-renew (周淑芬's extended 自然人憑證, card
#          TP03000000054322, PIN 541108, 20 days before its 8-year end: 線上續卡),
#          e2e-blank-renewal (a blank card, fresh every run, for the renewal a registrar fulfils),
#          e2e-blank (a blank card, made afresh on every run, for counter issuance);
#          and e2e-pcsc-company (PIN 73019485), not a soft token but the virtual card for the
#          vpcd reader (huji-virtual-card --state DIR/cards/e2e-pcsc-company.token)
# API certificates (憑證上傳, not cards): DIR/api/demo-company-api.cer and
# DIR/api/e2e-company-api.cer of 蝦蝦樂購, each with its .key.
# Link certificates (agency linking step 11, not cards): DIR/link/demo-agency-link.crt and
# DIR/link/e2e-agency-link.crt of 臺北市政府警察局, each with its .key; and for the demo a PDF to
# file as each of the documents, DIR/link/sample-document.pdf.
# Identity confirmation (seed 003): DIR/confirm/listener.crt and .key, the portal's own
# certificate on the mutual-TLS listener (GCA, for localhost, demo only); the server
# certificates (with their keys) that 示範商業銀行 (demo-bank, e2e-bank: XCA; its 工商憑證 card
# demo-bank, PIN 12345678, or e2e-bank, PIN 27350914) and 臺北市政府警察局 (e2e-police: GCA)
# upload with their 啟用 requests, and present as TLS client certificates once approved.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="${1:?usage: demo-cards.sh DIR demo|e2e}"
SET="${2:?usage: demo-cards.sh DIR demo|e2e}"
BIN="${HUJI_BIN:-$ROOT/target/release}"
USER_CODE="87654321"
TOKENS=()

"$BIN/huji" pki init --dir "$DIR/pki" >/dev/null
"$BIN/huji" pki crl --dir "$DIR/pki" >/dev/null
mkdir -p "$DIR/cards"
export HUJI_TRUSTED_ROOTS="$DIR/pki/trust"

# A card's state file, DIR/cards/NAME.token: a soft token for the helper, or the state of a
# virtual card that huji-virtual-card plays in the vpcd reader.
make_card() { # name pin kind issue-args...
  local name="$1" pin="$2" kind="$3" out="$DIR/cards/$1"
  shift 3
  if [ ! -f "$out.token" ]; then
    "$BIN/huji" pki issue "$kind" --dir "$DIR/pki" --out "$out" "$@" >/dev/null
    "$BIN/huji-virtual-card" --init --state "$out.token" --key "$out.key" --certificate "$out.crt" \
      --pin "$pin" --user-code "$USER_CODE" >/dev/null
    rm -f "$out.key" # the key lives in the token only, as on a card
  fi
}

card() { # a soft token: make_card's arguments
  make_card "$@"
  TOKENS+=("--soft-token" "$DIR/cards/$1.token")
}

# A blank card (no key, not activated) for counter issuance, as the factory makes it: a printed
# number no other card had (DIR/cards/NAME.number) and the factory key the card management
# centre derives from it, with which the card attests the key it makes (issue 21 item 10). Its
# factory PIN and user code are replaced by the applicant's at personalisation. `fresh`
# replaces a used one.
blank() { # name [fresh]
  local out="$DIR/cards/$1" number
  # An unused card made before blank cards had factory keys is made again; a used one is kept.
  if [ ! -f "$out.token" ] || [ "${2:-}" = fresh ] || { grep -q '"activated": false' "$out.token" &&
    { ! grep -q '"factory"' "$out.token" || [ ! -f "$out.number" ]; }; }; then
    number="$(printf 'TP04%012d' "$(( $(date +%s%N) % 1000000000000 ))")"
    rm -f "$out.factory" "$out.number"
    "$BIN/huji" pki card-factory-key --dir "$DIR/pki" --card-number "$number" \
      --out "$out.factory" >/dev/null
    # The key lives in the card only, whether or not the card was made.
    "$BIN/huji-virtual-card" --init --blank --force --state "$out.token" --card-number "$number" \
      --factory-key "$out.factory" --pin 000000 --user-code FACTORY1 >/dev/null ||
      { rm -f "$out.factory"; die "making the blank card $1 failed"; }
    rm -f "$out.factory"
    echo "$number" >"$out.number"
  fi
  TOKENS+=("--soft-token" "$out.token")
}

holder() { # name national-id card-number [record-args…]: records a citizen card as the registry person's
  "$BIN/huji" moica record --if-unrecorded --certificate "$DIR/cards/$1.crt" --citizen "$2" \
    --card-number "$3" "${@:4}" >/dev/null
}

# 周淑芬's card near the end of its 8 years: made to expire in DAYS days and recorded as
# extended once, from 3 years before that (線上續卡, C-4). Her only card: one person holds one
# certificate in force (C-2).
eight_years_old() { # name card-number days
  card "$1" 541108 citizen --name 周淑芬 --id-last4 8407 --days "$3"
  holder "$1" F225308407 "$2" --extended-from "$(date -d "+$3 days -3 years" +%F)"
}

# A company's API certificate (seed 000 憑證上傳): DIR/api/NAME.cer (Base64 PEM, the file the
# company uploads) and DIR/api/NAME.key (the key its server signs API requests with).
api_certificate() { # name business-id company-name
  local out="$DIR/api/$1"
  mkdir -p "$DIR/api"
  if [ ! -f "$out.cer" ]; then
    "$BIN/huji" pki issue api --dir "$DIR/pki" --out "$out" --business-id "$2" --name "$3" >/dev/null
    mv "$out.crt" "$out.cer"
  fi
}

# The 機關憑證 an agency's system signs its calls to the link with (seed 001 step 11):
# DIR/link/NAME.crt (pasted at step 11) and DIR/link/NAME.key (for huji agency-token).
link_certificate() { # name agency-code agency-name
  local out="$DIR/link/$1"
  mkdir -p "$DIR/link"
  if [ ! -f "$out.crt" ]; then
    "$BIN/huji" pki issue agency --dir "$DIR/pki" --out "$out" --agency-code "$2" --name "$3" >/dev/null
  fi
}

# A server certificate (DIR/confirm/NAME.crt and .key).
server_certificate() { # name ca organisation dns
  local out="$DIR/confirm/$1"
  mkdir -p "$DIR/confirm"
  [ -f "$out.crt" ] ||
    "$BIN/huji" pki issue server --dir "$DIR/pki" --out "$out" --ca "$2" --org "$3" --dns "$4" >/dev/null
}

# A one-page PDF that stands in for the scanned, sealed documents an agency files at step 1
# of seed 001 (申請表, 資料項目表, …): DIR/link/sample-document.pdf.
sample_document() {
  mkdir -p "$DIR/link"
  [ -f "$DIR/link/sample-document.pdf" ] || python3 - "$DIR/link/sample-document.pdf" <<'PDF'
import sys
objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
    b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
]
text = b"BT /F1 24 Tf 72 760 Td (Huji demo document) Tj ET"
objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
body, offsets = b"%PDF-1.4\n", []
for number, content in enumerate(objects, 1):
    offsets.append(len(body))
    body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
xref = len(body)
body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
open(sys.argv[1], "wb").write(body)
PDF
}

staff() { # name role jurisdiction [notice e-mail]
  "$BIN/huji" staff add --if-unbound --certificate "$DIR/cards/$1.crt" --role "$2" --jurisdiction "$3" \
    ${4:+--email "$4"} >/dev/null
}

case "$SET" in
  demo)
    card demo-company 12345678 business --business-id 24941832 --name 蝦蝦樂購股份有限公司
    card demo-agency 12345678 agency --agency-code 379130000C --name 臺北市政府警察局
    card demo-agency-ntpc 12345678 agency --agency-code 382130000C --name 新北市政府警察局
    card demo-reviewer 123456 citizen --name 林美玲 --id-last4 5791
    card demo-engineer 123456 citizen --name 周建國 --id-last4 2468
    card demo-clerk 123456 citizen --name 李小華 --id-last4 1357
    card demo-wang 730101 citizen --name 王小明 --id-last4 6789
    holder demo-wang A123456789 TP03000000087321
    staff demo-reviewer ministry_reviewer national reviewer@example.com
    staff demo-engineer information_services national engineer@example.com
    card demo-county 123456 citizen --name 陳志豪 --id-last4 3690
    card demo-military 123456 citizen --name 張國華 --id-last4 8024
    card demo-cht 123456 citizen --name 王建民 --id-last4 4812
    staff demo-county county_officer county:臺北市 county.tpe@example.com
    staff demo-military county_military_officer county:臺北市 military.tpe@example.com
    staff demo-cht cht_engineer national cht@example.com
    card demo-registrar 123456 citizen --name 陳建志 --id-last4 2580
    card demo-lin 790715 citizen --name 林美玲 --id-last4 5791 --days 45
    holder demo-lin F228135791 TP03000000054321
    eight_years_old demo-zhou-renew TP03000000054322 40
    blank demo-blank-1
    blank demo-blank-2
    staff demo-clerk household_clerk office:63000030
    staff demo-registrar household_registrar office:65000010
    api_certificate demo-company-api 24941832 蝦蝦樂購股份有限公司
    link_certificate demo-agency-link 379130000C 臺北市政府警察局
    sample_document
    server_certificate listener gca 內政部 localhost
    # 示範商業銀行 requests the identity confirmation service in the browser (README) with this
    # server certificate, and its system calls the API with it once the reviewer approves.
    card demo-bank 12345678 business --business-id 88880005 --name 示範商業銀行股份有限公司
    server_certificate demo-bank xca 示範商業銀行股份有限公司 bank.example.com
    ;;
  e2e)
    card e2e-company 73019485 business --business-id 24941832 --name 蝦蝦樂購股份有限公司
    card e2e-company-spare 61827354 business --business-id 24941832 --name 蝦蝦樂購股份有限公司
    card e2e-agency 52718364 agency --agency-code 379130000C --name 臺北市政府警察局
    card e2e-reviewer 123456 citizen --name 林美玲 --id-last4 5791
    card e2e-clerk 123456 citizen --name 李小華 --id-last4 1357
    card e2e-wang 730101 citizen --name 王小明 --id-last4 6789
    holder e2e-wang A123456789 TP03000000087321
    card e2e-pin 790715 citizen --name 林美玲 --id-last4 5791
    make_card e2e-pcsc-company 73019485 business --business-id 24941832 --name 蝦蝦樂購股份有限公司
    staff e2e-reviewer ministry_reviewer national
    # Agency linking (seed 001): every party of a case, and a second agency with its own
    # county unit, whose cases the first never sees.
    card e2e-agency-ntpc 48261537 agency --agency-code 382130000C --name 新北市政府警察局
    card e2e-engineer 123456 citizen --name 周建國 --id-last4 2468
    card e2e-county 123456 citizen --name 陳志豪 --id-last4 3690
    card e2e-county-ntpc 123456 citizen --name 高文彬 --id-last4 5702
    card e2e-cht 123456 citizen --name 王建民 --id-last4 4812
    staff e2e-engineer information_services national
    staff e2e-county county_officer county:臺北市
    staff e2e-county-ntpc county_officer county:新北市
    staff e2e-cht cht_engineer national
    card e2e-registrar 123456 citizen --name 陳建志 --id-last4 2580
    card e2e-extend 790715 citizen --name 林美玲 --id-last4 5791 --days 30
    holder e2e-extend F228135791 TP03000000054321
    eight_years_old e2e-renew TP03000000054322 20
    blank e2e-blank fresh
    blank e2e-blank-renewal fresh
    staff e2e-clerk household_clerk office:63000030
    staff e2e-registrar household_registrar office:65000010
    api_certificate e2e-company-api 24941832 蝦蝦樂購股份有限公司
    link_certificate e2e-agency-link 379130000C 臺北市政府警察局
    # Identity confirmation requests (seed 003): a bank and the agency with their servers'
    # certificates (XCA, GCA).
    card e2e-bank 27350914 business --business-id 88880005 --name 示範商業銀行股份有限公司
    server_certificate e2e-bank xca 示範商業銀行股份有限公司 bank.example.com
    server_certificate e2e-police gca 臺北市政府警察局 police.example.gov.tw
    ;;
  *) die "unknown card set $SET (demo or e2e)" ;;
esac

printf '%s\n' "${TOKENS[@]}"
