#!/usr/bin/env bash
# Crash safety of approval: the server is killed (SIGKILL) while operators approve many
# applications at once; after a restart (its clock past the dead process's approval
# claims) every application is approved exactly once: one valid certificate each, the
# certificates signed by approvals that never finished revoked as superseded, no
# application lost, no serial twice, the audit chain intact.
# Usage: ra_crash_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
N=${RA_CRASH_N:-40}
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" rac
TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" | sed -n 's/^Operator API token.*: //p')
SETS=(--set ra.auto_review=false --set key_pool.threads=0)

start_server "$DATA" "${SETS[@]}"
form='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
  "facility_code":"0112489","institution_name":"医療法人 愛全病院","contact_name":"医事課",
  "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"PC"}'
for i in $(seq 1 "$N"); do
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data-binary "${form/\"PC\"/\"PC$i\"}" "$BASE/api/v1/applications"
done
[ "$(sql "SELECT count(*) FROM applications WHERE state='pending'")" = "$N" ] || fail "$N pending applications"
ok "$N applications pending"

# Approve them all at once, from 8 operators; kill the server mid-way.
sql "SELECT request_id FROM applications" > "$WORK/ids"
( xargs -P 8 -I{} curl -s -o /dev/null -m 30 -X POST -H "Authorization: Bearer $TOKEN" \
    "$BASE/api/v1/applications/{}/approve" < "$WORK/ids" || true ) &
APPROVERS=$!
for _ in $(seq 200); do
  [ "$(sql "SELECT count(*) FROM certificates")" -ge $((N / 4)) ] && break
  sleep 0.02
done
kill_server
wait "$APPROVERS" 2>/dev/null || true
issued=$(sql "SELECT count(*) FROM applications WHERE state='issued'")
[ "$issued" -lt "$N" ] || fail "the kill came too late: all $N approved before it"
ok "killed with $issued of $N approved, $(sql "SELECT count(*) FROM certificates") certificate rows"

# Restart 10 minutes later (claims last 5) and approve whatever is still pending.
start_server "$DATA" "${SETS[@]}" --at "$(date -d '+10 min' +%Y-%m-%dT%H:%M:%S%:z)"
for id in $(sql "SELECT request_id FROM applications WHERE state='pending'"); do
  code=$(curl -s -o "$WORK/approve.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    "$BASE/api/v1/applications/$id/approve")
  [ "$code" = 200 ] || fail "approval of $id after the restart: $code $(cat "$WORK/approve.json")"
done
stop_server

[ "$(sql "SELECT count(*) FROM applications WHERE state='issued'")" = "$N" ] || fail "not every application was issued"
# Each application: exactly one valid certificate, and it is the one the application names.
bad=$(sql "SELECT a.request_id FROM applications a WHERE
  (SELECT count(*) FROM certificates c WHERE c.request_id = a.request_id AND c.state = 'issued' AND c.revoked_at IS NULL) <> 1
  OR NOT EXISTS (SELECT 1 FROM certificates c WHERE c.serial = a.serial AND c.state = 'issued' AND c.revoked_at IS NULL)")
[ -z "$bad" ] || fail "applications without exactly one valid certificate: $bad"
[ "$(sql "SELECT count(*) FROM certificates WHERE state = 'intent'")" = 0 ] || fail "intents left behind"
orphans=$(sql "SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL")
[ "$(sql "SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL AND revocation_reason <> 4")" = 0 ] ||
  fail "a certificate was revoked for another reason than superseded"
[ "$(sql "SELECT count(*) FROM fee_charges")" = "$N" ] || fail "fee charges: $(sql "SELECT count(*) FROM fee_charges")"
"$CLAIMSCA" audit verify --data "$DATA" > "$WORK/verify.out" || fail "audit: $(cat "$WORK/verify.out")"
ok "after the restart: $N issued, one valid certificate each, $orphans orphan(s) revoked as superseded, $N fee charges, audit intact"
finish
