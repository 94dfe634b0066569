# Shared by the scripts that put servers under load and fault (crash-test.sh, cluster-test.sh),
# sourced after services.sh and bench/database.sh: one company's verification calls against a
# seeded registry, and what waits for them and for the servers they strike.
# shellcheck shell=bash

# In DIR (its database already made by bench_database): the registry, the development PKI, the
# grant of 蝦蝦樂購 (24941832, apId APLOAD00001) for 127.0.0.1 with its API key DIR/api.key,
# DIR/reporters: four citizens with a current card, their facts as they type them at the loss
# report forms (`cluster_client.py reporter`), and DIR/people: the other people of the
# registry with a current card (of the first 2,000), as verification queries (none meets a
# card reported lost).
load_fixture() { # dir
  local dir="$1"
  export HUJI_HOLIDAYS="$ROOT/server/data/holidays.txt" HUJI_ID_HASH_KEY_FILE="$dir/id-hash.key" \
    HUJI_AUDIT_KEY_FILE="$dir/audit.key" HUJI_MOICA_SEAL_KEY_FILE="$dir/moica-seal.key"
  # One company calling as fast as it can: the limits that guard real companies stay out of it.
  export HUJI_API_RATE_PER_SECOND=100000000 HUJI_API_ABNORMAL_MISMATCHES=100000000 \
    HUJI_API_ABNORMAL_DISTINCT_IDS=100000000 HUJI_API_ABNORMAL_VOLUME_FLOOR=100000000
  export RUST_LOG=warn
  "$ROOT/target/release/huji" seed --citizens 2000 --companies 10 --seed 1 --demo >"$dir/seed.log"
  "$ROOT/target/release/huji" pki init --dir "$dir/pki" >/dev/null
  "$ROOT/target/release/huji" pki crl --dir "$dir/pki" >/dev/null
  export HUJI_TRUSTED_ROOTS="$dir/pki/trust"
  api_grant_fixture sql "$dir/pki" "$dir/api" 24941832 APLOAD00001 loadLOADloadLOADloadLOADloadLO32 \
    蝦蝦樂購股份有限公司
  sql "SELECT c.national_id, c.name, c.birth_date, c.county || c.township || c.street_address,
      COALESCE(c.father_name, c.mother_name, c.adoptive_father_name, c.adoptive_mother_name)
    FROM citizens c JOIN id_card_issuances i ON i.citizen_id = c.id AND i.is_current
    WHERE c.id_status = 'active' ORDER BY c.id DESC LIMIT 4" |
    awk -F, -v OFS=, '{ split($3, d, "-"); $3 = sprintf("%d/%s/%s", d[1] - 1911, d[2], d[3]); print }' \
      >"$dir/reporters"
  registry_cards sql 2000 c.id | awk -F, 'NR == FNR { reporter[$1] = 1; next } !($1 in reporter)' \
    "$dir/reporters" - >"$dir/people"
}

# Signs QUERIES (load_fixture's people, each line with a userId added) into TOKENS, one a line.
load_tokens() { # queries, tokens
  "$ROOT/target/release/huji" api-token --org-id 24941832 --ap-id APLOAD00001 \
    --isskey loadLOADloadLOADloadLOADloadLO32 --key "$(dirname "$1")/api.key" --queries "$1" >"$2"
}

# Call i of COUNT asks about a person of DIR/people as user `crash-i`, so that its row can be
# found: the calls of scripts/crash_client.py, signed into DIR/tokens.
load_calls() { # dir, count
  awk -v n="$2" '{ people[NR] = $0 } END { for (i = 0; i < n; i++) print people[i % NR + 1] ",crash-" i }' \
    "$1/people" >"$1/queries"
  load_tokens "$1/queries" "$1/tokens"
}

server_gone() { # pid: waits for the server just stopped (killed after 30 s): its exit status
  local status=0 watchdog
  (sleep 30 && kill -KILL "$1" 2>/dev/null) &
  watchdog=$!
  { wait "$1"; } 2>/dev/null || status=$?
  kill "$watchdog" 2>/dev/null || true
  forget "$1"
  return "$status"
}

answered() { sql "SELECT COUNT(*) FROM api_calls WHERE rd_code = 'RS7009' AND user_id LIKE 'crash-%'"; }

logged_at_least() { # count, client pid: waits, up to a minute, until the call log holds that many answers
  local until=$((SECONDS + 60)) logged
  while logged="$(answered)"; [[ ! "$logged" =~ ^[0-9]+$ ]] || [ "$logged" -lt "$1" ]; do
    [ "$SECONDS" -lt "$until" ] || die "the call log stopped at ${logged:-?} answers"
    kill -0 "$2" 2>/dev/null || die "the clients ended before the strike"
    sleep 0.05
  done
}

# Starts the load the strikes meet, against BASE_URL: the verification calls of DIR/tokens from
# THREADS clients (scripts/crash_client.py; its pid in CLIENT), and until load_end the
# companies of DIR/filers filing and cancelling API申請 with their cards in the helper at
# HELPER_URL (scripts/cluster_client.py filer; its pid in FILER) and the citizens of
# DIR/reporters reporting their cards lost and revoking the reports (cluster_client.py
# reporter; its pid in REPORTER). The portal must trust 127.0.0.1's X-Forwarded-For: each
# citizen's request comes from an address of its own.
load_begin() { # dir, base url, helper url, threads
  rm -f "$1/stop"
  python3 "$ROOT/scripts/cluster_client.py" filer "$2" "$3" "$1/filers" "$1/stop" "$1/filed" &
  FILER=$!
  PIDS+=("$FILER")
  python3 "$ROOT/scripts/cluster_client.py" reporter "$2" "$1/reporters" "$1/stop" "$1/reported" &
  REPORTER=$!
  PIDS+=("$REPORTER")
  python3 "$ROOT/scripts/crash_client.py" send "$2" "$1/tokens" "$1/answers" "$4" &
  CLIENT=$!
  PIDS+=("$CLIENT")
}

# Waits for every verification call to be answered, then stops the filings (and whatever else
# watches DIR/stop).
load_end() { # dir
  wait "$CLIENT" || die "the verification clients failed"
  forget "$CLIENT"
  touch "$1/stop"
  wait "$FILER" || die "a company's filing failed across the faults"
  forget "$FILER"
  wait "$REPORTER" || die "a citizen's loss report failed across the faults"
  forget "$REPORTER"
}

# Checks the calls of scripts/crash_client.py against the call log.
check_calls() { # dir, base url, threads
  sql "SELECT user_id, verdict FROM api_calls WHERE rd_code = 'RS7009' AND user_id LIKE 'crash-%'" >"$1/logged"
  # Only the calls in flight at the SIGKILL (one per client at most) may be taken and never
  # answered; the SIGTERM finishes those it has.
  python3 "$ROOT/scripts/crash_client.py" check "$2" "$1/tokens" "$1/answers" "$1/logged" "$3" \
    || die "calls answered before the crashes are missing, doubled or refused"
}

# Four companies of the business registry besides 蝦蝦樂購, first-time applicants, each with its
# 工商憑證 as a soft token (PIN): DIR/filers lists them for `cluster_client.py filer`, and
# FILER_TOKENS holds the card helper's arguments for their cards.
load_filers() { # dir, pin
  local n=0 business_id name
  sql "SELECT business_id, name FROM companies WHERE status = '核准設立' AND business_id <> '24941832'
    ORDER BY business_id LIMIT 4" >"$1/registered"
  [ "$(wc -l <"$1/registered")" = 4 ] || die "the registry has fewer than four companies to apply"
  FILER_TOKENS=()
  while IFS=, read -r business_id name; do
    n=$((n + 1))
    "$ROOT/target/release/huji" pki issue business --dir "$1/pki" --out "$1/filer-$n" \
      --business-id "$business_id" --name "$name" >/dev/null
    "$ROOT/target/debug/huji-virtual-card" --init --state "$1/filer-$n.token" --key "$1/filer-$n.key" \
      --certificate "$1/filer-$n.crt" --pin "$2" --user-code 87654321 >/dev/null 2>&1
    echo "$business_id,$name,Huji Soft Token (filer-$n),$2,127.0.0.$((100 + n))"
    FILER_TOKENS+=(--soft-token "$1/filer-$n.token")
  done <"$1/registered" >"$1/filers"
}

first_fields() { # file: its lines' first fields as an SQL list of strings ('a','b',…)
  cut -d, -f1 "$1" | sed "s/.*/'&'/" | paste -sd,
}

# After `cluster_client.py filer` wrote DIR/filed: every case a company was given is there,
# cancelled as it asked, with the number it was told, and no filing made a second case,
# however often it was sent.
check_filings() { # dir
  sql "SELECT business_id, id, number, status FROM api_cases
    WHERE business_id IN ($(first_fields "$1/filers"))" >"$1/cases"
  python3 - "$1/filed" "$1/cases" <<'PY' || die "a case a company was given is missing, doubled or not cancelled"
import sys
filed = [tuple(line.split(",")) for line in open(sys.argv[1]).read().split()]
cases = [tuple(line.split(",")) for line in open(sys.argv[2]).read().split()]
stored = {case[:3] for case in cases}
problems = [f"received {case} is not stored as it was told" for case in filed if case not in stored]
problems += [f"{case} was not received by its company" for case in stored - set(filed)]
problems += [f"{case} is not cancelled" for case in cases if case[3] != "cancelled"]
if len(filed) != len(set(filed)):
    problems.append("a case was received twice")
print(f"cases: {len(filed)} received, {len(cases)} stored; {len(problems)} problems")
sys.exit("\n".join(problems[:20]) or None)
PY
}

# After `cluster_client.py reporter` wrote DIR/reported: every report a citizen was told of (or
# found after an answer that never came) is there once, revoked, and no report of theirs was
# made that they do not know of.
check_reports() { # dir
  sql "SELECT c.national_id, r.reference, r.status FROM id_card_loss_reports r
    JOIN citizens c ON c.id = r.citizen_id
    WHERE c.national_id IN ($(first_fields "$1/reporters"))" >"$1/reports"
  python3 - "$1/reported" "$1/reports" <<'PY' || die "a loss report a citizen was told of is missing, doubled or open"
import sys
reported = [tuple(line.split(",")) for line in open(sys.argv[1]).read().split()]
stored = [tuple(line.split(",")) for line in open(sys.argv[2]).read().split()]
known = {(national_id, reference) for national_id, reference, _ in reported}
kept = {(national_id, reference) for national_id, reference, _ in stored}
problems = [f"{reference} ({how}) is not stored as its citizen was told"
            for national_id, reference, how in reported if (national_id, reference) not in kept]
problems += [f"{reference} was made, but its citizen never learned of it" for _, reference in kept - known]
problems += [f"{reference} is {status}, not revoked" for _, reference, status in stored if status != "revoked"]
if len(reported) != len(known) or len(stored) != len(kept):
    problems.append("a report was counted twice")
told = sum(how == "told" for _, _, how in reported)
print(f"loss reports: {told} told and {len(reported) - told} found after a cut, {len(stored)} stored; "
      f"{len(problems)} problems")
sys.exit("\n".join(problems[:20]) or None)
PY
}
