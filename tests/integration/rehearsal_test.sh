#!/usr/bin/env bash
# Time rehearsals on live data (docs/operations.md, issue 23 item 10): a command run with a
# future --at leaves no lease, recorded day or CRL that stops the running service; while a
# live serve runs, such a command is refused unless --force.
#   1. a rehearsal half a year ahead with no serve running (allowed): CRL dated then, the
#      daily jobs recorded for that day, the leases taken and released;
#   2. the live serve starts: it replaces the future CRL at once and runs today's daily jobs;
#   3. with it running, future --at commands are refused (exit 4), and run with --force;
#   4. afterwards the service still publishes: a revocation reaches the served CRL.
# Usage: rehearsal_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" reh
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
FUTURE=$(date -d '+180 days' +%Y-%m-%dT10:00:00)
FUTURE_DAY=${FUTURE%T*}
TODAY=$(TZ=Asia/Tokyo date +%Y-%m-%d)

crl_update() {  # thisUpdate of the served CRL, Unix seconds
  curl -fsS "$BASE/crl/issuing-1.crl" -o "$WORK/served.crl" || return 1
  date -d "$(openssl crl -inform DER -in "$WORK/served.crl" -noout -lastupdate | cut -d= -f2)" +%s
}
wait_for() {  # wait_for WHAT CMD...: up to 15 s
  local what=$1; shift
  for _ in $(seq 1 150); do "$@" && return 0; sleep 0.1; done
  fail "$what"
}
crl_is_current() { local t; t=$(crl_update) && [ "$t" -le "$(date +%s)" ]; }
job_ran_today() { [ "$(sql "SELECT last_day FROM job_runs WHERE name = 'purge-downloads'")" = "$TODAY" ]; }

# 1. The rehearsal, nobody serving.
"$CLAIMSCA" jobs run --data "$DATA" --at "$FUTURE" >"$WORK/jobs.out" 2>&1 || fail "rehearsal: $(cat "$WORK/jobs.out")"
grep -q "^crl: published" "$WORK/jobs.out" || fail "$(cat "$WORK/jobs.out")"
[ "$(sql "SELECT last_day FROM job_runs WHERE name = 'purge-downloads'")" = "$FUTURE_DAY" ] ||
  fail "the rehearsal recorded no day"
ok "a rehearsal at $FUTURE with no serve running: CRL dated then, daily jobs recorded for $FUTURE_DAY"

# 2. The live serve: daily jobs due from 00:00 JST, run every second.
start_server "$DATA" --set jobs.enabled=true --set jobs.interval_seconds=1 --set jobs.purge_at=00:00 \
  --set jobs.reminders_at=00:00 --set jobs.notice_batch_at=00:00 --set crl.debounce_seconds=0
wait_for "the CRL dated in the future was not replaced" crl_is_current
wait_for "today's daily job did not run after the rehearsal" job_ran_today
ok "the live serve replaced the future CRL at once and ran today's daily jobs ($TODAY)"

# 3. Future --at beside the live serve: refused, then forced.
before=$(crl_update)
for cmd in "jobs run --job crl" "crl" "notices print --out $WORK/notices"; do
  rc=0
  # shellcheck disable=SC2086
  "$CLAIMSCA" $cmd --data "$DATA" --at "$FUTURE" >"$WORK/refused.out" 2>&1 || rc=$?
  [ $rc = 4 ] || { cat "$WORK/refused.out"; fail "$cmd --at $FUTURE: exit $rc, not 4"; }
  grep -q "a claimsca serve is running on this database.*--force" "$WORK/refused.out" ||
    fail "$(cat "$WORK/refused.out")"
done
[ "$(crl_update)" = "$before" ] || fail "a refused rehearsal changed the CRL"
ok "jobs run / crl / notices print with a future --at are refused (exit 4) while serve is live"
"$CLAIMSCA" crl --data "$DATA" --at "$FUTURE" --force >/dev/null 2>&1 || fail "crl --force"
"$CLAIMSCA" jobs run --data "$DATA" --at "$FUTURE" --force >"$WORK/jobs.out" 2>&1 ||
  fail "jobs run --force: $(cat "$WORK/jobs.out")"
ok "with --force they run"

# 4. The service carries on: the forced rehearsal's CRL is replaced, a revocation is published.
wait_for "the forced rehearsal's CRL was not replaced" crl_is_current
wait_for "today's daily job was not run again after the forced rehearsal" job_ran_today
new_csr t ec
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t.csr" --code 0110112489 --terminal PC >"$WORK/t.pem" 2>/dev/null ||
  fail "sign"
serial=$(serial_of "$WORK/t.pem")
"$CLAIMSCA" revoke --data "$DATA" --serial "$serial" --reason keyCompromise >/dev/null 2>&1 || fail "revoke"
revoked_in_crl() {
  crl_is_current && openssl crl -inform DER -in "$WORK/served.crl" -noout -text | grep -qi "Serial Number: *$serial"
}
wait_for "the revocation did not reach the served CRL" revoked_in_crl
ok "after the rehearsals the live serve still publishes: the revocation of $serial is in the CRL"
finish
