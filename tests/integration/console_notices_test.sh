#!/usr/bin/env bash
# The console's notices page driven by curl (docs/notices-and-mail.md "From the console"):
# an operator logs in (the CSRF token read from the forms), prints the day's batch with the
# same code as `claimsca notices print` (nothing without confirmed=1; the batch audited as
# the operator; the files in jobs.notices_dir), downloads its PDF and mailing list, imports
# the tracking list (a bad row refuses the whole file, its error by row in Japanese; then
# the good file), and a reviewer reads the page but may not print or download. Also the
# review's confirmation: approve without confirmed=1 changes nothing.
# Usage: console_notices_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" cns
TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-11-24T09:00 | sed -n 's/^Operator API token.*: //p')
"$CLAIMSCA" admin import-register --data "$DATA" --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" \
  --by t >/dev/null 2>&1 || fail "register import"
for who in sato:operator suzuki:reviewer; do
  echo "pass-${who##*:}-word-1234" | "$CLAIMSCA" admin create-account --data "$DATA" --id "${who%%:*}" \
    --kind operator --role "${who##*:}" --password-file - >/dev/null || fail "account ${who%%:*}"
done
echo clinic-password-1234 | "$CLAIMSCA" admin create-account --data "$DATA" --id clinic@example.jp \
  --kind institution --code 0110112489 --password-file - >/dev/null || fail "clinic account"

start_server "$DATA" --at 2026-11-24T10:00 --set key_pool.threads=0
# Two applications approved by automatic review (the operator token), one left pending
# (the clinic's own, with automatic review off for it: a second server below).
for i in 1 2; do
  code=$(curl -s -o "$WORK/submit.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary '{"applicant_kind":"institution","category":"1",
    "prefecture":"01","score_table":"1","facility_code":"0112489","institution_name":"医療法人 愛全病院",
    "contact_name":"医事課","phone":"011-123-4567","email":"iji@example.jp","terminal_name":"PC'$i'"}' \
    "$BASE/api/v1/applications")
  [ "$code" = 201 ] || fail "submit: $code $(cat "$WORK/submit.json")"
done
stop_server
start_server "$DATA" --at 2026-11-24T10:10 --set key_pool.threads=0 --set ra.auto_review=false
CTOKEN=$(curl -fsS -H 'Content-Type: application/json' -d '{"account_id":"clinic@example.jp","password":"clinic-password-1234"}' \
  "$BASE/api/v1/login" | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
curl -fsS -o "$WORK/pending.json" -H "Authorization: Bearer $CTOKEN" -H 'Content-Type: application/json' \
  --data-binary '{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
  "facility_code":"0112489","institution_name":"愛全病院","contact_name":"医事課","phone":"011-123-4567",
  "email":"iji@example.jp","terminal_name":"PC3"}' "$BASE/api/v1/applications" || fail "pending submit"
PENDING=$(sed -n 's/.*"request_id": *"\([0-9]*\)".*/\1/p' "$WORK/pending.json")
[ -n "$PENDING" ] || fail "no request id: $(cat "$WORK/pending.json")"

portal_login sato pass-operator-word-1234 "$WORK/op.jar"
portal_login suzuki pass-reviewer-word-1234 "$WORK/rv.jar"

# The review: approve without confirmed=1 shows the confirmation with the register beside
# it and changes nothing; with it, the application is issued.
curl -fsS -b "$WORK/op.jar" "$BASE/console/applications/$PENDING" -o "$WORK/detail.html"
OCSRF=$(csrf_of "$WORK/detail.html")
grep -q '⚠ 相違あり' "$WORK/detail.html" && grep -q '医療法人 愛全病院' "$WORK/detail.html" ||
  fail "the register's name beside the typed one, marked"
code=$(curl -sS -b "$WORK/op.jar" -o "$WORK/confirm.html" -w '%{http_code}' --data-urlencode "csrf=$OCSRF" \
  "$BASE/console/applications/$PENDING/approve")
[ "$code" = 200 ] && grep -q 'name="confirmed" value="1" required' "$WORK/confirm.html" || fail "confirmation page: $code"
code=$(curl -sS -b "$WORK/op.jar" -o "$WORK/refused.html" -w '%{http_code}' --data-urlencode "csrf=$OCSRF" \
  -d step=confirm "$BASE/console/applications/$PENDING/approve")
[ "$code" = 422 ] && grep -q 'まだ承認していません' "$WORK/refused.html" || fail "unconfirmed approve: $code"
[ "$(sql "SELECT state FROM applications WHERE request_id = '$PENDING'")" = pending ] || fail "approved without confirmation"
code=$(curl -sS -b "$WORK/op.jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$OCSRF" \
  -d step=confirm -d confirmed=1 "$BASE/console/applications/$PENDING/approve")
[ "$code" = 303 ] && [ "$(sql "SELECT state FROM applications WHERE request_id = '$PENDING'")" = issued ] ||
  fail "confirmed approve: $code"
ok "approve: the confirmation first, nothing changed without confirmed=1, issued with it"

# The notices page: three notices wait.
curl -fsS -b "$WORK/op.jar" "$BASE/console/notices" -o "$WORK/notices.html"
grep -q '<strong>3</strong> 件' "$WORK/notices.html" || fail "waiting count"
NCSRF=$(csrf_of "$WORK/notices.html")
code=$(curl -sS -b "$WORK/op.jar" -o "$WORK/p0.html" -w '%{http_code}' --data-urlencode "csrf=$NCSRF" "$BASE/console/notices/print")
[ "$code" = 422 ] && [ "$(sql "SELECT count(*) FROM notice_batches")" = 0 ] || fail "print without confirmed=1: $code"
code=$(curl -sS -b "$WORK/rv.jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$NCSRF" -d confirmed=1 \
  "$BASE/console/notices/print")
[ "$code" = 403 ] && [ "$(sql "SELECT count(*) FROM notice_batches")" = 0 ] || fail "reviewer printed: $code"
code=$(curl -sS -b "$WORK/op.jar" -D "$WORK/p1.h" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$NCSRF" -d confirmed=1 \
  "$BASE/console/notices/print")
[ "$code" = 303 ] && grep -q 'done=print&batches=1' "$WORK/p1.h" || fail "print: $code $(cat "$WORK/p1.h")"
[ "$(sql "SELECT created_by || ' ' || pages FROM notice_batches")" = "operator:sato 3" ] || fail "batch row"
[ "$(sql "SELECT count(*) FROM applications WHERE sealed_password IS NOT NULL")" = 0 ] ||
  fail "sealed passwords left"
[ "$(sql "SELECT actor FROM audit_log WHERE action = 'notice.batch'")" = operator:sato ] || fail "audit actor"
PDF_NAME=$(sql "SELECT pdf_file FROM notice_batches")
[ -f "$DATA/notices/$PDF_NAME" ] || fail "the PDF is not in jobs.notices_dir"
ok "print: refused without confirmed=1 and for a reviewer; the batch as the command makes it, audited as the operator"

curl -fsS -b "$WORK/op.jar" -o "$WORK/batch.pdf" "$BASE/console/notices/batches/1.pdf" || fail "PDF download"
[ "$(sha256sum "$WORK/batch.pdf" | cut -d' ' -f1)" = "$(sql "SELECT pdf_sha256 FROM notice_batches")" ] || fail "PDF bytes"
[ "$(pdfinfo "$WORK/batch.pdf" | sed -n 's/^Pages: *//p')" = 3 ] || fail "PDF pages"
curl -fsS -b "$WORK/op.jar" -o "$WORK/batch.csv" "$BASE/console/notices/batches/1.csv" || fail "CSV download"
grep -q "$PENDING" "$WORK/batch.csv" || fail "the mailing list lacks $PENDING"
code=$(curl -sS -b "$WORK/rv.jar" -o /dev/null -w '%{http_code}' "$BASE/console/notices/batches/1.pdf")
[ "$code" = 403 ] || fail "a reviewer downloaded the PDF: $code"
code=$(curl -sS -b "$WORK/op.jar" -o /dev/null -w '%{http_code}' "$BASE/console/notices/batches/2.pdf")
[ "$code" = 404 ] || fail "unknown batch: $code"
ok "the batch's PDF (its recorded SHA-256) and mailing list; 403 for a reviewer, 404 for no batch"

# Tracking: a bad row refuses the whole file (Japanese, by row); then the good file.
printf 'request_id,tracking_number,status,date\n%s,TRK-1,発送済み,2026-11-25\n%s,TRK-2,発送,2026-11-25\n' \
  "$PENDING" 20260000000000 > "$WORK/bad.csv"
code=$(curl -sS -b "$WORK/op.jar" -o "$WORK/t1.html" -w '%{http_code}' -F "csrf=$NCSRF" -F "file=@$WORK/bad.csv;type=text/csv" \
  "$BASE/console/notices/tracking")
[ "$code" = 422 ] && grep -q '3 行目　状況：「発送済み」「お届け済み」「不達」のいずれかを書いてください' "$WORK/t1.html" ||
  fail "bad tracking file: $code"
[ "$(sql "SELECT count(*) FROM notice_items WHERE shipping_status <> 'printed'")" = 0 ] || fail "a row applied"
printf 'request_id,tracking_number,status,date\n%s,TRK-1,発送済み,2026/11/25\n' "$PENDING" > "$WORK/good.csv"
code=$(curl -sS -b "$WORK/op.jar" -D "$WORK/t2.h" -o /dev/null -w '%{http_code}' -F "csrf=$NCSRF" -F "file=@$WORK/good.csv" \
  "$BASE/console/notices/tracking")
[ "$code" = 303 ] && grep -q 'done=tracking&rows=1' "$WORK/t2.h" || fail "good tracking file: $code"
[ "$(sql "SELECT shipping_status || ' ' || tracking_number FROM notice_items WHERE request_id = '$PENDING'")" = "shipped TRK-1" ] ||
  fail "shipping not applied"
[ "$(sql "SELECT actor FROM audit_log WHERE action = 'notice.shipping'")" = operator:sato ] || fail "tracking audit actor"
ok "tracking: a bad row refuses the file (by row, in Japanese); the good file applied, audited as the operator"

# The command applies the next list with the same function.
printf 'request_id,tracking_number,status,date\n%s,TRK-1,お届け済み,2026-11-26\n' "$PENDING" > "$WORK/next.csv"
"$CLAIMSCA" notices import-tracking --data "$DATA" --file "$WORK/next.csv" --by t --at 2026-11-26T10:00 | grep -q '^imported=1$' ||
  fail "import-tracking"
[ "$(sql "SELECT shipping_status FROM notice_items WHERE request_id = '$PENDING'")" = delivered ] || fail "CLI tracking"
curl -fsS -b "$WORK/rv.jar" "$BASE/console/notices" -o "$WORK/rv.html" || fail "reviewer reads the page"
grep -q 'id="form-print"' "$WORK/rv.html" && fail "a reviewer sees the print form"
grep -q '<td class="amount">1</td>' "$WORK/rv.html" || fail "the delivered count"
ok "the command imports with the same function; a reviewer reads the counts without the forms"
finish
