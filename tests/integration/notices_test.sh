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
TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-11-24T09:00 | sed -n 's/^Operator API token.*: //p')
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
    "ダウンロード有効期限" "更新や失効等の申請の際に必要"; do
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
finish
