#!/usr/bin/env bash
# The billing run killed (SIGKILL) at random points, 20 times (issue 19; docs/billing.md
# "run"): two identical data directories are seeded with the same ledger
# (bench/billing_seed.sh: BILLING_INSTITUTIONS institutions, one in ten by invoice,
# BILLING_CHARGES entries); one runs the month uninterrupted (the reference), the other is
# killed at a random instant of its run, restarted (3 hours later in --at, past the killed
# run's lease) and killed again, until a run finishes; then it is compared with the
# reference and put back to its seeded state for the next episode, until 20 runs were
# killed in flight. Each episode must end with the same bills, items, unbilled entries, run
# state and file names and digests, byte-identical files, no temporary file left, the
# ledger untouched, one plan and one done event in the audit trail, and the audit chain
# intact.
# Usage: billing_crash_test.sh [sqlite|postgres]; BILLING_CRASH_SEED reproduces the delays.
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
INSTITUTIONS=${BILLING_INSTITUTIONS:-3000}
CHARGES=${BILLING_CHARGES:-15000}
KILLS=${BILLING_KILLS:-20}
SEED=${BILLING_CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$SEED
echo "# $MODE, $KILLS kills, seed $SEED"
SEEDER=${CLAIMSCA_SOURCE_DIR:?}/bench/billing_seed.sh
MONTH=2027-01

# setup NAME: a data directory $WORK/NAME seeded with the ledger; sets DB_<NAME>.
declare -A URL
setup() {
  local data=$WORK/$1
  ARGS=(--demo --key-algorithm ecp256)
  if [ "$MODE" = postgres ]; then
    use_backend postgres "bcrash_$1"
    URL[$1]=$PG_URL
  else
    URL[$1]=$data/claimsca.db
  fi
  "$CLAIMSCA" init --data "$data" "${ARGS[@]}" --at 2026-11-24T09:00 >/dev/null 2>&1 || fail "init $1"
  bash "$SEEDER" "$MODE" "${URL[$1]}" "$INSTITUTIONS" "$CHARGES" "$MONTH" || fail "seed $1"
}
q() {  # q NAME SQL
  if [ "$MODE" = postgres ]; then psql -tAqX "${URL[$1]}" -c "$2"
  else sqlite3 -cmd '.timeout 10000' "${URL[$1]}" "$2"; fi
}
state() {  # everything the run decides, in a stable order
  q "$1" "SELECT month, state, issue_date, deduction_file, deduction_sha256, invoice_file, invoice_sha256, mailing_file, mailing_sha256 FROM billing_runs ORDER BY month"
  q "$1" "SELECT number, institution_code, method, kind, amount_yen, certificates, issue_date, coalesce(due_date, '-'), name, postal_code, address FROM bills ORDER BY number"
  q "$1" "SELECT bill_number, entry_id, origin, amount_yen, certificate_ref, charge_date, request_id, terminal_name, kind, mailing_yen FROM bill_items ORDER BY bill_number, entry_id"
  q "$1" "SELECT run_month, entry_id, amount_yen FROM billing_run_unbilled ORDER BY run_month, entry_id"
  q "$1" "SELECT count(*), sum(total_yen) FROM fee_charges"
}
files() { (cd "$WORK/$1/billing/$MONTH" && sha256sum ./* | sort -k2); }

setup ref
setup killed
t0=$(date +%s%N)
"$CLAIMSCA" billing run --data "$WORK/ref" --month "$MONTH" --at "${MONTH}-12T07:00" > "$WORK/ref.out" 2>&1 ||
  fail "reference run: $(cat "$WORK/ref.out")"
WALL_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q "deduction_bills=[1-9]" "$WORK/ref.out" && grep -q "invoice_bills=[1-9]" "$WORK/ref.out" ||
  fail "reference run billed nothing: $(cat "$WORK/ref.out")"
[ -n "$(files ref)" ] || fail "the reference run wrote no files"
ok "reference run uninterrupted in $WALL_MS ms: $(grep -o 'deduction_bills=[0-9]*' "$WORK/ref.out"), $(grep -o 'invoice_bills=[0-9]*' "$WORK/ref.out")"

# snapshot / restore: the killed directory's seeded state, for each episode.
snapshot() {
  if [ "$MODE" = postgres ]; then
    psql -qX "$CLAIMSCA_TEST_PG_URL" -c "CREATE DATABASE ${KDB}_p TEMPLATE $KDB" >/dev/null || fail "snapshot"
  else
    sqlite3 "${URL[killed]}" ".backup '$WORK/pristine.db'" || fail "snapshot"
  fi
}
restore() {
  rm -rf "$WORK/killed/billing"
  if [ "$MODE" = postgres ]; then
    psql -qX "$CLAIMSCA_TEST_PG_URL" -c "DROP DATABASE $KDB" -c "CREATE DATABASE $KDB TEMPLATE ${KDB}_p" >/dev/null ||
      fail "restore"
  else
    rm -f "${URL[killed]}-wal" "${URL[killed]}-shm"
    cp "$WORK/pristine.db" "${URL[killed]}"
  fi
}
# check: the killed directory ended like the reference.
check() {
  [ "$(state killed)" = "$(state ref)" ] || { diff <(state ref) <(state killed) | head -20; fail "database state differs"; }
  [ "$(files killed)" = "$(files ref)" ] || { diff <(files ref) <(files killed); fail "files differ"; }
  [ -z "$(find "$WORK/killed/billing" -name '*.tmp')" ] || fail "temporary files left: $(find "$WORK/killed/billing" -name '*.tmp')"
  for a in billing.run.plan billing.run.done; do
    [ "$(q killed "SELECT count(*) FROM audit_log WHERE action = '$a'")" = 1 ] ||
      fail "audit $a: $(q killed "SELECT count(*) FROM audit_log WHERE action = '$a'")"
  done
  "$CLAIMSCA" audit verify --data "$WORK/killed" >/dev/null || fail "audit verify"
}
KDB=${URL[killed]##*/}
snapshot
killed=0 episodes=0 attempts=0 in_episode=0
hour=7
while [ "$killed" -lt "$KILLS" ]; do
  attempts=$((attempts + 1))
  [ "$attempts" -le $((KILLS * 4)) ] || fail "only $killed of $attempts attempts were killed in flight"
  at=$(date -d "${MONTH}-12 + $((hour / 24)) days" +%F)T$(printf %02d $((hour % 24))):00
  hour=$((hour + 3))
  "$CLAIMSCA" billing run --data "$WORK/killed" --month "$MONTH" --at "$at" > "$WORK/k$attempts.out" 2>&1 &
  pid=$!
  delay_ms=$(( RANDOM % (WALL_MS + 1) ))
  sleep "$(awk -v m="$delay_ms" 'BEGIN{printf "%.3f", m/1000}')"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    killed=$((killed + 1))
    in_episode=$((in_episode + 1))
    echo "# kill $killed after $delay_ms ms: $(q killed "SELECT coalesce(max(state), 'nothing recorded') FROM billing_runs")"
  else
    wait "$pid" || fail "attempt $attempts failed by itself: $(cat "$WORK/k$attempts.out")"
    check
    episodes=$((episodes + 1))
    echo "# episode $episodes: finished after $in_episode kills, identical to the reference"
    restore
    in_episode=0
  fi
done
at=$(date -d "${MONTH}-12 + $((hour / 24)) days" +%F)T$(printf %02d $((hour % 24))):00
"$CLAIMSCA" billing run --data "$WORK/killed" --month "$MONTH" --at "$at" > "$WORK/final.out" 2>&1 ||
  fail "final run: $(cat "$WORK/final.out")"
check
ok "$killed runs killed in flight at random instants over $((episodes + 1)) episodes; each episode, run to the end, has the reference's bills, items, run state, file digests and bytes, no temporary file, the ledger untouched, one plan and one done event, an intact audit chain"
finish
