#!/usr/bin/env bash
# Mail and reminders end to end, with time moved by --at (docs/notices-and-mail.md):
#   - the RA writes 申請情報受付通知 and 発行完了通知 into the outbox in the same transaction as
#     the application and its approval; `jobs run` sends them to a real SMTP server;
#   - one certificate walked day by day from issuance to past its end with `jobs run --at`:
#     exactly the download reminders (30, 15 days before the download deadline) and the
#     expiry reminders (75, 60, 45, 30, 15, 7 days before, then daily), each once;
#   - a reminders run repeated, or resumed after a crash before it was recorded, sends
#     nothing twice;
#   - the on-screen reminder answered to a terminal over mTLS: 90, 60, 30, 15, 7 days
#     before, then daily, shown on the first day asked in each stage;
#   - the tracking list: 発送済み → 不達 → re-send list → 発送済み → お届け済み, shown in the API;
#     a bad list is refused whole.
# Usage: reminders_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
MAILDIR=$WORK/mail
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" rem
start_smtp_sink "$MAILDIR"

# The CA is made before the first instant the test acts at, whatever today's date is.
TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-11-24T09:00 | sed -n 's/^Operator API token.*: //p')
"$CLAIMSCA" admin import-register --data "$DATA" --file "$CLAIMSCA_SOURCE_DIR/data/institutions-2025-08.csv" \
  --by t >/dev/null 2>&1 || fail "register import"
MAILSET=(--set "mail.smtp_url=smtp://127.0.0.1:$SMTP_PORT" --set mail.smtp_starttls=none
  --set mail.from_address=no-reply@claimsca.example)
subjects() { for f in "$MAILDIR"/*.json; do [ -f "$f" ] && jq -r .subject "$f"; done; }
mails() { ls "$MAILDIR"/*.eml 2>/dev/null | wc -l; }

# 1. Submit (approved at once by automatic review) at 2026-11-24 10:00 JST.
start_server "$DATA" --at 2026-11-24T10:00 --set key_pool.threads=0 --set jobs.enabled=false "${MAILSET[@]}"
form='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
  "facility_code":"0112489","institution_name":"愛全病院","contact_name":"医事課 <b>山田</b>",
  "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"受付PC"}'
curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary "$form" "$BASE/api/v1/applications" > "$WORK/app.json" || fail "submit"
RID=$(jq -r .request_id "$WORK/app.json")
[ "$(jq -r .state "$WORK/app.json")" = issued ] || fail "not issued: $(cat "$WORK/app.json")"
stop_server
[ "$(sql "SELECT count(*) FROM mail_outbox WHERE subject_ref = '$RID'")" = 2 ] || fail "outbox rows"
[ "$(mails)" = 0 ] || fail "nothing is sent before the mail job runs"
ok "received + issued mails written to the outbox with the application ($RID)"

jobs() { "$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at "$1" --job reminders --job mail \
  --job purge-downloads > "$WORK/jobs.out" 2>&1 ||
  fail "jobs run at $1: $(cat "$WORK/jobs.out")"; }
jobs 2026-11-24T10:05
[ "$(mails)" = 2 ] || fail "sent: $(mails)"
subjects | grep -qx '【電子証明書 申請情報受付通知】' || fail "received mail: $(subjects)"
subjects | grep -qx '【電子証明書 発行完了通知】' || fail "issued mail: $(subjects)"
jq -r .body "$MAILDIR/002.json" | grep -q '医事課 <b>山田</b> 様' || fail "body: $(jq -r .body "$MAILDIR/002.json")"
[ "$(jq -r '.rcpt_tos[0]' "$MAILDIR/001.json")" = iji@example.jp ] || fail "recipient"
jq -r .from "$MAILDIR/001.json" | grep -q 'no-reply@claimsca.example' || fail "sender"
ok "sent over SMTP: 申請情報受付通知 and 発行完了通知 to the applicant, from no-reply@"

# 2. Day by day from the next day to two days past the end, at 09:30 JST.
NOT_AFTER_DAY=$(sql "SELECT not_after FROM applications WHERE request_id = '$RID'")
NOT_AFTER_DAY=$(TZ=Asia/Tokyo date -d "@$NOT_AFTER_DAY" +%F)
DEADLINE_DAY=$(TZ=Asia/Tokyo date -d "@$(sql "SELECT download_deadline FROM applications WHERE request_id = '$RID'")" +%F)
[ "$NOT_AFTER_DAY" = 2030-02-24 ] && [ "$DEADLINE_DAY" = 2027-05-23 ] || fail "dates $NOT_AFTER_DAY $DEADLINE_DAY"
: > "$WORK/sent.txt"
day=2026-11-25
end=$(date -d "$NOT_AFTER_DAY + 2 days" +%F)
while [ "$day" != "$end" ]; do
  before=$(mails)
  jobs "${day}T09:30"
  after=$(mails)
  for n in $(seq $((before + 1)) "$after"); do
    echo "$day $(jq -r .subject "$MAILDIR/$(printf %03d "$n").json")" >> "$WORK/sent.txt"
  done
  if [ "$day" = "$DEADLINE_DAY" ] || [ "$day" = "$(date -d "$DEADLINE_DAY + 1 day" +%F)" ]; then
    # The PKCS#12 is kept through the deadline day and erased the day after.
    kept=$(sql "SELECT count(*) FROM applications WHERE request_id = '$RID' AND pkcs12_der IS NOT NULL")
    want=0
    if [ "$day" = "$DEADLINE_DAY" ]; then want=1; fi
    [ "$kept" = "$want" ] || fail "PKCS#12 on $day: kept=$kept, want $want"
    PURGE_CHECKED=$((${PURGE_CHECKED:-0} + 1))
  fi
  if [ "$day" = "$(date -d "$NOT_AFTER_DAY - 3 days" +%F)" ]; then
    # 3. A run that died before it was recorded runs again: nothing is sent twice; a run
    # repeated on the same day is not due.
    sql "DELETE FROM job_runs WHERE name = 'reminders'" >/dev/null
    jobs "${day}T09:40"
    grep -q 'already_sent=1' "$WORK/jobs.out" || fail "resumed run: $(cat "$WORK/jobs.out")"
    jobs "${day}T09:45"
    grep -q 'reminders: skipped: not due' "$WORK/jobs.out" || fail "repeated run: $(cat "$WORK/jobs.out")"
    [ "$(mails)" = "$after" ] || fail "a mail was sent twice"
    RESUMED=1
  fi
  day=$(date -d "$day + 1 day" +%F)
done
[ "${RESUMED:-}" = 1 ] && [ "${PURGE_CHECKED:-}" = 2 ] || fail "the resume or purge checks did not run"
expected() {
  for d in 30 15; do
    echo "$(date -d "$DEADLINE_DAY - $d days" +%F) 【電子証明書 ダウンロード有効期限のお知らせ】あと${d}日です"
  done
  for d in 75 60 45 30 15 7 6 5 4 3 2 1 0; do
    echo "$(date -d "$NOT_AFTER_DAY - $d days" +%F) 【電子証明書 有効期限のお知らせ】あと${d}日で有効期限が切れます"
  done
}
diff <(expected) "$WORK/sent.txt" > "$WORK/diff.txt" || fail "reminders differ from the schedules: $(cat "$WORK/diff.txt")"
ok "a run resumed after a crash, and a repeated run, send nothing twice"
ok "the PKCS#12 is erased the day after its download deadline (purge-downloads)"
ok "$(wc -l < "$WORK/sent.txt") reminders over $(( ($(date -d "$end" +%s) - $(date -d 2026-11-25 +%s)) / 86400 )) days: download 30/15, expiry 75/60/45/30/15/7 then daily, each once"

# 3b. A reminders run killed half-way (SIGKILL), then run again: every due reminder written
# exactly once. 20,000 copies of the application (SQLite: cloned in SQL) are all due.
if [ "$MODE" = sqlite ]; then
  {
    echo "BEGIN; CREATE TEMP TABLE t AS SELECT * FROM applications WHERE request_id = '$RID';"
    for i in $(seq 1 20000); do
      printf "UPDATE t SET seq = NULL, request_id = '3%013d', serial = 'c1%06d'; INSERT INTO applications SELECT * FROM t;\n" "$i" "$i"
    done
    echo "COMMIT;"
  } > "$WORK/clone.sql"
  sqlite3 "$DATA/claimsca.db" < "$WORK/clone.sql" || fail "clone"
  AT=2029-12-11T09:30  # 75 days before the end: the first expiry stage
  # A kill must land while the run is writing; under a heavily loaded machine it may land
  # before the first page or after the last: then the attempt is cleaned up and repeated.
  partial=0
  for attempt in 1 2 3 4 5; do
    # This goes back in time from the walk's end: its released lease would still look held
    # and its last day would be later than this one.
    sql "UPDATE leases SET expires_at = 0 WHERE name = 'job:reminders'; DELETE FROM job_runs;
         DELETE FROM mail_outbox WHERE subject_ref LIKE 'c1%'" >/dev/null
    "$CLAIMSCA" jobs run --data "$DATA" --at "$AT" --job reminders > /dev/null 2>&1 &
    KPID=$!
    for _ in $(seq 1 1000); do
      [ "$(sql "SELECT count(*) FROM mail_outbox WHERE subject_ref LIKE 'c1%'")" -ge 200 ] && break
      sleep 0.01
    done
    kill -9 "$KPID" 2>/dev/null || true
    wait "$KPID" 2>/dev/null || true
    partial=$(sql "SELECT count(*) FROM mail_outbox WHERE subject_ref LIKE 'c1%'")
    [ "$partial" -gt 0 ] && [ "$partial" -lt 20000 ] && break
    echo "# attempt $attempt: the kill landed after $partial of 20,000; again" >&2
  done
  [ "$partial" -gt 0 ] && [ "$partial" -lt 20000 ] || fail "the kill did not land half-way ($partial written)"
  [ -z "$(sql "SELECT last_day FROM job_runs WHERE name = 'reminders' AND last_day = '${AT%T*}'")" ] ||
    fail "a killed run was recorded as done"
  sql "UPDATE leases SET expires_at = 0 WHERE name = 'job:reminders'" >/dev/null  # its lease ran out
  "$CLAIMSCA" jobs run --data "$DATA" --at "${AT%T*}T10:30" --job reminders > "$WORK/jobs.out" 2>&1 ||
    fail "rerun: $(cat "$WORK/jobs.out")"
  # Already there: what the killed run wrote, and the original application's own reminder.
  grep -q "already_sent=$((partial + 1))" "$WORK/jobs.out" || fail "rerun: $(cat "$WORK/jobs.out") after $partial"
  [ "$(sql "SELECT count(*), count(DISTINCT dedup_key) FROM mail_outbox WHERE subject_ref LIKE 'c1%'")" = "20000|20000" ] ||
    fail "not exactly one reminder each"
  sql "DELETE FROM applications WHERE request_id LIKE '3%'; DELETE FROM mail_outbox WHERE subject_ref LIKE 'c1%'" >/dev/null
  ok "a reminders run killed after $partial of 20,000 mails resumes: every reminder written exactly once"
fi

# 3c. The mail sender killed (SIGKILL) in the middle of a batch of 1,000 due messages, then
# run again (after its lease has run out): the SMTP server receives each message once —
# except, rarely, the one message whose end of data the kill cut off after its sent mark
# was committed (the documented window, microseconds wide): that one is lost, none twice.
if [ "$MODE" = postgres ]; then
  sql "INSERT INTO mail_outbox (dedup_key, kind, subject_ref, recipient, mime, state, attempts,
         next_attempt_at, last_error, created_at)
       SELECT 'kill|' || i, m.kind, 'k' || i, 'k' || i || '@example.jp', m.mime, 'pending', 0, 0, '',
         m.created_at
       FROM generate_series(1, 1000) AS i,
         (SELECT * FROM mail_outbox WHERE subject_ref = '$RID' LIMIT 1) AS m" >/dev/null
else
  sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
       INSERT INTO mail_outbox (dedup_key, kind, subject_ref, recipient, mime, state, attempts,
         next_attempt_at, last_error, created_at)
       SELECT 'kill|' || i, m.kind, 'k' || i, 'k' || i || '@example.jp', m.mime, 'pending', 0, 0, '',
         m.created_at
       FROM n, (SELECT * FROM mail_outbox WHERE subject_ref = '$RID' LIMIT 1) AS m" >/dev/null
fi
[ "$(sql "SELECT count(*) FROM mail_outbox WHERE subject_ref LIKE 'k%' AND state = 'pending'")" = 1000 ] ||
  fail "1,000 due messages"
killed_rcpts() {  # the recipient of each message received for the 1,000, sorted
  for f in "$MAILDIR"/*.json; do jq -r '.rcpt_tos[0]' "$f"; done | grep -E '^k[0-9]+@example.jp$' | sort
}
killed() {  # messages received for the 1,000, and how many distinct recipients
  killed_rcpts | uniq -c | awk '{n += $1; d++} END {print n + 0, d + 0}'
}
RESTART_AT=2030-03-01T10:00
AT=2030-03-01T09:00
"$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at "$AT" --job mail > /dev/null 2>&1 &
KPID=$!
before=$(mails)
for _ in $(seq 1 3000); do [ "$(mails)" -ge $((before + 150)) ] && break; sleep 0.01; done
kill -9 "$KPID" 2>/dev/null || true
wait "$KPID" 2>/dev/null || true
read -r got _ <<< "$(killed)"
{ [ "$got" -gt 0 ] && [ "$got" -lt 1000 ]; } || fail "the kill did not land half-way ($got of 1,000 received)"
"$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at "$RESTART_AT" --job mail > "$WORK/jobs.out" 2>&1 ||
  fail "mail after the kill: $(cat "$WORK/jobs.out")"
[ "$(sql "SELECT count(*) FROM mail_outbox WHERE subject_ref LIKE 'k%' AND state = 'sent'")" = 1000 ] ||
  fail "not all marked sent"
read -r n d <<< "$(killed)"
[ "$n" = "$d" ] || fail "a message reached the SMTP server twice: $n messages for $d recipients"
if [ "$n" = 1000 ]; then
  ok "the mail sender killed after $got of 1,000 messages: after the restart the SMTP server has each once"
else
  # The one documented loss (docs/notices-and-mail.md, Known limits): the kill landed in the
  # microseconds between the committed `sent` mark and the end-of-data mark. Then exactly one
  # message is missing, and it is one the killed run marked (before the restart's instant).
  [ "$n" = 999 ] || fail "after the restart the SMTP server has: $n $d (messages, recipients)"
  lost=$(comm -23 <(sql "SELECT recipient FROM mail_outbox WHERE subject_ref LIKE 'k%'" | sort) <(killed_rcpts))
  restart=$(date -d "$RESTART_AT+09:00" +%s)
  [ "$(sql "SELECT count(*) FROM mail_outbox WHERE recipient = '$lost' AND sent_at < $restart")" = 1 ] ||
    fail "the message lost ($lost) was not the one the killed run was sending"
  ok "the mail sender killed after $got of 1,000 messages: none twice; $lost was lost in the documented window between its sent mark and the end of data"
fi

# 4. On-screen reminders over mTLS for a terminal certificate issued 2026-11-24 (ends 2030-02-24).
new_csr term ec
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/term.csr" --code 0110112489 --terminal 受付PC2 \
  --at 2026-11-24T10:00 > "$WORK/term.pem" 2>"$WORK/sign.err" || fail "sign: $(cat "$WORK/sign.err")"
R=$DATA/ca/root.pem
screen() {  # screen AT → the JSON answer
  start_server "$DATA" --at "$1" --set key_pool.threads=0 --set jobs.enabled=false
  curl -fsS --cacert "$R" --cert "$WORK/term.pem" --key "$WORK/term.key" \
    "https://127.0.0.1:$MTLS_PORT/terminal/reminder" > "$WORK/screen.json" || fail "reminder at $1"
  if [ "${2:-}" = again ]; then
    curl -fsS --cacert "$R" --cert "$WORK/term.pem" --key "$WORK/term.key" \
      "https://127.0.0.1:$MTLS_PORT/terminal/reminder" > "$WORK/screen.json" || fail "reminder again at $1"
  fi
  stop_server
  jq -r '"\(.show) \(.days_left)"' "$WORK/screen.json"
}
for step in "2029-11-25T09:00 false 91" "2029-11-26T09:00 true 90" "2029-11-26T17:00 true 90 again" \
  "2029-11-27T09:00 false 89" "2029-12-30T09:00 true 56" "2029-12-31T09:00 false 55" \
  "2030-02-17T09:00 true 7" "2030-02-18T09:00 true 6" "2030-02-24T09:00 true 0"; do
  set -- $step
  got=$(screen "$1" "${4:-}")
  [ "$got" = "$2 $3" ] || fail "on-screen at $1: got '$got', want '$2 $3' ($(cat "$WORK/screen.json"))"
done
jq -r .message "$WORK/screen.json" | grep -q '本日で有効期限が切れます' || fail "message: $(cat "$WORK/screen.json")"
ok "on-screen reminder: 90 (asked again the same day: still shown), then 60 on the first day asked (56), 7, daily"

# 5. Shipping: the notice printed, then the tracking list.
"$CLAIMSCA" notices print --data "$DATA" --out "$WORK/notices" --at 2026-11-24T11:00 > "$WORK/print.out" 2>&1 ||
  fail "print: $(cat "$WORK/print.out")"
track() {  # track CSV-ROWS... → exit status of the import
  { echo 'request_id,tracking_number,status,date'; printf '%s\n' "$@"; } > "$WORK/track.csv"
  "$CLAIMSCA" notices import-tracking --data "$DATA" --file "$WORK/track.csv" --by ops > "$WORK/track.out" 2>&1
}
shipping() {
  start_server "$DATA" --at 2026-12-01T10:00 --set key_pool.threads=0 --set jobs.enabled=false
  curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/applications/$RID" | jq -c .shipping
  stop_server
}
[ "$(shipping)" = '{"dispatch_on":"2026-11-25","resend_count":0,"status":"printed","status_ja":"発送準備中","status_on":"","tracking_number":""}' ] ||
  fail "printed: $(shipping)"
track "$RID,1234-5678-9012,発送済み,2026-11-25" || fail "shipped: $(cat "$WORK/track.out")"
track "$RID,1234-5678-9012,発送済み,2026-11-25" || fail "a repeated list is accepted: $(cat "$WORK/track.out")"
! track "$RID,1234-5678-9012,お届け済み,2026-11-26" "99999999999999,1,発送済み,2026-11-26" || fail "a list with an unknown ID"
grep -q 'line 3: 99999999999999' "$WORK/track.out" || fail "error names the line: $(cat "$WORK/track.out")"
! track "$RID,,お届け済み,2026-13-01" || fail "bad date accepted"
grep -q 'line 2, date' "$WORK/track.out" || fail "date error: $(cat "$WORK/track.out")"
! track "$RID,9999-0000-1111,不達,2026-11-27" || fail "another shipment's number accepted"
[ "$(shipping | jq -r .status)" = shipped ] || fail "a refused list changed something"
ok "tracking list: 発送済み recorded; a list with an unknown ID, a bad date or another number is refused whole"
track "$RID,1234-5678-9012,不達,2026-11-28" || fail "undeliverable: $(cat "$WORK/track.out")"
[ "$(shipping | jq -r .status_ja)" = 不達 ] || fail "不達 not shown"
"$CLAIMSCA" notices print --data "$DATA" --out "$WORK/notices" --at 2026-11-30T11:00 > "$WORK/print2.out" 2>&1 ||
  fail "resend: $(cat "$WORK/print2.out")"
grep -q '^resend=1 csv=.*resend-20261130T110000.csv$' "$WORK/print2.out" || fail "resend list: $(cat "$WORK/print2.out")"
grep -q "\"1\",\"005-0813\",.*\"$RID\"" "$WORK/notices/resend-20261130T110000.csv" || fail "resend csv"
[ "$(shipping | jq -r '"\(.status) \(.resend_count)"')" = "printed 1" ] || fail "after resend: $(shipping)"
track "$RID,2222-3333-4444,発送済み,2026-12-01" && track "$RID,,お届け済み,2026-12-02" || fail "re-shipped: $(cat "$WORK/track.out")"
[ "$(shipping | jq -r '"\(.status_ja) \(.tracking_number)"')" = "お届け済み 2222-3333-4444" ] || fail "delivered: $(shipping)"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action IN ('notice.shipping', 'notice.resend')")" -ge 5 ] || fail "audit"
ok "不達 → re-send list (current registered address) → 発送済み with a new number → お届け済み, audited"

# 6. serve runs the jobs itself: a new application's mails arrive without `jobs run`.
before=$(mails)
start_server "$DATA" --at 2030-03-02T10:00 --set key_pool.threads=0 --set jobs.enabled=true \
  --set jobs.interval_seconds=1 "${MAILSET[@]}"
curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary "${form/受付PC/受付PC3}" "$BASE/api/v1/applications" > "$WORK/app3.json" || fail "submit 3"
for _ in $(seq 1 300); do [ "$(mails)" -ge $((before + 2)) ] && break; sleep 0.1; done
[ "$(mails)" = $((before + 2)) ] || fail "serve did not send the new mails: $(mails) after $before"
grep -q '"kind":"job","job":"mail"' "$WORK/server.log" || fail "no job line in the log"
stop_server
ok "serve runs the jobs on its own: the new application's two mails were sent within seconds"

"$CLAIMSCA" audit verify --data "$DATA" >/dev/null || fail "audit chain"
finish
