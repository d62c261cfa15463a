#!/usr/bin/env bash
# 国保連 fees with the real binary (docs/kokuhoren.md "Fees"), time moved by --at:
#   - 発行手数料残高 is the ledger's sum (`kokuhoren balance`); the charges are the rows the
#     applications' charge hook writes (kj_fee_ledger, kj_invoices), inserted here as it
#     writes them: two 相殺 applications of office A, one 振込 application of office B;
#   - `kokuhoren offset-file`: refused before the month, then the CSV with its totals line
#     and its SHA-256 file (`sha256sum -c`), the offset balance settled by ledger rows; a
#     re-run gives the same bytes and settles nothing more;
#   - `kokuhoren invoice`: the 振込 invoice PDF (pdftotext: number, amount, payee, due date,
#     application);
#   - `kokuhoren import-payments`: a 全銀協 振込入金通知 file pays the invoice (balance 0),
#     leaves a billing invoice's transfer alone, and changes nothing when imported again;
#   - the ledger refuses edits (append-only), on the database itself.
# Usage: kokuhoren_fees_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" kjfees
ZENGIN="$(dirname "$0")/zengin_file.py"
A=1371000018
B=1371000026
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-12-01T09:00 >/dev/null || fail "init"
grep -q 'program = "kokuhoren"' "$DATA/claimsca.toml" || fail "init writes no kokuhoren tariff"
kj() { "$CLAIMSCA" kokuhoren "$@" --data "$DATA"; }

[ "$(kj balance --office $A)" = "$A	0" ] || fail "empty balance: $(kj balance --office $A)"
# The charge hook's rows (fees.cc ChargeApplication / transfer.cc CreateInvoice).
charge() {  # application office account method date
  sql "INSERT INTO kj_fee_ledger (application_id, kind, method, fee_kind, office_number, account_id,
         applicant_account, entry_date, amount_yen, reference, actor, created_at)
       VALUES ('$1', 'charge', '$4', 'issuance', '$2', '$3', '$3', '$5', 7800, '', 'account:$3',
               1796518800)" >/dev/null
}
charge KJA000000000001 $A kj10000001 offset 2026-12-06
charge KJA000000000002 $A kj10000001 offset 2026-12-28
charge KJA000000000003 $B kj20000001 transfer 2026-12-07
sql "INSERT INTO kj_invoices (application_id, account_id, addressee_name, office_number, fee_kind,
       amount_yen, issue_date, due_date, created_at)
     VALUES ('KJA000000000003', 'kj20000001', '請求代行株式会社', '$B', 'issuance', 7800,
             '2026-12-07', '2027-02-01', 1796605200)" >/dev/null
# The 振込 application itself (kjcert's row, as Apply writes it: awaiting payment).
sql "INSERT INTO kj_applications (id, account_id, account_kind, office_number, usage_category,
       payment_method, validity_start, password_generation, terms_version, state, applied_at)
     VALUES ('KJA000000000003', 'kj20000001', 'kj_agent', '$B', 'care_insurance', 'transfer',
             'from_issuance', 1, '2026-12', 'awaiting_payment', 1796605200)" >/dev/null
[ "$(kj balance --office $A)" = "$A	15600" ] || fail "balance A: $(kj balance --office $A)"
[ "$(kj balance --office $B)" = "$B	7800" ] || fail "balance B: $(kj balance --office $B)"
ok "発行手数料残高 is the ledger's sum (A 15,600, B 7,800)"

# The offset file of 2027-01: not before January; then A's two charges.
expect_fail "the 2027-01 offset file in December" kj offset-file --month 2027-01 --at 2026-12-31T23:00
kj offset-file --month 2027-01 --out "$WORK/off" --at 2027-01-05T09:00 --by 佐藤 > "$WORK/off1.out" ||
  fail "offset-file: $(cat "$WORK/off1.out")"
F=$WORK/off/kokuhoren-offset-202701.csv
printf '1,kokuhoren-offset,202701,2027-01-01\r\n2,%s,202701,2,15600\r\n8,1,2,15600\r\n' $A > "$WORK/want.csv"
cmp -s "$F" "$WORK/want.csv" || fail "offset file: $(od -c "$F" | head)"
(cd "$WORK/off" && sha256sum -c kokuhoren-offset-202701.csv.sha256 >/dev/null) || fail "sha256sum -c"
[ "$(kj balance --office $A)" = "$A	0" ] || fail "A not settled: $(kj balance --office $A)"
[ "$(kj balance --office $B)" = "$B	7800" ] || fail "振込 must not be offset"
[ "$(sql "SELECT count(*) FROM kj_fee_ledger WHERE kind = 'offset' AND reference = 'offset-file:2027-01'")" = 2 ] ||
  fail "settlement rows"
ok "offset file 2027-01: CSV with totals, sha256sum -c, A settled by two ledger rows"
cp "$F" "$WORK/first.csv"
charge KJA000000000004 $A kj10000001 offset 2026-12-30  # late: for the next month's file
kj offset-file --month 2027-01 --out "$WORK/off" --at 2027-01-20T09:00 > "$WORK/off2.out" || fail "re-run"
grep -q "made before (same bytes)" "$WORK/off2.out" || fail "re-run: $(cat "$WORK/off2.out")"
cmp -s "$F" "$WORK/first.csv" || fail "the re-run changed the bytes"
(cd "$WORK/off" && sha256sum -c kokuhoren-offset-202701.csv.sha256 >/dev/null) || fail "sha256sum -c again"
[ "$(kj balance --office $A)" = "$A	7800" ] || fail "the re-run settled more"
ok "the re-run is byte-identical and settles nothing (the late charge waits for 2027-02)"

# 請求書 of the 振込 application.
kj invoice --application KJA000000000003 --out "$WORK/inv.pdf" > "$WORK/inv.out" || fail "invoice: $(cat "$WORK/inv.out")"
grep -q "9000000001	7800 yen	due 2027-02-01	open" "$WORK/inv.out" || fail "invoice line: $(cat "$WORK/inv.out")"
pdftotext "$WORK/inv.pdf" - | tr -d ' \n' > "$WORK/inv.txt"
for want in 9000000001 7,800 KJA000000000003 "介護保険事業所番号$B" 請求代行株式会社 2027/02/01 デモ銀行; do
  grep -q "$want" "$WORK/inv.txt" || fail "invoice PDF lacks $want: $(cat "$WORK/inv.txt")"
done
expect_fail "an invoice for a 相殺 application" kj invoice --application KJA000000000001 --out "$WORK/x.pdf"
grep -q "not_found" "$WORK/expect_fail.out" || fail "$(cat "$WORK/expect_fail.out")"
ok "請求書 PDF: number, amount, due date, payee, application"

# The bank's file: the invoice paid exactly, and a billing invoice's transfer left alone.
cat > "$WORK/z.json" <<'JSON'
{"created": "2027-01-09", "from": "2027-01-04", "to": "2027-01-08", "transfers": [
  {"inquiry": 201, "date": "2027-01-08", "amount": 7800, "name": "9000000001ｾｲｷﾕｳﾀﾞｲｺｳ"},
  {"inquiry": 202, "date": "2027-01-08", "amount": 2292, "name": "2611000001ｸﾘﾆﾂｸ"}]}
JSON
python3 "$ZENGIN" "$WORK/z.zengin" "$WORK/z.json"
kj import-payments "$WORK/z.zengin" --at 2027-01-09T10:00 > "$WORK/imp1.out" || fail "import: $(cat "$WORK/imp1.out")"
grep -q "^applied 1, queued for an operator 0, already imported 0, not 国保連 1" "$WORK/imp1.out" ||
  fail "import: $(cat "$WORK/imp1.out")"
[ "$(kj balance --office $B)" = "$B	0" ] || fail "B not paid"
grep -q "^1 application(s) moved to pending" "$WORK/imp1.out" || fail "release: $(cat "$WORK/imp1.out")"
[ "$(sql "SELECT state FROM kj_applications WHERE id = 'KJA000000000003'")" = pending ] ||
  fail "the application did not leave awaiting_payment"
kj import-payments "$WORK/z.zengin" --at 2027-01-10T10:00 > "$WORK/imp2.out" || fail "re-import"
grep -q "^applied 0, queued for an operator 0, already imported 1, not 国保連 1" "$WORK/imp2.out" ||
  fail "re-import: $(cat "$WORK/imp2.out")"
[ "$(sql "SELECT count(*) FROM kj_fee_ledger WHERE kind = 'payment'")" = 1 ] || fail "payments"
kj invoice --invoice 9000000001 --out "$WORK/inv2.pdf" | grep -q "	paid$" || fail "invoice not paid"
ok "振込入金通知: the invoice paid once (the application now pending), billing's transfer left to billing"

# Append-only.
if sql "UPDATE kj_fee_ledger SET amount_yen = 1" >/dev/null 2>&1; then fail "ledger updated"; fi
if sql "DELETE FROM kj_fee_ledger" >/dev/null 2>&1; then fail "ledger deleted"; fi
[ "$(sql "SELECT count(*) FROM kj_fee_ledger")" = 7 ] || fail "ledger rows"
kj ledger --office $A | grep -c "offset-file:2027-01" | grep -q 2 || fail "ledger listing"
ok "the ledger refuses edits; kokuhoren ledger lists it"
finish
