#!/usr/bin/env bash
# The daily notice batch end to end: applications approved through the API, then
# `claimsca notices print`: one PDF (a page per notice, IPAex fonts embedded, the
# REGISTERED name and address, the password) and a mailing list without passwords; the
# sealed passwords erased in the same step; the password read back from the PDF downloads
# the certificate; a second run prints nothing; the password is nowhere else.
# Usage: notices_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
OUT=$WORK/notices
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" ntc
# Fixed instants, whatever today's date is: CA made at 09:00, applications at 10:00, batch at 10:30.
# --listen written by init, no public_url: every link follows it (docs/operations.md).
TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --listen 127.0.0.1:18345 --at 2026-11-24T09:00 |
  sed -n 's/^Operator API token.*: //p')
"$CLAIMSCA" admin import-register --data "$DATA" --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" \
  --by t >/dev/null 2>&1 || fail "register import"

start_server "$DATA" --at 2026-11-24T10:00 --set key_pool.threads=0
for i in 1 2 3; do
  form='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
    "facility_code":"0112489","institution_name":"フォームの名前 <b>&amp;</b>",
    "contact_name":"医事課 テスト中です#%& * > ? @","phone":"011-123-4567",
    "email":"iji@example.jp","terminal_name":"PC'$i'"}'
  code=$(curl -s -o "$WORK/submit.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$form" "$BASE/api/v1/applications")
  [ "$code" = 201 ] || fail "submit: $code $(cat "$WORK/submit.json")"
done
[ "$(sql "SELECT count(*) FROM applications WHERE state = 'issued' AND sealed_password IS NOT NULL")" = 3 ] ||
  fail "three issued applications holding sealed passwords"
ok "three applications issued, each with a sealed download password"
stop_server

"$CLAIMSCA" notices print --data "$DATA" --out "$OUT" --at 2026-11-24T10:30 > "$WORK/print.out" 2> "$WORK/print.err" ||
  fail "notices print: $(cat "$WORK/print.out" "$WORK/print.err")"
grep -q '^batch=1 pages=3 dispatch_on=2026-11-25$' "$WORK/print.out" || fail "summary: $(cat "$WORK/print.out")"
PDF=$OUT/notices-20261124T103000.pdf
CSV=$OUT/notices-20261124T103000.csv
[ "$(pdfinfo "$PDF" | sed -n 's/^Pages: *//p')" = 3 ] || fail "pages: $(pdfinfo "$PDF")"
[ "$(pdffonts "$PDF" | grep -c 'IPAex.* yes yes ')" -ge 2 ] || fail "fonts: $(pdffonts "$PDF")"
[ "$(stat -c %a "$PDF")" = 600 ] || fail "the PDF is readable by others"
ok "one PDF, a page per notice, IPAex fonts embedded, mode 0600"

[ "$(sql "SELECT count(*) FROM applications WHERE sealed_password IS NOT NULL")" = 0 ] ||
  fail "sealed passwords left after the batch"
[ "$(sql "SELECT count(*) FROM notice_items")" = 3 ] && [ "$(sql "SELECT pages FROM notice_batches")" = 3 ] ||
  fail "batch rows"
[ "$(sql "SELECT pdf_sha256 FROM notice_batches")" = "$(sha256sum "$PDF" | cut -d' ' -f1)" ] ||
  fail "the recorded SHA-256 is not the file's"
ok "the batch is recorded (SHA-256 of the file) and the sealed passwords are erased"

declare -A PW
page=0
for rid in $(sql "SELECT request_id FROM notice_items ORDER BY page"); do
  page=$((page + 1))
  pdftotext -enc UTF-8 -f $page -l $page "$PDF" "$WORK/p$page.txt"
  t=$(tr -d ' \n' < "$WORK/p$page.txt")
  for want in "$page/3" "〒005-0813" "医療法人愛全病院" "医事課テスト中です#%&*>?@様" "電子証明書発行通知書" \
    "ダウンロード有効期限" "更新や失効等の申請の際に必要" "（http://127.0.0.1:18345/download/）"; do
    [[ "$t" == *"$want"* ]] || fail "page $page lacks $want"
  done
  [[ "$t" != *"フォームの名前"* ]] || fail "page $page shows the typed name, not the register's"
  pw=$(awk -v rid="$rid" 'found { print; exit } $0 == rid { found = 1 }' "$WORK/p$page.txt")
  [ ${#pw} = 16 ] || fail "no password after $rid on page $page: $(cat "$WORK/p$page.txt")"
  PW[$rid]=$pw
  grep -q "$pw" "$CSV" "$WORK/print.out" "$WORK/print.err" && fail "the password leaked outside the PDF"
  [ "$(sql "SELECT count(*) FROM audit_log WHERE details LIKE '%$pw%'")" = 0 ] || fail "password in the audit trail"
done
[ "$(wc -l < "$CSV")" = 4 ] && head -1 "$CSV" | grep -q '"page","postal_code","address","name","addressee","request_id"' ||
  fail "csv: $(cat "$CSV")"
grep -q '"1","005-0813",.*"医療法人 愛全病院","医事課 テスト中です#%& \* > ? @",' "$CSV" || fail "csv row: $(cat "$CSV")"
ok "each page: registered address and name, addressee, its own password; CSV without passwords"

"$CLAIMSCA" notices print --data "$DATA" --out "$OUT" --at 2026-11-24T11:00 > "$WORK/print2.out" 2>&1 ||
  fail "second run: $(cat "$WORK/print2.out")"
grep -q '^nothing to print$' "$WORK/print2.out" || fail "second run printed: $(cat "$WORK/print2.out")"
[ "$(ls "$OUT" | wc -l)" = 2 ] || fail "second run wrote files"
expect_fail "the password cannot be handed over again" \
  "$CLAIMSCA" admin download-password --data "$DATA" --request-id "$rid" --by t
ok "a second run prints nothing; the password cannot be shown again"

start_server "$DATA" --at 2026-11-25T10:00 --set key_pool.threads=0
code=$(curl -s -o "$WORK/t.p12" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary "{\"request_id\":\"$rid\",\"password\":\"${PW[$rid]}\"}" "$BASE/api/v1/download")
[ "$code" = 200 ] || fail "download with the printed password: $code"
openssl pkcs12 -in "$WORK/t.p12" -passin "pass:${PW[$rid]}" -nokeys -clcerts -out "$WORK/t.pem" 2>/dev/null ||
  fail "openssl pkcs12 cannot open the download"
stop_server
ok "the password printed on the notice downloads the certificate"

# Issue 24: the 15:00 cut-off applies to the approval, not to the print. Wednesday
# 2026-11-25: one application approved (automatic review) at 14:30, one at 15:30; the batch
# printed at 16:00 sends the first on Thursday 11-26 and the second on Friday 11-27, in two
# files.
submit_at() {
  start_server "$DATA" --at "$1" --set key_pool.threads=0
  form='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
    "facility_code":"0112489","institution_name":"愛全病院","contact_name":"医事課",
    "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"'"$2"'"}'
  code=$(curl -s -o "$WORK/submit.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$form" "$BASE/api/v1/applications")
  [ "$code" = 201 ] || fail "submit at $1: $code $(cat "$WORK/submit.json")"
  jq -r .request_id "$WORK/submit.json"
  stop_server
}
EARLY=$(submit_at 2026-11-25T14:30 PC-early)
LATE=$(submit_at 2026-11-25T15:30 PC-late)
"$CLAIMSCA" notices print --data "$DATA" --out "$OUT" --at 2026-11-25T16:00 > "$WORK/print3.out" 2>&1 ||
  fail "notices print at 16:00: $(cat "$WORK/print3.out")"
grep -q '^batch=2 pages=1 dispatch_on=2026-11-26$' "$WORK/print3.out" &&
  grep -q '^batch=3 pages=1 dispatch_on=2026-11-27$' "$WORK/print3.out" &&
  grep -q "^pdf=$OUT/notices-20261125T160000.pdf$" "$WORK/print3.out" &&
  grep -q "^pdf=$OUT/notices-20261125T160000-20261127.pdf$" "$WORK/print3.out" ||
  fail "two batches by approval time: $(cat "$WORK/print3.out")"
[ "$(sql "SELECT b.dispatch_on FROM notice_items i JOIN notice_batches b ON b.batch_id = i.batch_id WHERE i.request_id = '$EARLY'")" = 2026-11-26 ] &&
  [ "$(sql "SELECT b.dispatch_on FROM notice_items i JOIN notice_batches b ON b.batch_id = i.batch_id WHERE i.request_id = '$LATE'")" = 2026-11-27 ] ||
  fail "dispatch dates of $EARLY / $LATE"
pdftotext -enc UTF-8 "$OUT/notices-20261125T160000.pdf" - | tr -d ' \n' | grep -q "$EARLY" ||
  fail "the 14:30 application is not in the 16:00 batch of 11-26"
ok "approved 14:30, printed 16:00 → dispatched 11-26; approved 15:30 → 11-27, in a file of its own"
finish
