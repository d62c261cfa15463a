#!/usr/bin/env bash
# The two mails of issue 24 point 11, end to end through the outbox and a real SMTP server
# (src/mail/testdata/smtp_sink.py), docs/notices-and-mail.md:
#   - "your certificate was downloaded": a PKCS#12 downloaded with the notice's password
#     mails the applicant when, from which address (127.0.0.1 here) and which terminal; a
#     second download mails again, a refused one does not;
#   - "renewal is failing": `claimsca agent check` fails to renew for real (its CMP requests
#     go to a path the server refuses) and reports each failure over mTLS with the
#     certificate it failed to renew (POST /terminal/renewal-failures); after failures on
#     three different days the reminders job mails the institution once, and never again.
# Usage: mail_events_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
MAILDIR=$WORK/mail
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" mailev
start_smtp_sink "$MAILDIR"
MAILSET=(--set "mail.smtp_url=smtp://127.0.0.1:$SMTP_PORT" --set mail.smtp_starttls=none
  --set mail.from_address=no-reply@claimsca.example)
mails() { ls "$MAILDIR"/*.eml 2>/dev/null | wc -l; }
# mail_with SUBJECT: the JSON file of the (last) message with that subject.
mail_with() { for f in "$MAILDIR"/*.json; do [ "$(jq -r .subject "$f")" = "$1" ] && echo "$f"; done | tail -n1; }
count_subject() { for f in "$MAILDIR"/*.json; do jq -r .subject "$f"; done | grep -cx "$1" || true; }
send_mail() { "$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --job mail ${1:+--at "$1"} > "$WORK/mailjob.out" 2>&1 ||
  fail "mail job: $(cat "$WORK/mailjob.out")"; }

clinic_terminal_setup
apply_terminal
code=$(curl -s -o /dev/null -w '%{http_code}' "${J[@]}" \
  --data-binary "{\"request_id\":\"$RID\",\"password\":\"wrong-password-1\"}" "$BASE/api/v1/download")
[ "$code" = 401 ] || fail "wrong password: $code"
curl -fsS -o "$WORK/t.p12" "${J[@]}" --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" \
  "$BASE/api/v1/download" || fail "download"
openssl pkcs12 -in "$WORK/t.p12" -passin "pass:$PASSWORD" -nokeys -clcerts -out "$WORK/t.pem" 2>/dev/null
openssl pkcs12 -in "$WORK/t.p12" -passin "pass:$PASSWORD" -nocerts -nodes -out "$WORK/t.key" 2>/dev/null
stop_server
send_mail
DL='【電子証明書 ダウンロードのお知らせ】受付PC1'
[ "$(count_subject "$DL")" = 1 ] || fail "downloaded mails: $(count_subject "$DL")"
f=$(mail_with "$DL")
[ "$(jq -r '.rcpt_tos[0]' "$f")" = iji@example.jp ] || fail "recipient: $(jq -r '.rcpt_tos[0]' "$f")"
body=$(jq -r .body "$f")
for want in "取得元のアドレス : 127.0.0.1" "端末名称等       : 受付PC1" "リクエストID     : $RID" \
  "ダウンロードサイト" "心当たりがない場合" "失効"; do
  [[ "$body" == *"$want"* ]] || fail "downloaded mail lacks '$want': $body"
done
# The minute of the download, as the server saw it (JST).
[[ "$body" == *"日時             : $(TZ=Asia/Tokyo date +%Y/%m/%d)"* ]] || fail "date in: $body"
ok "a download mails the applicant once: when, from 127.0.0.1, which terminal; a refused one does not"

start_server "$DATA"
sleep 1  # another second: another download event
curl -fsS -o /dev/null "${J[@]}" --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" \
  "$BASE/api/v1/download" || fail "second download"
stop_server
send_mail
[ "$(count_subject "$DL")" = 2 ] || fail "a second download is a second mail: $(count_subject "$DL")"
send_mail
[ "$(count_subject "$DL")" = 2 ] || fail "sent twice"
ok "a second download mails again; nothing is sent twice"

# Renewal is failing. 40 days before the end the agent renews (renew-within 60, jitter
# ≤ 14); its CMP path is refused by the server (404), a real failure, reported each day.
END_S=$(date -d "$(openssl x509 -in "$WORK/t.pem" -noout -enddate | cut -d= -f2)" +%s)
FAIL='【電子証明書 自動更新ができていません】受付PC1'
cp "$WORK/t.pem" "$WORK/agent.pem"; cp "$WORK/t.key" "$WORK/agent.key"
# The end is 23:59:59 JST; each day's instant is noon JST of that day (the server's clock
# runs on from --at, so 23:59:59 would cross into the next day mid-test).
for d in 0 1 2; do
  AT=$(date -u -d "@$((END_S - 43199 - (40 - d) * 86400))" +%Y-%m-%dT%H:%M:%SZ)
  start_server "$DATA" --at "$AT"
  "$CLAIMSCA" agent check --cert "$WORK/agent.pem" --key "$WORK/agent.key" --server "127.0.0.1:$PORT" \
    --path not-the-cmp-path --trusted "$DATA/ca/root.pem" --report-server "127.0.0.1:$MTLS_PORT" \
    --at "$AT" > "$WORK/agent$d.out" 2>&1 || fail "agent check: $(cat "$WORK/agent$d.out")"
  grep -q "renewal failed: " "$WORK/agent$d.out" && grep -q "(reported to the server)" "$WORK/agent$d.out" ||
    fail "day $d: $(cat "$WORK/agent$d.out")"
  # A second failure the same day is counted on that day.
  if [ "$d" = 0 ]; then
    "$CLAIMSCA" agent check --cert "$WORK/agent.pem" --key "$WORK/agent.key" --server "127.0.0.1:$PORT" \
      --path not-the-cmp-path --trusted "$DATA/ca/root.pem" --report-server "127.0.0.1:$MTLS_PORT" \
      --at "$AT" > "$WORK/agent0b.out" 2>&1 || fail "agent check again: $(cat "$WORK/agent0b.out")"
    grep -q "(reported to the server)" "$WORK/agent0b.out" || fail "second report: $(cat "$WORK/agent0b.out")"
  fi
  stop_server
  "$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at "$AT" --job reminders --job mail > "$WORK/jobs$d.out" 2>&1 ||
    fail "jobs at $AT: $(cat "$WORK/jobs$d.out")"
  if [ "$d" -lt 2 ]; then
    [ "$(count_subject "$FAIL")" = 0 ] || fail "mailed after $((d + 1)) days"
  fi
done
[ "$(sql "SELECT count(*) FROM renewal_failures")" = 3 ] || fail "days: $(sql "SELECT count(*) FROM renewal_failures")"
[ "$(sql "SELECT sum(reports) FROM renewal_failures")" = 4 ] || fail "reports: $(sql "SELECT sum(reports) FROM renewal_failures")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'terminal.renewal_failure'")" = 3 ] || fail "audit rows"
grep -q "renewal_failing_mails=1" "$WORK/jobs2.out" || fail "jobs: $(cat "$WORK/jobs2.out")"
[ "$(count_subject "$FAIL")" = 1 ] || fail "renewal failing mails: $(count_subject "$FAIL")"
f=$(mail_with "$FAIL")
[ "$(jq -r '.rcpt_tos[0]' "$f")" = iji@example.jp ] || fail "recipient"
body=$(jq -r .body "$f")
END_DAY=$(TZ=Asia/Tokyo date -d "@$END_S" +%Y/%m/%d)
for want in "3日にわたって失敗" "証明書有効期限     : $END_DAY" "2回" "最後の失敗の理由" "一度だけ"; do
  [[ "$body" == *"$want"* ]] || fail "renewal failing mail lacks '$want': $body"
done
AT=$(date -u -d "@$((END_S - 30 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
"$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at "$AT" --job reminders --job mail > "$WORK/jobs9.out" 2>&1 ||
  fail "jobs later: $(cat "$WORK/jobs9.out")"
[ "$(count_subject "$FAIL")" = 1 ] || fail "mailed twice"
ok "the agent's failures on 3 days (4 reports, over mTLS) mail the institution once, with the days and the end date"
finish
