#!/usr/bin/env bash
# 7 simulated years of one 国保連 office (docs/kokuhoren.md "Certificate applications,
# issuance and download"), real binary, time moved by --at:
#   - registered (its notice PDF gives the user ID and the 証明書発行用パスワード);
#   - applies "from issuance", approved, downloads the PKCS#12 opened with the issuance
#     password by openssl;
#   - the daily job kj-expiry-notice runs every ~2 weeks for 7 years; 3 months before each
#     end the office renews with "continue from the end", approved, downloaded;
#   - openssl on the real certificates: each notBefore is the previous notAfter + 1 s
#     (no gap, no overlap), each valid 36 months;
#   - the inbox holds exactly one 証明書有効期限切れ事前通知 per certificate noticed, on
#     the day its window opened; `continue` is refused outside the window; a second open
#     application is refused.
# Usage: kokuhoren_walk_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" kjwalk
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-12-01T09:00 >/dev/null || fail "init"
OFFICE=1371000017
KJ=(--data "$DATA")

"$CLAIMSCA" kokuhoren office add "$OFFICE" "${KJ[@]}" --name "訪問介護ステーション さくら" \
  --email sakura@example.jp --notice "$WORK/notice.pdf" --at 2026-12-01T10:00 > "$WORK/office.out" ||
  fail "office add: $(cat "$WORK/office.out")"
USER_ID=$(cut -f1 "$WORK/office.out" | head -1)
pdftotext -layout "$WORK/notice.pdf" "$WORK/notice.txt"
grep -A1 "証明書発行用パスワード" "$WORK/notice.txt" | grep -o '[A-Za-z0-9]\{12\}' | tail -1 > "$WORK/issuance.pw"
[ -s "$WORK/issuance.pw" ] || fail "no issuance password in the notice: $(cat "$WORK/notice.txt")"
ok "office $OFFICE registered as $USER_ID"

# kj CLI at an instant: kj AT ARGS...
kj() { local at=$1; shift; "$CLAIMSCA" kokuhoren "$@" "${KJ[@]}" --at "$at"; }
apply() {  # apply AT VALIDITY -> prints the application ID
  kj "$1" apply --account "$USER_ID" --office "$OFFICE" --issuance-password-file "$WORK/issuance.pw" \
    --validity "$2" --agree-terms > "$WORK/apply.out" 2>&1 || fail "apply at $1 ($2): $(cat "$WORK/apply.out")"
  cut -f1 "$WORK/apply.out"
}
# approve and download; the certificate goes to $WORK/cert<N>.pem
CERTS=0
issue() {  # issue AT ID
  kj "$1" approve "$2" --by 佐藤 > "$WORK/approve.out" 2>&1 || fail "approve $2: $(cat "$WORK/approve.out")"
  kj "$1" download "$2" --account "$USER_ID" --out "$WORK/$2.p12" > /dev/null 2>&1 || fail "download $2"
  CERTS=$((CERTS + 1))
  openssl pkcs12 -in "$WORK/$2.p12" -passin "file:$WORK/issuance.pw" -clcerts -nokeys 2>/dev/null |
    openssl x509 -out "$WORK/cert$CERTS.pem" || fail "the PKCS#12 of $2 does not open with the issuance password"
  if openssl pkcs12 -in "$WORK/$2.p12" -passin pass:wrong -nokeys > /dev/null 2>&1; then
    fail "the PKCS#12 opens with a wrong password"
  fi
}
# shift AT SECONDS: the JST instant AT (YYYY-MM-DDTHH:MM:SS) moved by SECONDS, same form.
shift_at() { TZ=Asia/Tokyo date -d "@$(($(TZ=Asia/Tokyo date -d "${1/T/ }" +%s) + $2))" +%FT%T; }
epoch() { date -d "$(openssl x509 -in "$1" -noout "-$2" | cut -d= -f2)" +%s; }
notices() { sql "SELECT count(*) FROM kj_inbox WHERE account_id = lower('$USER_ID') AND title = '証明書有効期限切れ事前通知'"; }
job() {  # job AT: the daily notice job once
  "$CLAIMSCA" jobs run "${KJ[@]}" --at "$1" --job kj-expiry-notice > "$WORK/job.out" 2>&1 ||
    fail "job at $1: $(cat "$WORK/job.out")"
}

expect_fail "continue without a current certificate" kj 2027-01-05T10:00 apply --account "$USER_ID" \
  --office "$OFFICE" --issuance-password-file "$WORK/issuance.pw" --validity continue --agree-terms
expect_fail "an application without the terms" kj 2027-01-05T10:00 apply --account "$USER_ID" \
  --office "$OFFICE" --issuance-password-file "$WORK/issuance.pw"
FIRST=$(apply 2027-01-05T10:00 from_issuance)
expect_fail "a second open application" kj 2027-01-05T10:05 apply --account "$USER_ID" \
  --office "$OFFICE" --issuance-password-file "$WORK/issuance.pw" --agree-terms
kj 2027-01-05T10:10 list --office "$OFFICE" | grep -q "$FIRST.*発行申請中" || fail "list: pending"
issue 2027-01-07T10:00 "$FIRST"
kj 2027-01-07T10:10 list --office "$OFFICE" | grep -q "$FIRST	$OFFICE	2027-01-05	2027-01-07	2030-01-07	issued	発行済み" ||
  fail "list: $(kj 2027-01-07T10:10 list --office "$OFFICE")"
ok "first certificate issued 2027-01-07 and downloaded (opened with the issuance password)"

# The walk: every 14 days from 2027-01-08 to 2034-01-07, 10:00 JST. On the day a window
# opens the job posts the notice, then the office renews (continue), approved 2 days later.
day=$(date -d 2027-01-08 +%s)
end=$(date -d 2034-01-07 +%s)
current=$WORK/cert1.pem
expected_notices=0
while [ "$day" -le "$end" ]; do
  at="$(date -d "@$day" +%F)T10:00"
  cur_end=$(epoch "$current" enddate)
  opens=$(date -d "$(TZ=Asia/Tokyo date -d "@$cur_end" +%F) -3 months" +%s)
  if [ "$day" -ge "$opens" ] && [ "$CERTS" -lt 3 ]; then
    # The window opened during the last 14 days: move to its first day and renew there.
    # (00:00 JST of the day 3 months before the end date: whole days).
    at="$(date -d "$(TZ=Asia/Tokyo date -d "@$cur_end" +%F) -3 months" +%F)T00:00:00"
    expect_fail "continue one second before the window" kj "$(shift_at "$at" -1)" apply \
      --account "$USER_ID" --office "$OFFICE" --issuance-password-file "$WORK/issuance.pw" \
      --validity continue --agree-terms
    # The daily job runs at or after jobs.reminders_at (09:00 JST): 10:00 of the first day.
    at="${at%T*}T10:00:00"
    job "$at"
    expected_notices=$((expected_notices + 1))
    [ "$(notices)" = "$expected_notices" ] || fail "notice at $at: $(notices) (want $expected_notices)"
    ID=$(apply "$at" continue)
    issue "$(shift_at "$at" $((2 * 86400)))" "$ID"
    current=$WORK/cert$CERTS.pem
    ok "renewed at $at (3 months before the end) with continue: $ID"
  fi
  job "$at"
  [ "$(notices)" = "$expected_notices" ] || fail "notices at $at: $(notices) (want $expected_notices)"
  day=$((day + 14 * 86400))
done
[ "$CERTS" = 3 ] || fail "certificates: $CERTS"
[ "$expected_notices" = 2 ] || fail "notices expected: $expected_notices"
ok "7 years walked with the job every 14 days: $(notices) notices, one per renewal window"

# Validity periods join: notBefore(n+1) = notAfter(n) + 1 s; each ends at 23:59:59 JST of
# the JST start date + 36 months (the end of the printed day).
for n in 1 2 3; do
  nb=$(epoch "$WORK/cert$n.pem" startdate)
  na=$(epoch "$WORK/cert$n.pem" enddate)
  want_end=$(TZ=Asia/Tokyo date -d "$(TZ=Asia/Tokyo date -d "$(TZ=Asia/Tokyo date -d "@$nb" +%F) +36 months" +%F) 23:59:59" +%s)
  [ "$want_end" = "$na" ] ||
    fail "cert$n: not 36 months: $(openssl x509 -in "$WORK/cert$n.pem" -noout -dates)"
  openssl x509 -in "$WORK/cert$n.pem" -noout -subject | grep -q "$OFFICE" ||
    fail "cert$n subject: $(openssl x509 -in "$WORK/cert$n.pem" -noout -subject)"
  if [ "$n" -gt 1 ]; then
    prev_na=$(epoch "$WORK/cert$((n - 1)).pem" enddate)
    [ "$nb" = $((prev_na + 1)) ] || fail "cert$n starts at $nb, cert$((n - 1)) ends at $prev_na"
  fi
done
ok "openssl: cert2 and cert3 start 1 second after the previous end (no gap, no overlap)"

# Each notice once, for certificates 1 and 2, with the end date in its text; the job run
# again changes nothing.
job 2034-01-07T11:00
[ "$(notices)" = 2 ] || fail "notices after a rerun: $(notices)"
[ "$(sql "SELECT count(DISTINCT dedupe_key) FROM kj_inbox WHERE title = '証明書有効期限切れ事前通知'")" = 2 ] ||
  fail "dedupe keys"
end1=$(TZ=Asia/Tokyo date -d "@$(epoch "$WORK/cert1.pem" enddate)" +%Y/%m/%d)
sql "SELECT body FROM kj_inbox WHERE title = '証明書有効期限切れ事前通知'" | grep -q "$end1" ||
  fail "the notice names the end $end1"
[ "$(sql "SELECT count(*) FROM mail_outbox WHERE kind = 'kj_expiry_notice' AND recipient = 'sakura@example.jp'")" = 2 ] ||
  fail "e-mails in the outbox"
ok "inbox: one 証明書有効期限切れ事前通知 per certificate (and one e-mail each)"
finish
