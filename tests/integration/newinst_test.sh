#!/usr/bin/env bash
# Provisional codes and 受付番号 through the real binary (docs/newinst.md): the operator
# issues a 仮コード (`newinst issue`), it answers from the register (fallback), the clinic
# self-registers a portal account with it, applies for a certificate on it and downloads
# it (the OU carries the 仮コード; docs/certificate-profile.md), then the 受付番号 is
# presented late with --at (the warning, presented_late) and joins the account's codes.
# Usage: newinst_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" newinst
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
"$CLAIMSCA" admin import-register --data "$DATA" \
  --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" >/dev/null 2>&1 || fail "register import"

NAME="オン資クリニック"
ISSUE=(newinst issue --data "$DATA" --prefecture 13 --score-table 1 --category 1 --name "$NAME"
  --postal 100-8916 --address "東京都千代田区霞が関１－２－２" --opening-month 2027-04
  --email clinic@example.jp --by tanaka)
"$CLAIMSCA" "${ISSUE[@]}" > "$WORK/issue.out" 2> "$WORK/issue.err" || fail "issue: $(cat "$WORK/issue.err")"
CODE=$(cat "$WORK/issue.out")
[ "$CODE" = 1310000013 ] || fail "first 仮コード of 13/1: $CODE"
grep -q "2027/03/10(水)" "$WORK/issue.err" && grep -q "2027/03/15(月)" "$WORK/issue.err" ||
  fail "deadlines: $(cat "$WORK/issue.err")"
"$CLAIMSCA" "${ISSUE[@]}" > "$WORK/issue2.out" 2>/dev/null
CODE2=$(cat "$WORK/issue2.out")
[ "${CODE2:0:9}" = 131000002 ] || fail "second serial: $CODE2"
expect_fail "a prefecture out of range" "$CLAIMSCA" newinst issue --data "$DATA" --prefecture 48 \
  --score-table 1 --category 1 --name x --postal 1000001 --address x --opening-month 2027-04
expect_fail "an opening month in the past" "$CLAIMSCA" newinst issue --data "$DATA" --prefecture 13 \
  --score-table 1 --category 1 --name x --postal 1000001 --address x --opening-month 2026-11
[ "$(sql "SELECT count(*) FROM newinst_institutions")" = 2 ] || fail "refused issues stored rows"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'newinst.issue' AND actor = 'operator:tanaka'")" = 2 ] ||
  fail "issues are audited"
ok "newinst issue allocates serials, validates, audits"

"$CLAIMSCA" newinst list --data "$DATA" --state provisional > "$WORK/list.out"
[ "$(grep -c "^13100000" "$WORK/list.out")" = 2 ] || fail "list: $(cat "$WORK/list.out")"
grep -q "^$CODE	provisional	2027-04	2027/03/10(水)	2027/03/15(月)" "$WORK/list.out" || fail "list row: $(cat "$WORK/list.out")"
"$CLAIMSCA" newinst show "$CODE" --data "$DATA" > "$WORK/show.out"
grep -q "^name	$NAME$" "$WORK/show.out" && grep -q "^postal_code	1008916$" "$WORK/show.out" || fail "show: $(cat "$WORK/show.out")"
"$CLAIMSCA" admin register-lookup --data "$DATA" --code "$CODE" > "$WORK/lookup.out" 2>&1 ||
  fail "register lookup of a 仮コード: $(cat "$WORK/lookup.out")"
grep -q "$NAME" "$WORK/lookup.out" || fail "lookup: $(cat "$WORK/lookup.out")"
ok "newinst list / show; the register answers for the 仮コード"

start_server "$DATA"
# Self-registration on the portal with the 仮コード (docs/portal.md).
curl -fsS -c "$WORK/jar" "$BASE/portal/register" > "$WORK/reg.html"
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/reg.html" | head -1)
[ -n "$CSRF" ] || fail "no csrf on /portal/register"
STATUS=$(curl -sS -b "$WORK/jar" -o "$WORK/reg.out" -w '%{http_code}' \
  --data-urlencode "csrf=$CSRF" --data-urlencode "email=clinic@example.jp" \
  --data-urlencode "institution_code=$CODE" --data-urlencode "institution_name=$NAME" \
  --data-urlencode "postal_code=1008916" --data-urlencode "password=clinic-password-1234" \
  --data-urlencode "password_again=clinic-password-1234" "$BASE/portal/register")
[ "$STATUS" = 200 ] || fail "self-registration with a 仮コード: $STATUS $(grep -o 'error[^<]*<[^<]*' "$WORK/reg.out" | head -3)"
[ "$(sql "SELECT institution_code FROM account_institutions WHERE account_id = 'clinic@example.jp'")" = "$CODE" ] ||
  fail "the account holds the 仮コード"
ok "the clinic self-registers with its 仮コード"

# An application on the 仮コード through the API, approved and downloaded (the account of
# the self-registration is not verified yet: a second, operator-made account applies).
echo 'clinic-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" \
  --id jimu@example.jp --kind institution --code "$CODE" --name "$NAME" >/dev/null
J=(-H "Content-Type: application/json")
TOKEN=$(curl -fsS "${J[@]}" --data-binary '{"account_id":"jimu@example.jp","password":"clinic-password-1234"}' \
  "$BASE/api/v1/login" | jq -r .token)
FORM="{\"applicant_kind\":\"institution\",\"category\":\"1\",\"prefecture\":\"13\",\"score_table\":\"1\",
  \"facility_code\":\"${CODE:3}\",\"institution_name\":\"$NAME\",\"contact_name\":\"開設準備室\",
  \"phone\":\"03-1234-5678\",\"email\":\"clinic@example.jp\",\"terminal_name\":\"受付PC1\"}"
apply_terminal
curl -fsS -o "$WORK/t.p12" "${J[@]}" --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" \
  "$BASE/api/v1/download" || fail "download on the 仮コード"
openssl pkcs12 -in "$WORK/t.p12" -passin "pass:$PASSWORD" -nokeys -clcerts -out "$WORK/t.pem" 2>/dev/null
openssl x509 -in "$WORK/t.pem" -noout -subject -nameopt RFC2253 > "$WORK/subject.txt"
grep -q "OU=$CODE" "$WORK/subject.txt" || fail "OU carries the 仮コード: $(cat "$WORK/subject.txt")"
ok "a certificate on the 仮コード (subject $(cat "$WORK/subject.txt"))"
stop_server

# 新規開設の手続き on the portal, the server at 2027-03-12 (one open day before the
# presentation deadline of Monday 03-15): the deadlines, the reminder, the 受付番号.
start_server "$DATA" --at 2027-03-12T10:00
ANON=$(curl -fsS -c "$WORK/anon.jar" "$BASE/portal/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -fsS -b "$WORK/anon.jar" -c "$WORK/clinic.jar" --data-urlencode "csrf=$ANON" \
  --data-urlencode "account_id=jimu@example.jp" --data-urlencode "password=clinic-password-1234" \
  "$BASE/portal/login" -o /dev/null
curl -fsS -b "$WORK/clinic.jar" "$BASE/portal/newinst" > "$WORK/page.html" || fail "GET /portal/newinst"
for want in "$CODE" "2027年4月" "2027/03/10(水)まで" "2027/03/15(月)まで" "受付番号の提示期限は 2027/03/15(月) です"; do
  grep -q "$want" "$WORK/page.html" || fail "新規開設の手続き lacks '$want'"
done
PCSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$WORK/page.html" | head -1)
present_web() {  # NUMBER → the page, status in $WORK/web.status
  curl -sS -b "$WORK/clinic.jar" -o "$WORK/present.html" -w '%{http_code}' --data-urlencode "csrf=$PCSRF" \
    --data-urlencode "provisional_code=$CODE" --data-urlencode "reception_number=$1" \
    "$BASE/portal/newinst/present" > "$WORK/web.status"
}
present_web 1310123456
[ "$(cat "$WORK/web.status")" = 422 ] && grep -q "受付番号は10桁の医療機関等コードです" "$WORK/present.html" ||
  fail "a wrong check digit: $(cat "$WORK/web.status")"
present_web 0110112489
[ "$(cat "$WORK/web.status")" = 422 ] && grep -q "都道府県・点数表が仮コード" "$WORK/present.html" ||
  fail "another prefecture: $(cat "$WORK/web.status")"
curl -sS -b "$WORK/clinic.jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$PCSRF" \
  --data-urlencode "provisional_code=$CODE2" --data-urlencode "reception_number=1310123463" \
  "$BASE/portal/newinst/present" > "$WORK/web.status"
[ "$(cat "$WORK/web.status")" = 404 ] || fail "another clinic's 仮コード: $(cat "$WORK/web.status")"
present_web 1310-123455
[ "$(cat "$WORK/web.status")" = 200 ] && grep -q 'id="newinst-presented"' "$WORK/present.html" ||
  fail "present on the portal: $(cat "$WORK/web.status")"
grep -q 'id="newinst-late"' "$WORK/present.html" && fail "on time, yet the late warning"
[ "$(sql "SELECT count(*) FROM account_institutions WHERE institution_code = '1310123455'")" = 2 ] ||
  fail "both accounts of the 仮コード get the 受付番号"
[ "$(sql "SELECT state || ' ' || presented_late || ' ' || reception_number FROM newinst_institutions WHERE provisional_code = '$CODE'")" = "presented 0 1310123455" ] ||
  fail "presented on time"
ok "新規開設の手続き: deadlines, reminder, the 受付番号 checked and entered"
stop_server

# The deadline reminders by e-mail (newinst remind = the newinst-remind job): CODE2 still
# waits for its 受付番号; 2027-03-03 is 5 open days before the reply deadline (03-10).
MAILDIR=$WORK/mail
start_smtp_sink "$MAILDIR"
MAILSET=(--set "mail.smtp_url=smtp://127.0.0.1:$SMTP_PORT" --set mail.smtp_starttls=none
  --set mail.from_address=no-reply@claimsca.example)
out=$("$CLAIMSCA" newinst remind --data "$DATA" --at 2027-03-02T09:00 2>&1) || fail "remind: $out"
[ "$out" = "mailed=0 already_sent=0" ] || fail "remind before the 5-day reminder: $out"
out=$("$CLAIMSCA" newinst remind --data "$DATA" --at 2027-03-03T09:00 2>&1) || fail "remind: $out"
[ "$out" = "mailed=1 already_sent=0 $CODE2" ] || fail "remind: $out"
out=$("$CLAIMSCA" newinst remind --data "$DATA" --at 2027-03-03T15:00 2>&1) || fail "remind again: $out"
[ "$out" = "mailed=0 already_sent=1" ] || fail "the reminder twice: $out"
"$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at 2027-03-03T15:05 --job mail > "$WORK/jobs.out" 2>&1 ||
  fail "mail job: $(cat "$WORK/jobs.out")"
found=""
for f in "$MAILDIR"/*.json; do
  [ "$(jq -r .subject "$f")" = "【医療機関等向けポータルサイト】受付番号の提示期限のお知らせ" ] && found=$f
done
[ -n "$found" ] && grep -q "clinic@example.jp" "$found" || fail "no reminder mail: $(ls "$MAILDIR")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'newinst.remind' AND subject = '$CODE2'")" = 1 ] ||
  fail "the reminder is audited once"
ok "the deadline reminder is mailed once through a real SMTP server"

# The operator enters a 受付番号 late (--at after the deadline): accepted with the warning.
expect_fail "a 受付番号 with a wrong check digit" "$CLAIMSCA" newinst present "$CODE2" 1310123464 --data "$DATA"
expect_fail "a 受付番号 already in the register" "$CLAIMSCA" newinst present "$CODE2" 0110112489 --data "$DATA"
expect_fail "the same 受付番号 on another 仮コード" "$CLAIMSCA" newinst present "$CODE2" 1310123455 --data "$DATA"
"$CLAIMSCA" newinst present "$CODE2" 1310123463 --data "$DATA" --at 2027-03-16T09:00 --by suzuki \
  > "$WORK/present.out" 2> "$WORK/present.err" || fail "present: $(cat "$WORK/present.err")"
grep -q "^$CODE2	1310123463	late$" "$WORK/present.out" || fail "present: $(cat "$WORK/present.out")"
grep -q "診療開始日からの利用は保証されません" "$WORK/present.err" || fail "warning: $(cat "$WORK/present.err")"
[ "$(sql "SELECT state || ' ' || presented_late FROM newinst_institutions WHERE provisional_code = '$CODE2'")" = "presented 1" ] ||
  fail "presented_late stored"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'newinst.present' AND actor = 'operator:suzuki'")" = 1 ] ||
  fail "the operator's presentation is audited"
"$CLAIMSCA" admin register-lookup --data "$DATA" --code 1310123455 > "$WORK/lookup2.out" 2>&1 ||
  fail "the 受付番号 answers from the register: $(cat "$WORK/lookup2.out")"
ok "newinst present: rules, the late warning, the accounts"
finish
