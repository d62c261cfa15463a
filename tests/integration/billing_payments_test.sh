#!/usr/bin/env bash
# Payments and non-payment end to end (docs/billing.md, "payments"), time moved by --at:
#   - a 全銀協 振込入金通知 file (written from the published layout by zengin_file.py) is
#     imported: the exact payment is applied, partial / excess / unknown go to the operator
#     queue; importing it again, or a file repeating a transfer, applies nothing new;
#   - a bad file (trailer sum, a double-byte name) is refused whole, naming the record and
#     the field, and nothing of it is recorded;
#   - the operator resolves the queue (ignore with a reason, apply to an invoice);
#   - an invoice unpaid past its due date + grace is listed; revocation needs --confirm;
#     confirmed, its certificate is revoked (cessationOfOperation): openssl ocsp and the CRL
#     say so, the applicant's mail (seen by a real SMTP server) says why with the invoice
#     number, and every step is in the audit trail.
# The invoice of the revoked certificate is made by `billing run`; two more invoices of other
# institutions are written by the test as the run writes them.
# Usage: billing_payments_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
MAILDIR=$WORK/mail
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" pay
start_smtp_sink "$MAILDIR"
ZENGIN="$(dirname "$0")/zengin_file.py"

TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-09-14T09:00 | sed -n 's/^Operator API token.*: //p')
"$CLAIMSCA" admin import-register --data "$DATA" --file "$CLAIMSCA_SOURCE_DIR/data/institutions-2025-08.csv" \
  --by t >/dev/null 2>&1 || fail "register import"
MAILSET=(--set "mail.smtp_url=smtp://127.0.0.1:$SMTP_PORT" --set mail.smtp_starttls=none
  --set mail.from_address=no-reply@claimsca.example)
billing() { "$CLAIMSCA" billing "$@" --data "$DATA"; }
billing methods set 0110112489 invoice --at 2026-09-01T09:00 >/dev/null 2>&1 || fail "method"

# 1. A certificate issued on 2026-09-15, billed by invoice in the 2026-11 run.
start_server "$DATA" --at 2026-09-15T10:00 --set key_pool.threads=0 "${MAILSET[@]}"
form='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
  "facility_code":"0112489","institution_name":"愛全病院","contact_name":"医事課 山田",
  "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"受付PC"}'
curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary "$form" "$BASE/api/v1/applications" > "$WORK/app.json" || fail "submit"
RID=$(jq -r .request_id "$WORK/app.json")
[ "$(jq -r .state "$WORK/app.json")" = issued ] || fail "not issued: $(cat "$WORK/app.json")"
stop_server
SERIAL=$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")
[ -n "$SERIAL" ] || fail "no serial"

billing run --month 2026-11 --at 2026-11-10T09:00 > "$WORK/run.out" 2>&1 || fail "run: $(cat "$WORK/run.out")"
[ "$(sql "SELECT number || ' ' || amount_yen || ' ' || due_date FROM bills WHERE institution_code = '0110112489'")" = \
  "2611000001 2292 2027-01-04" ] || fail "the run's invoice: $(sql "SELECT * FROM bills")"
[ "$(sql "SELECT request_id FROM bill_items WHERE bill_number = '2611000001'")" = "$RID" ] || fail "bill item"
# Two invoices of the 2026-10 run of other institutions (no certificate of theirs here).
sql "INSERT INTO billing_runs (month, state, issue_date, started_at, started_by)
       VALUES ('2026-10', 'done', '2026-10-13', 1791000000, 'test')" >/dev/null
for b in "2610000001 0110112490" "2610000003 0110112491"; do
  set -- $b
  sql "INSERT INTO bills (number, run_month, institution_code, method, kind, amount_yen,
         certificates, issue_date, due_date, name, postal_code, address)
       VALUES ('$1', '2026-10', '$2', 'invoice', 'regular', 2292, 1, '2026-10-13', '2026-11-30',
               'テスト医院', '0640809', '札幌市')" >/dev/null
done
ok "a certificate issued ($RID, serial $SERIAL); billing run: its invoice 2611000001 (2,292 yen, due 2027-01-04)"

# 2. The bank's file of 2027-01-08: exact, partial, excess, unknown number.
cat > "$WORK/f1.json" <<'JSON'
{"created": "2027-01-09", "from": "2027-01-04", "to": "2027-01-08", "transfers": [
  {"inquiry": 101, "date": "2027-01-08", "amount": 2292, "name": "2610000001ｸﾘﾆﾂｸ"},
  {"inquiry": 102, "date": "2027-01-08", "amount": 1000, "name": "2611 000001 ｱｲｾﾞﾝﾋﾞﾖｳｲﾝ"},
  {"inquiry": 103, "date": "2027-01-07", "amount": 3000, "name": "ｻﾄｳｲｲﾝ", "code": "2610000003"},
  {"inquiry": 104, "date": "2027-01-06", "amount": 2292, "name": "2611999999ﾔﾏﾀﾞ"}]}
JSON
python3 "$ZENGIN" "$WORK/f1.zengin" "$WORK/f1.json"
billing import-payments "$WORK/f1.zengin" --at 2027-01-09T10:00 > "$WORK/imp1.out" 2>&1 ||
  fail "import: $(cat "$WORK/imp1.out")"
grep -q "^applied 1, queued 3, already imported 0 (of 4 transfers)" "$WORK/imp1.out" || fail "import: $(cat "$WORK/imp1.out")"
grep -q "record 2 000101 2292 applied 2610000001" "$WORK/imp1.out" || fail "exact: $(cat "$WORK/imp1.out")"
grep -q "record 3 000102 1000 partial 2611000001" "$WORK/imp1.out" || fail "partial"
grep -q "record 4 000103 3000 excess 2610000003" "$WORK/imp1.out" || fail "excess (number in 振込依頼人コード)"
grep -q "record 5 000104 2292 unknown_invoice" "$WORK/imp1.out" || fail "unknown"
[ "$(sql "SELECT bill_number || ':' || amount_yen FROM payment_applications")" = "2610000001:2292" ] ||
  fail "applications: $(sql "SELECT * FROM payment_applications")"
[ "$(sql "SELECT payer_name FROM payments WHERE inquiry_number = '000101'")" = "2610000001クリニツク" ] ||
  fail "payer name decoded"
ok "import: exact → applied; partial, excess, unknown number → queue; half-width kana decoded"

billing import-payments "$WORK/f1.zengin" --at 2027-01-09T11:00 > "$WORK/imp2.out" 2>&1 || fail "re-import"
grep -q "already imported (sha256 $(sha256sum "$WORK/f1.zengin" | cut -c1-64))" "$WORK/imp2.out" ||
  fail "re-import: $(cat "$WORK/imp2.out")"
# Another file (LF, another creation date) repeating transfer 101: skipped.
cat > "$WORK/f2.json" <<'JSON'
{"created": "2027-01-09", "from": "2027-01-08", "to": "2027-01-08", "newline": "\n", "transfers": [
  {"inquiry": 101, "date": "2027-01-08", "amount": 2292, "name": "2610000001ｸﾘﾆﾂｸ"}]}
JSON
python3 "$ZENGIN" "$WORK/f2.zengin" "$WORK/f2.json"
billing import-payments "$WORK/f2.zengin" --at 2027-01-09T12:00 > "$WORK/imp3.out" 2>&1 || fail "import f2"
grep -q "^applied 0, queued 0, already imported 1 (of 1 transfers)" "$WORK/imp3.out" || fail "f2: $(cat "$WORK/imp3.out")"
[ "$(sql "SELECT count(*) FROM payments")" = 4 ] && [ "$(sql "SELECT count(*) FROM payment_applications")" = 1 ] ||
  fail "re-import recorded something"
ok "the same file again: nothing new; a file repeating a transfer (照会番号 + 勘定日): not applied twice"

# 3. Bad files are refused whole, the record and field named; nothing recorded.
for brk in "trailer_sum:record 6, field 振込合計金額" "sjis_name:record 2, field 振込依頼人名"; do
  jq --arg b "${brk%%:*}" '. + {break: $b} | .transfers[0].inquiry = 201 | .transfers[1].inquiry = 202 |
    .transfers[2].inquiry = 203 | .transfers[3].inquiry = 204' "$WORK/f1.json" > "$WORK/bad.json"
  python3 "$ZENGIN" "$WORK/bad.zengin" "$WORK/bad.json"
  code=0
  billing import-payments "$WORK/bad.zengin" --at 2027-01-09T13:00 > "$WORK/bad.out" 2>&1 || code=$?
  [ "$code" = 2 ] || fail "bad file ${brk%%:*}: exit $code $(cat "$WORK/bad.out")"
  grep -q "${brk#*:}" "$WORK/bad.out" || fail "bad file ${brk%%:*}: $(cat "$WORK/bad.out")"
done
[ "$(sql "SELECT count(*) FROM payments")" = 4 ] && [ "$(sql "SELECT count(*) FROM payment_files")" = 2 ] ||
  fail "a refused file left rows"
ok "bad trailer sum / double-byte name: refused whole (exit 2), record and field named, nothing recorded"

# 4. The operator queue.
billing payments queue > "$WORK/q.out" 2>/dev/null || fail "queue"
[ "$(tail -n +2 "$WORK/q.out" | wc -l)" = 3 ] || fail "queue: $(cat "$WORK/q.out")"
id_of() { sql "SELECT id FROM payments WHERE inquiry_number = '$1'"; }
expect_fail "resolve without a decision" billing payments resolve "$(id_of 000104)"
billing payments resolve "$(id_of 000104)" --ignore "not our invoice: returned by the bank" \
  --at 2027-01-10T09:00 >/dev/null 2>&1 || fail "ignore"
billing payments resolve "$(id_of 000103)" --invoice 2610000003 --at 2027-01-10T09:00 > "$WORK/r.out" 2>&1 ||
  fail "apply: $(cat "$WORK/r.out")"
grep -q "open 2292 → -708 yen (overpaid" "$WORK/r.out" || fail "apply output: $(cat "$WORK/r.out")"
expect_fail "a resolved payment cannot be resolved again" billing payments resolve "$(id_of 000103)" --ignore x
billing payments queue > "$WORK/q.out" 2>/dev/null
[ "$(tail -n +2 "$WORK/q.out" | wc -l)" = 1 ] && grep -q "partial	2611000001" "$WORK/q.out" ||
  fail "queue after resolving: $(cat "$WORK/q.out")"
ok "queue: unknown ignored with a reason, excess applied by the operator, the partial one left"

# 5. Unpaid: 2611000001 (its partial payment still queued, not applied) after 2027-01-04 + 14
#    days of grace.
billing unpaid --at 2027-01-18T12:00 > "$WORK/u.out" 2>/dev/null || fail "unpaid"
[ "$(tail -n +2 "$WORK/u.out" | wc -l)" = 0 ] || fail "listed within the grace: $(cat "$WORK/u.out")"
billing unpaid --at 2027-01-20T12:00 > "$WORK/u.out" 2>/dev/null || fail "unpaid"
[ "$(tail -n +2 "$WORK/u.out" | cut -f1,2,3,6)" = "2611000001	0110112489	2027-01-04	2292" ] ||
  fail "unpaid: $(cat "$WORK/u.out")"
ok "unpaid: nothing within the grace; 2611000001 (2,292 yen outstanding) after it"

code=0
billing revoke-unpaid --invoice 2611000001 --at 2027-01-20T12:00 > "$WORK/rv.out" 2>&1 || code=$?
[ "$code" = 4 ] && grep -q "confirmation is required" "$WORK/rv.out" || fail "without --confirm: $code $(cat "$WORK/rv.out")"
[ "$(sql "SELECT state FROM applications WHERE request_id = '$RID'")" = issued ] || fail "revoked without confirmation"
expect_fail "a paid invoice is not revoked" billing revoke-unpaid --invoice 2610000001 --confirm --at 2027-01-20T12:00
billing revoke-unpaid --invoice 2611000001 --confirm --by suzuki --at 2027-01-20T12:00 > "$WORK/rv.out" 2>&1 ||
  fail "revoke: $(cat "$WORK/rv.out")"
grep -q "^revoked $RID" "$WORK/rv.out" || fail "revoke: $(cat "$WORK/rv.out")"
[ "$(sql "SELECT state FROM applications WHERE request_id = '$RID'")" = revoked ] || fail "application state"
[ "$(sql "SELECT revocation_reason FROM certificates WHERE serial = '$SERIAL'")" = 5 ] || fail "reason"
billing revoke-unpaid --invoice 2611000001 --confirm --at 2027-01-20T12:30 > "$WORK/rv2.out" 2>&1 || fail "again"
grep -q "^already_revoked $RID" "$WORK/rv2.out" || fail "again: $(cat "$WORK/rv2.out")"
ok "revoke-unpaid: refused without --confirm (nothing revoked); confirmed: revoked, cessationOfOperation"

# 6. Outside clients: OCSP and the CRL at that time; the mail through SMTP.
start_server "$DATA" --at 2027-01-20T12:40 --set key_pool.threads=0 "${MAILSET[@]}"
AT=$(date -d 2027-01-20T12:45+09:00 +%s)
openssl ocsp -issuer "$DATA/ca/issuing-1.pem" -serial "0x$SERIAL" -url "$BASE/ocsp" \
  -CAfile "$DATA/ca/root.pem" -attime "$AT" -validity_period 400000000 > "$WORK/ocsp.out" 2>&1 ||
  fail "ocsp: $(cat "$WORK/ocsp.out")"
grep -q "Response verify OK" "$WORK/ocsp.out" && grep -q ": revoked" "$WORK/ocsp.out" &&
  grep -q "Reason: cessationOfOperation" "$WORK/ocsp.out" || fail "ocsp: $(cat "$WORK/ocsp.out")"
stop_server
"$CLAIMSCA" crl --data "$DATA" --at 2027-01-20T12:50 --out "$WORK/crl.der" >/dev/null 2>&1 || fail "crl"
openssl crl -inform DER -in "$WORK/crl.der" -noout -text > "$WORK/crl.txt"
grep -A4 -i "Serial Number: *$SERIAL" "$WORK/crl.txt" | grep -q "Cessation Of Operation" ||
  fail "CRL: $(cat "$WORK/crl.txt")"
"$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at 2027-01-20T12:55 --job mail > "$WORK/jobs.out" 2>&1 ||
  fail "mail job: $(cat "$WORK/jobs.out")"
found=""
for f in "$MAILDIR"/*.json; do
  [ "$(jq -r .subject "$f")" = "【電子証明書 失効完了通知】発行・更新料未納のため" ] && found=$f
done
[ -n "$found" ] || fail "no non-payment mail: $(for f in "$MAILDIR"/*.json; do jq -r .subject "$f"; done)"
jq -r .body "$found" > "$WORK/mail.txt"
grep -q "失効理由     : 電子証明書発行・更新料の未納" "$WORK/mail.txt" && grep -q "請求番号     : 2611000001" "$WORK/mail.txt" &&
  grep -q "$RID" "$WORK/mail.txt" || fail "mail body: $(cat "$WORK/mail.txt")"
[ "$(jq -r '.rcpt_tos[0]' "$found")" = iji@example.jp ] || fail "recipient"
ok "openssl ocsp: revoked (cessationOfOperation); the CRL lists it; the mail says 未納 with the invoice number"

# 7. Every step in the audit trail.
for a in billing.payments.import billing.payment.resolve billing.nonpayment.confirm billing.nonpayment.revoked; do
  [ "$(sql "SELECT count(*) FROM audit_log WHERE action = '$a'")" -ge 1 ] || fail "no audit $a"
done
sql "SELECT details FROM audit_log WHERE action = 'application.revoke' AND subject = '$RID'" |
  grep -q '"invoice":"2611000001"' || fail "revocation audit without the invoice"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'billing.nonpayment.confirm' AND actor = 'operator:suzuki'")" = 1 ] ||
  fail "confirmation actor: $(sql "SELECT actor FROM audit_log WHERE action = 'billing.nonpayment.confirm'")"
ok "audited: imports, resolutions, the confirmation (by suzuki), the revocation with the invoice"
finish
