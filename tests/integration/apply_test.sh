#!/usr/bin/env bash
# The clinic's application (issue 24 points 3, 4, 10; docs/portal.md "The application
# form", "A slip costs nothing", "Many terminals at once") through the real server, with
# curl as the browser:
#  - the form is pre-filled from the account's institution, only its categories offered;
#    a phone number in a written form is normalised (portal and API);
#  - automatic review issues at once; inside the window (before the notice batch) the
#    clinic cancels free: the certificate is revoked, the ledger nets 0 by a credit note;
#    after the batch took it, cancellation is refused with the reason and the fee stays;
#  - a CSV file (Shift_JIS) of several terminals: a refused row stores nothing; a good file
#    shows count and total, one confirmation stores all rows, a resend stores nothing more.
# Usage: apply_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" apl
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-11-24T09:00 >/dev/null
"$CLAIMSCA" admin import-register --data "$DATA" --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" \
  --by t >/dev/null 2>&1 || fail "register import"
echo 'clinic-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" \
  --id iji@example.jp --kind institution --code 0110112489 --name "医療法人 愛全病院" >/dev/null

login() {  # a portal session in $WORK/jar and its CSRF secret in $CSRF
  ANON=$(curl -fsS -c "$WORK/anon.jar" "$BASE/portal/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -fsS -b "$WORK/anon.jar" -c "$WORK/jar" --data-urlencode "csrf=$ANON" \
    --data-urlencode "account_id=iji@example.jp" --data-urlencode "password=clinic-password-1234" \
    "$BASE/portal/login" -o /dev/null
  curl -fsS -b "$WORK/jar" "$BASE/portal/apply" > "$WORK/form.html" || fail "GET /portal/apply"
  CSRF=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$WORK/form.html" | head -1)
}
start_server "$DATA" --at 2026-11-24T10:00 --set key_pool.threads=0
login
for want in 'name="facility_code" type="text" value="0112489"' 'value="01" selected' \
  'value="医療法人 愛全病院"' '<option value="1" selected>1：' '医療機関コード（7桁）' 'id="prefill-note"'; do
  grep -qF "$want" "$WORK/form.html" || fail "the form is not pre-filled: lacks $want"
done
grep -q '<option value="2"' "$WORK/form.html" && fail "a category of another 点数表 is offered"
grep -q 'kind=insurer' "$WORK/form.html" && fail "the insurer form is offered to a clinic without a 保険者番号"
ok "the form is pre-filled from the register (分類 1, 01, 1, 0112489, the name); only category 1 offered"

form() {  # form STEP PREF PHONE TERMINAL [extra curl args]
  curl -sS -b "$WORK/jar" -o "$WORK/post.html" -w '%{http_code}' --data-urlencode "csrf=$CSRF" \
    --data-urlencode "step=$1" --data-urlencode "js=1" --data-urlencode "applicant_kind=institution" \
    --data-urlencode "category=1" --data-urlencode "prefecture=$2" --data-urlencode "score_table=1" \
    --data-urlencode "facility_code=0112489" --data-urlencode "institution_name=医療法人 愛全病院" \
    --data-urlencode "contact_name=医事課" --data-urlencode "phone=$3" \
    --data-urlencode "email=iji@example.jp" --data-urlencode "terminal_name=$4" "${@:5}" "$BASE/portal/apply"
}
[ "$(form next 02 011-123-4567 PC)" = 422 ] || fail "a prefecture that does not fit the code is refused"
grep -q 'id="f-prefecture" name="prefecture" aria-describedby="e-prefecture h-prefecture" aria-invalid="true"' "$WORK/post.html" &&
  grep -q 'id="f-facility_code" name="facility_code" type="text" value="0112489" aria-describedby="e-prefecture h-facility_code" aria-invalid="true"' "$WORK/post.html" ||
  fail "both fields marked, the code pointing at the prefecture's message: $(grep -o '<[a-z]* id="f-[a-z_]*"[^>]*>' "$WORK/post.html")"
[ "$(grep -c '都道府県コードと医療機関コードの組み合わせが正しくありません' "$WORK/post.html")" = 1 ] ||
  fail "the message is shown once"
grep -q '「01：北海道' "$WORK/post.html" || fail "the message names the prefecture the code fits"
ok "02 with 0112489: one message under 都道府県コード, both fields marked"

[ "$(form next 01 '（011）123-4567' PC1)" = 200 ] || fail "a phone in parentheses: $(grep -o 'field-error[^<]*<' "$WORK/post.html")"
grep -q '<td id="c-phone">011-123-4567</td>' "$WORK/post.html" || fail "the phone is normalised on the confirmation"
KEY=$(sed -n 's/.*name="idempotency_key" value="\([0-9a-f]*\)".*/\1/p' "$WORK/post.html" | head -1)
[ "$(form submit 01 '（011）123-4567' PC1 --data-urlencode "idempotency_key=$KEY")" = 200 ] || fail "submit"
RID1=$(sed -n 's/.*id="done-request-id">\([0-9]*\)<.*/\1/p' "$WORK/post.html")
grep -q 'id="done-free-cancel">.*<strong>2026/11/24 14:00</strong>（発行通知書の作成）まで' "$WORK/post.html" ||
  fail "the done screen says until when cancellation is free: $(grep -o 'done-[a-z-]*">[^<]*' "$WORK/post.html")"
[ "$(sql "SELECT state || ' ' || phone FROM applications WHERE request_id = '$RID1'")" = "issued 011-123-4567" ] ||
  fail "issued at once, phone normalised"
ok "portal: （011）123-4567 normalised; issued at once; the done screen says 2026/11/24 14:00"

J=(-H "Content-Type: application/json")
TOKEN=$(curl -fsS "${J[@]}" --data-binary '{"account_id":"iji@example.jp","password":"clinic-password-1234"}' \
  "$BASE/api/v1/login" | jq -r .token)
code=$(curl -sS -o "$WORK/api.json" -w '%{http_code}' "${J[@]}" -H "Authorization: Bearer $TOKEN" --data-binary \
  '{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1","facility_code":"0112489",
    "institution_name":"医療法人 愛全病院","contact_name":"医事課","phone":"０１１−１２３−４５６７",
    "email":"iji@example.jp","terminal_name":"PC2"}' "$BASE/api/v1/applications")
[ "$code" = 201 ] || fail "API submit with a full-width phone: $code $(cat "$WORK/api.json")"
RID2=$(jq -r '.request_id // .application.request_id' "$WORK/api.json")
[ "$(sql "SELECT phone FROM applications WHERE request_id = '$RID2'")" = 011-123-4567 ] || fail "API phone normalised"
ok "API: ０１１−１２３−４５６７ normalised to 011-123-4567"

curl -fsS -b "$WORK/jar" "$BASE/portal/applications" > "$WORK/list.html"
[ "$(grep -o '2026/11/24 14:00（発行通知書の作成）までキャンセルでき、発行料はかかりません' "$WORK/list.html" | wc -l)" = 2 ] ||
  fail "the list says until when, for both"
FEE=$(sql "SELECT sum(total_yen) FROM fee_charges WHERE request_id = '$RID1'")
[ "$FEE" -gt 0 ] || fail "approval charged the fee"
cancel() {
  curl -sS -b "$WORK/jar" -o "$WORK/cancel.html" -w '%{http_code}' --data-urlencode "csrf=$CSRF" \
    --data-urlencode "confirmed=1" "$BASE/portal/applications/$1/cancel"
}
[ "$(cancel "$RID1")" = 303 ] || fail "cancel inside the window: $(cat "$WORK/cancel.html")"
[ "$(sql "SELECT state FROM applications WHERE request_id = '$RID1'")" = cancelled ] || fail "cancelled"
[ "$(sql "SELECT count(*) FROM certificates WHERE request_id = '$RID1' AND revoked_at IS NOT NULL")" = 1 ] ||
  fail "its certificate revoked"
[ "$(sql "SELECT sum(total_yen) || ' ' || count(*) FROM fee_charges WHERE request_id = '$RID1'")" = "0 2" ] ||
  fail "net charge 0 by a credit note: $(sql "SELECT kind, total_yen, cancels_entry_id FROM fee_charges WHERE request_id = '$RID1'")"
ok "cancelled inside the window: certificate revoked, the charge ($FEE yen) and its credit note net 0"
stop_server

"$CLAIMSCA" notices print --data "$DATA" --out "$WORK/notices" --at 2026-11-24T14:00 > "$WORK/print.out" 2>&1 ||
  fail "notices print: $(cat "$WORK/print.out")"
grep -q '^batch=1 pages=1 ' "$WORK/print.out" || fail "the batch prints the one left: $(cat "$WORK/print.out")"
start_server "$DATA" --at 2026-11-24T14:05 --set key_pool.threads=0
login  # the morning session has ended (portal.session_max)
curl -fsS -b "$WORK/jar" "$BASE/portal/applications" > "$WORK/list.html"
grep -q 'までキャンセルでき' "$WORK/list.html" && fail "the list still offers free cancellation after the batch"
[ "$(cancel "$RID2")" = 409 ] || fail "cancel after the batch is refused"
grep -q '発行通知書の作成が済んでいる' "$WORK/cancel.html" || fail "the refusal says why"
[ "$(sql "SELECT state FROM applications WHERE request_id = '$RID2'")" = issued ] || fail "still issued"
[ "$(sql "SELECT sum(total_yen) FROM fee_charges WHERE request_id = '$RID2'")" -gt 0 ] || fail "the fee stays"
ok "after the batch took it: refused with the reason, still issued, the fee stays"

# Many terminals from one CSV file, Shift_JIS as Excel writes it.
HEADER='分類,都道府県コード,点数表,医療機関コード（7桁）,医療機関(薬局)名称,担当部署/担当者名,電話番号,メールアドレス,端末名称等'
printf '%s\r\n1,1,1,112489,医療法人 愛全病院,医事課,(011)123-4567,iji@example.jp,受付1\r\n1,01,1,0112488,医療法人 愛全病院,医事課,011-123-4567,iji@example.jp,受付2\r\n' "$HEADER" |
  iconv -f UTF-8 -t CP932 > "$WORK/bad.csv"
printf '%s\r\n1,1,1,112489,医療法人 愛全病院,医事課,(011)123-4567,iji@example.jp,受付1\r\n1,01,1,0112489,医療法人 愛全病院,医事課,011 123 4567,iji@example.jp,受付2\r\n1,01,1,0112489,医療法人 愛全病院,医事課,011-123-4567,iji@example.jp,受付3\r\n' "$HEADER" |
  iconv -f UTF-8 -t CP932 > "$WORK/good.csv"
BEFORE=$(sql "SELECT count(*) FROM applications")
upload() {
  curl -sS -b "$WORK/jar" -o "$WORK/bulk.html" -w '%{http_code}' -F "csrf=$CSRF" -F "file=@$1;type=text/csv" \
    "$BASE/portal/apply/bulk"
}
[ "$(upload "$WORK/bad.csv")" = 422 ] || fail "a file with a bad row is refused"
grep -q '<td>3行目</td><td>受付2</td><td>医療機関コード（7桁）</td>' "$WORK/bulk.html" ||
  fail "the error names the row and the field: $(grep -o '<td>[^<]*</td>' "$WORK/bulk.html" | head)"
[ "$(sql "SELECT count(*) FROM applications")" = "$BEFORE" ] || fail "nothing stored for a refused file"
ok "bulk: a refused row (line 3, 医療機関コード) stores nothing"
[ "$(upload "$WORK/good.csv")" = 200 ] || fail "a good file: $(grep -o 'error[^<]*<[^<]*' "$WORK/bulk.html" | head -3)"
grep -q 'id="bulk-count">3<' "$WORK/bulk.html" || fail "the count"
grep -q 'id="bulk-total">[0-9,]*円<' "$WORK/bulk.html" || fail "the total"
BKEY=$(sed -n 's/.*name="key" value="\([0-9a-f]*\)".*/\1/p' "$WORK/bulk.html")
python3 - "$WORK/bulk.html" > "$WORK/csv.txt" <<'PY'
import html, re, sys
print(html.unescape(re.search(r'name="csv" value="([^"]*)"', open(sys.argv[1], encoding="utf-8").read(), re.S).group(1)), end="")
PY
confirm() {
  curl -sS -b "$WORK/jar" -o "$WORK/done.html" -w '%{http_code}' --data-urlencode "csrf=$CSRF" \
    --data-urlencode "step=submit" --data-urlencode "key=$BKEY" --data-urlencode "csv@$WORK/csv.txt" \
    "$BASE/portal/apply/bulk"
}
[ "$(confirm)" = 200 ] || fail "confirm: $(cat "$WORK/done.html" | head -50)"
[ "$(sql "SELECT count(*) FROM applications")" = $((BEFORE + 3)) ] || fail "three stored"
[ "$(sql "SELECT count(*) FROM applications WHERE state = 'issued' AND phone = '011-123-4567' AND terminal_name LIKE '受付%'")" = 3 ] ||
  fail "three issued, phones normalised"
[ "$(grep -o '2026/11/25 14:00（発行通知書の作成）まで' "$WORK/done.html" | wc -l)" = 3 ] || fail "the done screen's deadlines"
[ "$(confirm)" = 200 ] && grep -q 'この申請は受付済みです' "$WORK/done.html" || fail "a resend"
[ "$(sql "SELECT count(*) FROM applications")" = $((BEFORE + 3)) ] || fail "a resend stores nothing"
ok "bulk: 3 terminals (Shift_JIS, lost zero, written phones) stored by one confirmation; a resend stores nothing"
stop_server
finish
