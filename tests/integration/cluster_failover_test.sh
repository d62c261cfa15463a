#!/usr/bin/env bash
# Failover under load (issue 22; docs/operations.md "Cluster"): the cluster of
# scripts/cluster.sh (PostgreSQL primary + synchronous standby, three read-write nodes, a
# read-only node for OCSP/CRLs, HAProxy). Clients send applications, approvals, renewals
# (mTLS through HAProxy) and OCSP requests through HAProxy without pause while
#   1. one read-write node is killed with SIGKILL (HAProxy routes around it), then
#   2. the primary is killed with SIGKILL and the standby promoted (the nodes find it by
#      themselves: their database URL lists both hosts, target_session_attrs=read-write).
# Afterwards, on the promoted database: every application and certificate a client saw
# acknowledged is there (0 lost), no serial was handed out twice, no daily job ran twice
# (each is made due again at the start and after the promotion: one node may run it), and
# the time until the cluster acknowledged a write again after each kill is printed.
# Usage: cluster_failover_test.sh   (PostgreSQL only; FAILOVER_LOAD_SECONDS, default 60;
# FAILOVER_PG_PORT (primary, standby +1; default 55456), FAILOVER_HTTP_PORT (default 18550))
source "$(dirname "$0")/lib.sh"
SRC=${CLAIMSCA_SOURCE_DIR:?}
LOAD=${FAILOVER_LOAD_SECONDS:-60}
export CLUSTER_DIR=$WORK/cluster CLUSTER_PG_PORT=${FAILOVER_PG_PORT:-55456}
export CLUSTER_HTTP_PORT=${FAILOVER_HTTP_PORT:-18550} CLAIMSCA
MODE=postgres
PG_URL="postgresql://postgres@127.0.0.1:$CLUSTER_PG_PORT,127.0.0.1:$((CLUSTER_PG_PORT + 1))/claimsca?target_session_attrs=read-write&connect_timeout=2"
BASE=http://127.0.0.1:$CLUSTER_HTTP_PORT
LB_MTLS=127.0.0.1:$((CLUSTER_HTTP_PORT + 1))
cluster() { bash "$SRC/scripts/cluster.sh" "$@"; }
cluster_cleanup() {
  local rc=$?
  [ $rc -eq 0 ] || tail -n 20 "$CLUSTER_DIR"/node*.log 2>/dev/null || true
  cluster down --purge > /dev/null 2>&1 || true
  (exit $rc)
  cleanup
}
trap cluster_cleanup EXIT

# Before the nodes get their copies of the data directory: the register, short-lived
# certificates with the renewal window always open (renewals from the first minute), manual
# approval (approvals are part of the load).
cat > "$WORK/setup.sh" <<EOF
set -e
"$CLAIMSCA" admin import-register --data "\$1" --file "$SRC/data/institutions-2025-08.csv" --by t > /dev/null 2>&1
sed -i -e 's/^validity_months = .*/validity_months = 1/' -e 's/^renewal_window_days = .*/renewal_window_days = 40/' "\$1/claimsca.toml"
grep -q '^validity_months = 1\$' "\$1/claimsca.toml"
EOF
export CLUSTER_SETUP="bash $WORK/setup.sh"
# Daily jobs due at any time of day, looked at every second.
export CLUSTER_SERVE_ARGS="--set ra.auto_review=false --set key_pool.threads=0 --set jobs.interval_seconds=1
  --set jobs.reminders_at=00:00 --set jobs.notice_batch_at=00:00 --set jobs.purge_at=00:00
  --set jobs.notices_dir=notices"
cluster up > "$WORK/up.out" || fail "cluster up: $(cat "$WORK/up.out")"
TOKEN=$(sed -n 's/^Operator API token.*: //p' "$CLUSTER_DIR/init.out")
DATA=$CLUSTER_DIR/node1
read -r PRIMARY STANDBY < "$CLUSTER_DIR/pgdirs"
cluster status > "$WORK/status.out" || fail "status: $(cat "$WORK/status.out")"
grep -q 'replication standby1  streaming  sync' "$WORK/status.out" || fail "no synchronous standby: $(cat "$WORK/status.out")"
ok "cluster up: $(grep -c '  up' "$WORK/status.out") parts up, the standby synchronous"

# The read-only node: OCSP, CRLs, CA certificates; everything else refused.
RO=http://127.0.0.1:$((CLUSTER_HTTP_PORT + 19))
code=$(command curl -s -o "$WORK/ro.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' --data '{}' "$RO/api/v1/applications")
[ "$code" = 503 ] && [ "$(jq -r .error.code "$WORK/ro.json")" = read_only ] || fail "read-only node took a write: $code $(cat "$WORK/ro.json")"
command curl -fsS -o /dev/null "$RO/ca/root.pem" || fail "read-only node: CA certificate"

FORM='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
  "facility_code":"0112489","institution_name":"医療法人 愛全病院","contact_name":"医事課",
  "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"NAME"}'
L=$WORK/ledger      # every acknowledged answer: KIND ID SERIAL
EV=$WORK/events     # every request not acknowledged: KIND ID CODE TIME_MS
T=$WORK/terminals
mkdir -p "$T" "$WORK/r"
: > "$L"; : > "$EV"
new_csr rk ec
jq -Rs '{csr: .}' "$WORK/rk.csr" > "$WORK/renew.json"
now_ms() { date +%s%3N; }

# The clients: `command curl` (HAProxy's own 502/503 during a failover are no API answers
# for the contract check of lib.sh).
submit_approve() {  # submit_approve ID: an application, then its approval
  local code rid serial rc=0
  code=$(command curl -s -m 20 -o "$WORK/r/s.$1" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H "Idempotency-Key: load-$1" -H 'Content-Type: application/json' \
    --data-binary "${FORM/NAME/L$1}" "$BASE/api/v1/applications") || rc=$?
  [ "$code" = 201 ] || { echo "submit $1 $code/$rc $(now_ms)" >> "$EV"; return 0; }
  rid=$(jq -r .request_id "$WORK/r/s.$1")
  echo "submit $rid -" >> "$L"
  code=$(command curl -s -m 20 -o "$WORK/r/a.$1" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/applications/$rid/approve") || rc=$?
  [ "$code" = 200 ] || { echo "approve $rid $code/$rc $(now_ms)" >> "$EV"; return 0; }
  serial=$(jq -r .serial "$WORK/r/a.$1")
  echo "approve $rid $serial" >> "$L"
}
renew_terminal() {  # renew_terminal DIR: its cert.pem/key.pem renewed over mTLS
  local t=$1 code rc=0
  code=$(command curl -s -m 20 -o "$t/answer.json" -w '%{http_code}' --cacert "$DATA/ca/root.pem" \
    --cert "$t/cert.pem" --key "$t/key.pem" -H 'Content-Type: application/json' \
    --data-binary @"$WORK/renew.json" "https://$LB_MTLS/terminal/renew") || rc=$?
  [ "$code" = 201 ] || { echo "renew $(cat "$t/rid") $code/$rc $(now_ms)" >> "$EV"; return 0; }
  jq -r .certificate "$t/answer.json" > "$t/cert.pem"
  cp "$WORK/rk.key" "$t/key.pem"
  echo "renew $(cat "$t/rid") $(jq -r .serial "$t/answer.json")" >> "$L"
}
ocsp_once() {  # one OCSP request through HAProxy (to the read-only node)
  local code rc=0
  code=$(command curl -s -m 10 -o "$WORK/r/ocsp" -w '%{http_code}' -H 'Content-Type: application/ocsp-request' \
    --data-binary @"$WORK/ocsp.req" "$BASE/ocsp") || rc=$?
  if [ "$code" = 200 ] &&
     openssl ocsp -respin "$WORK/r/ocsp" -resp_text -noverify 2>/dev/null | grep -q 'Response Status: successful'; then
    echo "ocsp" >> "$WORK/ocsp.ok"
  else
    echo "ocsp - $code/$rc $(now_ms)" >> "$EV"
  fi
}

# Terminals that renew during the load: four applications, approved, their PKCS#12 fetched.
for i in 1 2 3 4; do
  submit_approve "t$i"
  rid=$(awk '$1 == "approve" {print $2}' "$L" | tail -1)
  [ -n "$rid" ] || fail "terminal $i: $(cat "$EV")"
  "$CLAIMSCA" admin download-password --data "$DATA" --request-id "$rid" --by test > "$WORK/pw.out" 2>/dev/null ||
    fail "download password of $rid"
  pw=$(sed -n 's/^password=//p' "$WORK/pw.out")
  d=$T/$i; mkdir -p "$d"; echo "$rid" > "$d/rid"
  curl -fsS -o "$d/t.p12" -H 'Content-Type: application/json' \
    --data-binary "{\"request_id\":\"$rid\",\"password\":\"$pw\"}" "$BASE/api/v1/download" || fail "download $rid"
  openssl pkcs12 -in "$d/t.p12" -passin "pass:$pw" -nokeys -clcerts -out "$d/cert.pem" 2>/dev/null
  openssl pkcs12 -in "$d/t.p12" -passin "pass:$pw" -nocerts -nodes -out "$d/key.pem" 2>/dev/null
done
openssl ocsp -issuer "$DATA/ca/issuing-1.pem" -cert "$T/1/cert.pem" -no_nonce -reqout "$WORK/ocsp.req" > /dev/null 2>&1
[ -s "$EV" ] && fail "before the load: $(cat "$EV")"
ok "4 terminals with their certificates, through HAProxy"

# Daily jobs: made due again now (one node must run each, once).
job_events() { cat "$CLUSTER_DIR"/node*.log | grep -c "\"kind\":\"job\",\"job\":\"$1\"" || true; }
DAILY=(reminders notice-batch purge-downloads)
declare -A JOBS0
for j in "${DAILY[@]}"; do JOBS0[$j]=$(job_events "$j"); done
psql -qtA "$PG_URL" -c "DELETE FROM job_runs" > /dev/null

# --- the load ---
STOP=$WORK/stop
apply_loop() { local n=0; while [ ! -f "$STOP" ]; do n=$((n + 1)); submit_approve "w$1-$n"; done; }
renew_loop() { while [ ! -f "$STOP" ]; do for t in "$T"/*/; do renew_terminal "${t%/}"; done; sleep 0.2; done; }
ocsp_loop() { while [ ! -f "$STOP" ]; do ocsp_once; sleep 0.05; done; }
apply_loop 1 & P1=$!
apply_loop 2 & P2=$!
renew_loop & P3=$!
ocsp_loop & P4=$!
EXTRA_PIDS+=("$P1" "$P2" "$P3" "$P4")

# answered_again LABEL SINCE_MS: a probe application until one is acknowledged; prints the
# time since SINCE_MS.
answered_again() {
  local n=0 code
  while :; do
    n=$((n + 1))
    code=$(command curl -s -m 5 -o "$WORK/r/probe" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
      -H "Idempotency-Key: probe-$1-$n" -H 'Content-Type: application/json' \
      --data-binary "${FORM/NAME/probe-$1-$n}" "$BASE/api/v1/applications" || true)
    if [ "$code" = 201 ]; then
      echo "submit $(jq -r .request_id "$WORK/r/probe") -" >> "$L"
      echo $(($(now_ms) - $2))
      return 0
    fi
    [ $(($(now_ms) - $2)) -lt 120000 ] || fail "$1: no write acknowledged within 120 s"
    sleep 0.05
  done
}

T0=$(now_ms)
sleep $((LOAD / 4))
# 1. A read-write node dies.
KILLED_NODE=$(cat "$CLUSTER_DIR/node2.pid")
acked_before=$(grep -c . "$L")
NODE_KILL=$(now_ms)
kill -9 "$KILLED_NODE"
NODE_AGAIN=$(answered_again nodekill "$NODE_KILL")
ok "node2 killed (SIGKILL) after $acked_before acknowledged answers; a write acknowledged again after ${NODE_AGAIN} ms"

sleep $((LOAD / 4))
# 2. The primary dies (the postmaster and each of its processes, SIGKILL), the standby is
# promoted and made to stop waiting for a synchronous standby it no longer has.
pm=$(head -1 "$PRIMARY/postmaster.pid")
kids=$(pgrep -P "$pm" || true)
acked_before_pg=$(grep -c . "$L")
PG_KILL=$(now_ms)
# shellcheck disable=SC2086
kill -9 "$pm" $kids
runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" promote -D "$STANDBY" -w > /dev/null ||
  fail "pg_ctl promote"
PROMOTED=$(now_ms)
psql -qtA "postgresql://postgres@127.0.0.1:$((CLUSTER_PG_PORT + 1))/claimsca" \
  -c "ALTER SYSTEM SET synchronous_standby_names = ''" -c "SELECT pg_reload_conf()" > /dev/null
PG_AGAIN=$(answered_again pgkill "$PG_KILL")
ok "primary killed after $acked_before_pg acknowledged answers, standby promoted in $((PROMOTED - PG_KILL)) ms; a write acknowledged again $PG_AGAIN ms after the kill ($((PG_AGAIN - PROMOTED + PG_KILL)) ms after the promotion)"
# The daily jobs due again, on the promoted database.
declare -A JOBS1
for j in "${DAILY[@]}"; do JOBS1[$j]=$(job_events "$j"); done
psql -qtA "$PG_URL" -c "DELETE FROM job_runs" > /dev/null

remaining=$((LOAD - ($(now_ms) - T0) / 1000))
[ "$remaining" -le 0 ] || sleep "$remaining"
touch "$STOP"
wait "$P1" "$P2" "$P3" "$P4" 2>/dev/null || true
sleep 3  # the jobs' last round
END=$(now_ms)

# --- the checks, on the promoted database ---
sql() { psql -qtA "$PG_URL" -c "$1"; }
in_list() { sed "s/.*/'&'/" "$1" | paste -sd, | sed "s/^$/''/"; }
awk '$2 != "-" {print $2}' "$L" | sort -u > "$WORK/want"
sql "SELECT request_id FROM applications WHERE request_id IN ($(in_list "$WORK/want"))" | sort > "$WORK/have"
bad=$(comm -23 "$WORK/want" "$WORK/have")
[ -z "$bad" ] || fail "acknowledged applications missing after the failover: $bad"
APPS=$(wc -l < "$WORK/want")
awk '$3 != "-" {print $3}' "$L" | sort -u > "$WORK/want"
sql "SELECT serial FROM certificates WHERE state = 'issued' AND revoked_at IS NULL
     AND serial IN ($(in_list "$WORK/want"))" | sort > "$WORK/have"
bad=$(comm -23 "$WORK/want" "$WORK/have")
if [ -n "$bad" ]; then
  echo "$bad" > "$WORK/bad"
  sql "SELECT serial, state, revoked_at, revocation_reason, request_id FROM certificates WHERE serial IN ($(in_list "$WORK/bad"))"
  sql "SELECT seq, actor, action, subject, details FROM audit_log WHERE subject IN ($(in_list "$WORK/bad"))" || true
  grep -F -f "$WORK/bad" "$L" "$EV" || true
  fail "acknowledged certificates not stored as issued and valid: $bad"
fi
CERTS=$(wc -l < "$WORK/want")
bad=$(awk '$3 != "-" {print $3}' "$L" | sort | uniq -d)
[ -z "$bad" ] || fail "a serial was handed out twice to clients: $bad"
bad=$(sql "SELECT serial FROM certificates GROUP BY serial HAVING count(*) > 1")
[ -z "$bad" ] || fail "a serial stored twice: $bad"
bad=$(sql "SELECT serial FROM applications WHERE serial IS NOT NULL AND serial <> '' GROUP BY serial HAVING count(*) > 1")
[ -z "$bad" ] || fail "one certificate held by two applications: $bad"
ok "0 lost: $APPS acknowledged applications and $CERTS acknowledged certificates all stored, no serial twice"

# No daily job ran twice: after each of the two times it was made due, at most one run.
for j in "${DAILY[@]}"; do
  a=$(( ${JOBS1[$j]} - ${JOBS0[$j]} )); b=$(( $(job_events "$j") - ${JOBS1[$j]} ))
  [ "$a" -le 1 ] && [ "$b" -le 1 ] || fail "job $j ran $a times before and $b times after the promotion (at most once each)"
  JOBLINE="${JOBLINE:-}$j=$a+$b "
done
bad=$(sql "SELECT dedup_key FROM mail_outbox GROUP BY dedup_key HAVING count(*) > 1")
[ -z "$bad" ] || fail "a mail queued twice: $bad"
bad=$(sql "SELECT request_id FROM notice_items GROUP BY request_id HAVING count(*) > 1")
[ -z "$bad" ] || fail "a notice printed in two batches: $bad"
ok "no job run twice (runs before+after the promotion: $JOBLINE), no mail or notice twice"

# The read-only node answered OCSP all along (the primary's death does not touch it).
OCSP_OK=$(grep -c . "$WORK/ocsp.ok" || true)
OCSP_FAIL=$(grep -c '^ocsp' "$EV" || true)
[ "$OCSP_OK" -gt 0 ] || fail "no OCSP answer"
{
  echo "load_seconds=$(( (END - T0) / 1000 )) acknowledged=$(grep -c . "$L") applications=$APPS certificates=$CERTS" \
    "renewals=$(grep -c '^renew' "$L" || true) approvals=$(grep -c '^approve' "$L" || true)" \
    "ocsp_ok=$OCSP_OK ocsp_failed=$OCSP_FAIL unacknowledged=$(grep -vc '^ocsp' "$EV" || true)"
  echo "node_kill_to_write_ms=$NODE_AGAIN primary_kill_to_promoted_ms=$((PROMOTED - PG_KILL))" \
    "primary_kill_to_write_ms=$PG_AGAIN promotion_to_write_ms=$((PG_AGAIN - PROMOTED + PG_KILL))"
  echo "jobs_runs_before+after_promotion: $JOBLINE"
  echo "unacknowledged requests by kind and code:"
  awk '{print "  " $1 " " $3}' "$EV" | sort | uniq -c
} | tee "$WORK/figures"
[ -n "${FAILOVER_FIGURES:-}" ] && cp "$WORK/figures" "$FAILOVER_FIGURES"
finish
