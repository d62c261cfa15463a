#!/usr/bin/env bash
# Nothing depends on one node (issue 22 point 2; docs/architecture.md "Several processes,
# one database"): two `serve` processes on the same database, each on its own port, and a
# client whose requests land on either.
#   - a portal session made on A works on B, and a form of A's page posts on B (its CSRF
#     token); logging out on B ends the session on A;
#   - the login lockout counts wrong passwords made on A and on B;
#   - the download lockout (per request ID) counts wrong passwords made on A and on B;
#   - the download form's rate limit (per client address) counts tries on A and on B;
#   - the file link of a download made on A works on B (and again on A: a second click),
#     and for no other browser;
#   - the same Idempotency-Key on A then on B gives one application;
#   - scheduled jobs: two nodes with the jobs on, at the same --at: each daily job ran on
#     exactly one; the node without a job's lease says so (job_elsewhere) and a one-shot
#     `jobs run` says "running elsewhere"; the holder is killed (SIGKILL) in the middle of
#     its job, and the other node takes the job over after the lease's ttl
#     (jobs.lease_seconds=10, longer than the nodes' clocks differ: each serve --at starts its
#     clock when it starts; the holder's heartbeat had kept it for longer while alive).
# Usage: multinode_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
DATA=$WORK/data
ARGS=(--demo)
use_backend "${1:-sqlite}" multinode
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >"$WORK/init.out"
"$CLAIMSCA" admin import-register --data "$DATA" \
  --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" >/dev/null 2>&1
for id in clinic@example.jp lock@example.jp; do
  echo 'clinic-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" \
    --id "$id" --kind institution --code 0110112489 --name "医療法人 愛全病院" >/dev/null
done

# After the demo CA's start (made now): tomorrow 10:00, and the jobs the day after.
AT=$(TZ=Asia/Tokyo date -d tomorrow +%Y-%m-%dT10:00)
JOB_DAY=$(TZ=Asia/Tokyo date -d '2 days' +%Y-%m-%d)
NODE_ARGS=(--at "$AT" --set key_pool.threads=0 --set accounts.max_failed_logins=5
  --set ra.download_max_failures=3 --set portal.download_per_minute=6)

# start_node NAME [serve args]: a serve process on free ports, output in $WORK/NAME.out and
# NAME.log; sets NODE_BASE and NODE_PID.
start_node() {
  local name=$1; shift
  "$CLAIMSCA" serve --data "$DATA" --listen 127.0.0.1:0 --set server.mtls_listen= "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.log" &
  NODE_PID=$!
  EXTRA_PIDS+=("$NODE_PID")
  for _ in $(seq 1 200); do
    grep -q "Press Ctrl-C" "$WORK/$name.out" 2>/dev/null && break
    kill -0 "$NODE_PID" 2>/dev/null || fail "node $name exited: $(cat "$WORK/$name.log")"
    sleep 0.05
  done
  NODE_BASE=$(sed -n 's|.*CA certificates, thumbprints \(http://[^/]*\)/ca/.*|\1|p' "$WORK/$name.out")
  [ -n "$NODE_BASE" ] || fail "node $name did not start: $(cat "$WORK/$name.log")"
}
start_node a "${NODE_ARGS[@]}" --set jobs.enabled=false
A=$NODE_BASE
start_node b "${NODE_ARGS[@]}" --set jobs.enabled=false
B=$NODE_BASE
ok "two serve processes on one $MODE database: A $A, B $B"

# ---- session and CSRF -----------------------------------------------------------------
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }
curl -fsS -c "$WORK/anon.jar" "$A/portal/login" -o "$WORK/login.html"
ANON=$(csrf_of "$WORK/login.html")
curl -fsS -b "$WORK/anon.jar" -c "$WORK/jar" --data-urlencode "csrf=$ANON" \
  --data-urlencode "account_id=clinic@example.jp" --data-urlencode "password=clinic-password-1234" \
  "$A/portal/login" -o /dev/null
grep -q claimsca_session "$WORK/jar" || fail "no session cookie from A"
curl -fsS -b "$WORK/jar" "$A/portal/apply" -o "$WORK/a-form.html"
CSRF=$(csrf_of "$WORK/a-form.html")
[ -n "$CSRF" ] || fail "no CSRF token on A's form"
curl -fsS -b "$WORK/jar" "$B/portal/apply" -o "$WORK/b-form.html"
grep -q 'name="facility_code"' "$WORK/b-form.html" || fail "B does not know A's session"
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/jar" --data-urlencode "csrf=0$CSRF" \
  "$B/portal/logout")
[ "$code" = 403 ] || fail "B took a wrong CSRF token: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/jar" --data-urlencode "csrf=$CSRF" \
  "$B/portal/logout")
[ "$code" = 303 ] || fail "B refused the CSRF token of A's form: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$WORK/jar" "$A/portal/apply")
[ "$code" = 303 ] || fail "the session logged out on B still works on A: $code"
ok "a session made on A works on B; A's CSRF token posts on B (a wrong one is refused); logged out on B, gone on A"

# ---- login lockout --------------------------------------------------------------------
login_on() {  # login_on BASE ACCOUNT PASSWORD -> the HTTP status; the page in $WORK/login-out.html
  curl -sS -b "$WORK/anon.jar" --data-urlencode "csrf=$ANON" --data-urlencode "account_id=$2" \
    --data-urlencode "password=$3" -o "$WORK/login-out.html" -w '%{http_code}' "$1/portal/login"
}
for base in "$A" "$B" "$A" "$B"; do
  code=$(login_on "$base" lock@example.jp wrong-password-0000)
  [ "$code" = 401 ] || fail "a wrong password: $code"
done
code=$(login_on "$A" lock@example.jp wrong-password-0000)
[ "$code" = 429 ] && grep -q 'ロックしました' "$WORK/login-out.html" ||
  fail "the 5th wrong password (A) did not lock the account: $code"
code=$(login_on "$B" lock@example.jp clinic-password-1234)
[ "$code" = 429 ] && grep -q 'ロックしました' "$WORK/login-out.html" ||
  fail "5 wrong passwords over A and B did not lock the account on B: $code"
ok "login lockout: 5 wrong passwords, 3 on A and 2 on B, lock the account for both"

# ---- applications, Idempotency-Key ----------------------------------------------------
J=(-H "Content-Type: application/json")
TOKEN=$(curl -fsS "${J[@]}" --data-binary '{"account_id":"clinic@example.jp","password":"clinic-password-1234"}' \
  "$A/api/v1/login" | jq -r .token)
form() {
  echo '{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
    "facility_code":"0112489","institution_name":"医療法人 愛全病院","contact_name":"医事課",
    "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"'"$1"'"}'
}
apply_on() {  # apply_on BASE TERMINAL [Idempotency-Key] -> the answer in $WORK/app.json
  local key=()
  [ -z "${3:-}" ] || key=(-H "Idempotency-Key: $3")
  curl -fsS "${J[@]}" -H "Authorization: Bearer $TOKEN" "${key[@]}" --data-binary "$(form "$2")" \
    "$1/api/v1/applications" -o "$WORK/app.json"
}
apply_on "$A" 受付PC1 key-multinode-1
RID1=$(jq -r .request_id "$WORK/app.json")
apply_on "$B" 受付PC1 key-multinode-1
[ "$(jq -r .request_id "$WORK/app.json")" = "$RID1" ] || fail "the same key on B made another application"
[ "$(sql "SELECT COUNT(*) FROM applications WHERE idempotency_key = 'key-multinode-1'")" = 1 ] ||
  fail "two applications for one Idempotency-Key"
ok "the same Idempotency-Key on A then on B gives one application ($RID1)"

password_of() {
  "$CLAIMSCA" admin download-password --data "$DATA" --request-id "$1" --by printer 2>>"$WORK/pw.err" |
    sed -n 's/^password=//p'
}
OPTOKEN=$(sed -n 's/.*shown once.*: //p' "$WORK/init.out")
approve_on() {  # approve_on BASE RID: the reviewer's approval (the second application of an
  # institution waits for review; issue the first the same way)
  local state
  curl -sS -X POST -H "Authorization: Bearer $OPTOKEN" "$1/api/v1/applications/$2/approve" -o "$WORK/approve.json"
  state=$(jq -r .state "$WORK/approve.json")
  [ "$state" = issued ] || [ "$(sql "SELECT state FROM applications WHERE request_id = '$2'")" = issued ] ||
    fail "$2 not issued: $(cat "$WORK/approve.json")"
}
[ "$(jq -r .state "$WORK/app.json")" = issued ] || approve_on "$B" "$RID1"
PW1=$(password_of "$RID1")
apply_on "$B" 受付PC2
RID2=$(jq -r .request_id "$WORK/app.json")
[ "$(jq -r .state "$WORK/app.json")" = issued ] || approve_on "$A" "$RID2"
PW2=$(password_of "$RID2")
[ ${#PW1} = 16 ] && [ ${#PW2} = 16 ] || fail "no download passwords for $RID1 $RID2: $(cat "$WORK/pw.err") $(jq -c . "$WORK/app.json")"

# ---- download lockout, one-time file link ---------------------------------------------
curl -fsS -c "$WORK/dl.jar" "$A/download/" -o "$WORK/dl.html"
DCSRF=$(csrf_of "$WORK/dl.html")
download_on() {  # download_on BASE RID PASSWORD [curl args] -> status; page in $WORK/dl-out.html
  local base=$1 rid=$2 pw=$3; shift 3
  curl -sS -b "$WORK/dl.jar" "$@" --data-urlencode "csrf=$DCSRF" --data-urlencode "request_id=$rid" \
    --data-urlencode "password=$pw" -o "$WORK/dl-out.html" -w '%{http_code}' "$base/download/"
}
for base in "$A" "$B" "$A"; do
  code=$(download_on "$base" "$RID2" WRONGPASSWORD000)
  [ "$code" = 401 ] || fail "a wrong download password: $code"
done
code=$(download_on "$B" "$RID2" "$PW2")
[ "$code" = 401 ] || fail "3 wrong passwords over A and B did not lock $RID2 on B: $code"
[ "$(sql "SELECT COUNT(*) FROM applications WHERE request_id = '$RID2' AND download_locked_until IS NOT NULL")" = 1 ] ||
  fail "the lock is not in the database"
ok "download lockout: 3 wrong passwords, 2 on A and 1 on B, lock the request ID for both"

code=$(download_on "$A" "$RID1" "$PW1")
[ "$code" = 200 ] || fail "download on A: $code $(head -c 300 "$WORK/dl-out.html")"
LINK=$(sed -n 's/.*href="\(\/download\/file?t=[0-9a-f]*\)".*/\1/p' "$WORK/dl-out.html" | head -1)
[ -n "$LINK" ] || fail "no file link on A's page"
curl -fsS -b "$WORK/dl.jar" -o "$WORK/b.p12" "$B$LINK" || fail "A's file link does not work on B"
openssl pkcs12 -in "$WORK/b.p12" -passin "pass:$PW1" -nokeys -clcerts -out "$WORK/b.pem" 2>/dev/null ||
  fail "the file fetched on B is not the PKCS#12"
curl -fsS -b "$WORK/dl.jar" -o "$WORK/a.p12" "$A$LINK" || fail "a second click on A"
cmp -s "$WORK/a.p12" "$WORK/b.p12" || fail "a second click got another file"
for base in "$A" "$B"; do
  code=$(curl -sS -o /dev/null -w '%{http_code}' "$base$LINK")
  [ "$code" = 410 ] || fail "the link works without the browser's cookie on $base: $code"
done
[ "$(sql "SELECT COUNT(*) FROM one_time_files")" = 1 ] || fail "the file is not in one_time_files"
ok "a download on A: its file link works on B (and a second click on A), for no other browser"

# ---- rate limit -----------------------------------------------------------------------
# A client of its own address (127.0.0.9) with unknown request IDs: 6 tries a minute
# (portal.download_per_minute=6) over both nodes, the 7th refused on either.
for i in 1 2 3 4 5 6; do
  base=$A; [ $((i % 2)) = 0 ] && base=$B
  code=$(download_on "$base" "9999999999999$i" WRONGPASSWORD000 --interface 127.0.0.9)
  [ "$code" = 401 ] || fail "try $i of 127.0.0.9: $code"
done
for base in "$A" "$B"; do
  code=$(download_on "$base" 99999999999999 WRONGPASSWORD000 --interface 127.0.0.9)
  [ "$code" = 429 ] || fail "the 7th try of 127.0.0.9 in a minute on $base: $code"
done
code=$(download_on "$B" 99999999999998 WRONGPASSWORD000 --interface 127.0.0.10)
[ "$code" = 401 ] || fail "another client is refused too: $code"
[ "$(sql "SELECT tries FROM rate_limits WHERE scope = 'download' AND client = '127.0.0.9'")" -ge 7 ] ||
  fail "the tries are not counted in the database"
ok "rate limit: 6 download tries a minute from one address, 3 on A and 3 on B; the 7th refused on both"
for pid in "${EXTRA_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
EXTRA_PIDS=()

# ---- scheduled jobs ------------------------------------------------------------------
# An SMTP server that accepts connections and never answers: the mail job hangs in it (up
# to its 30 s timeout) holding its lease, as a long job would.
SILENT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$SILENT_PORT" &
SILENT_PID=$!
EXTRA_PIDS+=("$SILENT_PID")
JOB_AT=${JOB_DAY}T15:00  # reminders (09:00), purge-downloads (03:00), notice-batch (14:00) due
JOB_ARGS=(--at "$JOB_AT" --set key_pool.threads=0 --set jobs.enabled=true --set jobs.interval_seconds=1
  --set jobs.lease_seconds=10 --set "mail.smtp_url=smtp://127.0.0.1:$SILENT_PORT")
start_node c "${JOB_ARGS[@]}"
C_PID=$NODE_PID
C=$NODE_BASE
start_node d "${JOB_ARGS[@]}"
D_PID=$NODE_PID
# The pid of the node holding job:mail now. A released lease is dated at the real time (a
# rehearsal's release never dates a lease in the future), long before JOB_AT; a held one
# ends after JOB_AT.
JOB_AT_EPOCH=$(date -d "${JOB_AT}+09:00" +%s)
mail_holder() {
  sql "SELECT holder FROM leases WHERE name = 'job:mail' AND expires_at > $JOB_AT_EPOCH" | sed 's/.*://'
}
# Up to 90 s: on a loaded CI machine the two nodes' first job rounds can take a while.
jobs_done=0
for _ in $(seq 1 900); do
  [ "$(sql "SELECT COUNT(*) FROM job_runs WHERE last_day = '$JOB_DAY'")" -ge 3 ] && { jobs_done=1; break; }
  sleep 0.1
done
[ "$jobs_done" = 1 ] || fail "the daily jobs did not all run within 90 s: job_runs $(sql "SELECT name || '=' || last_day FROM job_runs" | tr '\n' ' '); $(grep -h '"job' "$WORK/c.log" "$WORK/d.log" | tail -8)"
# Only now a mail due (a password reset request), for the next mail round to hang on: the
# steps below must fit in that round's 30 s (the SMTP timeout), however long the daily jobs
# took to start on a loaded machine. The holder is read once (read again, it may be gone).
curl -fsS -c "$WORK/reset.jar" "$C/portal/reset-request" -o "$WORK/reset.html"
curl -fsS -b "$WORK/reset.jar" --data-urlencode "csrf=$(csrf_of "$WORK/reset.html")" \
  --data-urlencode "account_id=clinic@example.jp" "$C/portal/reset-request" -o /dev/null
HOLDER=""
for _ in $(seq 1 200); do
  HOLDER=$(mail_holder)
  [ -n "$HOLDER" ] && break
  sleep 0.1
done
case $HOLDER in
  "$C_PID") SURVIVOR=$D_PID; S=d; H=c ;;
  "$D_PID") SURVIVOR=$C_PID; S=c; H=d ;;
  *) fail "job:mail is held by '$HOLDER', neither node ($C_PID, $D_PID)" ;;
esac
sleep 12  # longer than the lease's ttl (10 s): the holder's heartbeat keeps it
[ "$(mail_holder)" = "$HOLDER" ] || fail "the lease of a running job was lost: $(mail_holder)"
for job in reminders notice-batch purge-downloads; do
  n=$(cat "$WORK/c.log" "$WORK/d.log" | grep '"job"' | grep -c "\"$job\"" || true)
  [ "$n" = 1 ] || fail "$job ran $n times over the two nodes (want 1): $(grep -h "\"$job\"" "$WORK/c.log" "$WORK/d.log")"
done
grep -q '"job_elsewhere".*"mail"\|"mail".*"job_elsewhere"' "$WORK/$S.log" ||
  fail "node $S does not say that mail runs elsewhere: $(tail -5 "$WORK/$S.log")"
"$CLAIMSCA" jobs run --data "$DATA" --at "$JOB_AT" --job mail --set "mail.smtp_url=smtp://127.0.0.1:$SILENT_PORT" \
  >"$WORK/oneshot.out" 2>&1 || true
grep -q '^mail: skipped: running elsewhere' "$WORK/oneshot.out" || fail "jobs run: $(cat "$WORK/oneshot.out")"
ok "two nodes with jobs at the same --at: each daily job ran once; mail's lease held by node $H (kept by its heartbeat past the ttl), node $S and a one-shot jobs run say it runs elsewhere"

kill -9 "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
for _ in $(seq 1 200); do [ "$(mail_holder)" = "$SURVIVOR" ] && break; sleep 0.1; done
[ "$(mail_holder)" = "$SURVIVOR" ] || fail "node $S did not take the mail job over: $(mail_holder)"
kill "$SILENT_PID"; wait "$SILENT_PID" 2>/dev/null || true  # the taken-over run then ends
# (wait for the run itself: its "job_elsewhere" lines are logged as each round meets the lease)
for _ in $(seq 1 300); do grep '"job":"mail"' "$WORK/$S.log" | grep -qv job_elsewhere && break; sleep 0.1; done
grep '"job":"mail"' "$WORK/$S.log" | grep -qv job_elsewhere || fail "node $S did not run the mail job: $(tail -3 "$WORK/$S.log")"
ok "node $H killed (SIGKILL) in the middle of the mail job: node $S took it over within the lease's ttl and ran it"
finish
