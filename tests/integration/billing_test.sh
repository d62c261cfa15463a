#!/usr/bin/env bash
# The monthly billing run end to end (docs/billing.md "run", docs/operations.md), with time
# moved by --at through 14 months (2026-11 … 2027-12), certificates valid 6 months so that
# renewal and expiry fall inside:
#   - a clinic (分類 1, deduction), a pharmacy (分類 3, deduction) and a 職域診療所 (分類 s,
#     invoice only) apply through the API; the clinic renews on the mTLS listener (1,500 yen,
#     no mailing fee); the pharmacy applies again after its certificate expired (1,500 +
#     792 yen mailing fee);
#   - `claimsca billing run --month` each month from the invoice day (refused the day
#     before and while another process holds the month's lease), one month by the serve
#     job (`jobs run --job billing-run`): deduction request file (CP932, checked with the real
#     sha256sum -c), invoices PDF + mailing list; every bill's amount, month, issue and due
#     date asserted against the guide's rules (billed in the month after next, invoice
#     around the 10th, deduction not made → retried the next month → fallback invoice);
#   - result files imported: refused whole on a bad line, idempotent, conflicts refused;
#   - a re-run changes nothing and rewrites the same bytes;
#   - every other category of src/domain/category.cc joins on 2027-06-10 (billed 2027-08):
#     a second clinic (1), a dental clinic (2), a 訪問看護 station (n) and a second 職域診療所
#     (s) from the register, auto-approved; 請求事務代行者 医科/歯科/調剤 (4, 5, 8), a 特健機関 (6,
#     10-digit 機関番号 in facility_code, no score table) and an insurer (7, insurer form) are in
#     no register version, held not_in_register and approved by the operator. 2027-08 then
#     bills all ten categories; the accounting report of 2027-08 has charges in every row.
# Usage: billing_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" billing
CLINIC=0110112489    # 医療法人 愛全病院, 分類 1: deduction
PHARMACY=0140112343  # 分類 3 (点数表 4): deduction
WORKSITE=0170112346  # 職域診療所 (点数表 7): invoice only
# facility SCORE_TABLE DIGITS6: the 7-digit facility code of 北海道 (01) with its check digit,
# computed by the 2-1 rule of docs/codes.md §2 (src/domain/codes.cc) over the 9-digit payload.
facility() {
  python3 - "01$1$2" <<'PY'
import sys
p = sys.argv[1]
s = sum(d // 10 + d % 10 for d in (int(c) * (2 if i % 2 == 0 else 1) for i, c in enumerate(reversed(p))))
print(p[3:] + str((10 - s % 10) % 10))
PY
}
# The categories that join on 2027-06-10 (see the header). In the register: CLINIC2 (1),
# DENTAL (2), NURSING (n), WORKSITE2 (s): deduction where allowed. In no register version:
# AGENT_MED (4), AGENT_DENT (5), AGENT_PHARM (8), CHECKUP (6: 機関番号 = 01 + 2 + 7 digits, no
# public check digit), INSURER (7: 33120015, the 保険者番号 example of docs/codes.md): no register
# method, so billed by invoice (docs/billing.md "Billing methods": a method needs the register).
CLINIC2=011$(facility 1 012346)
DENTAL=013$(facility 3 012345)
NURSING=016$(facility 6 012345)
WORKSITE2=017$(facility 7 012349)
AGENT_MED=011$(facility 1 012347)
AGENT_DENT=013$(facility 3 012347)
AGENT_PHARM=014$(facility 4 012348)
CHECKUP=0121234567
INSURER=33120015

TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-11-24T09:00 | sed -n 's/^Operator API token.*: //p')
[ -n "$TOKEN" ] || fail "init printed no token"
# Six-month certificates: renewal opens 90 days before the end, expiry within the walk.
sed -i 's/^validity_months = .*/validity_months = 6/' "$DATA/claimsca.toml"
grep -q '^validity_months = 6' "$DATA/claimsca.toml" || fail "validity_months not set"
cat > "$WORK/register.csv" <<CSV
prefecture,score_table,institution_code,name,postal_code,address
01,1,0112489,医療法人 愛全病院,0050813,札幌市南区川沿１３条２丁目１番３８号
01,4,0112343,さくら調剤薬局,0600001,札幌市中央区北１条西２丁目
01,7,0112346,北海産業株式会社 診療所,0600002,札幌市中央区北２条西３丁目
01,1,$(facility 1 012346),札幌中央クリニック,0600003,札幌市中央区北３条西１丁目
01,3,$(facility 3 012345),さっぽろ歯科医院,0600004,札幌市中央区北４条西１丁目
01,6,$(facility 6 012345),訪問看護ステーションひまわり,0600005,札幌市中央区北５条西１丁目
01,7,$(facility 7 012349),北海製紙株式会社 診療所,0600006,札幌市中央区北６条西１丁目
CSV
"$CLAIMSCA" admin import-register --data "$DATA" --file "$WORK/register.csv" --by t --at 2026-11-24T09:05 \
  >/dev/null 2>&1 || fail "register import"
account() {
  echo "$1-password-1234" | "$CLAIMSCA" admin create-account --data "$DATA" --at 2026-11-24T09:10 \
    --id "$1@example.jp" --kind institution --code "$2" --name "$3" >/dev/null || fail "account $1"
}
account clinic $CLINIC "医療法人 愛全病院"
account pharmacy $PHARMACY "さくら調剤薬局"
account worksite $WORKSITE "北海産業株式会社 診療所"
account clinic2 "$CLINIC2" "札幌中央クリニック"
account dental "$DENTAL" "さっぽろ歯科医院"
account nursing "$NURSING" "訪問看護ステーションひまわり"
account worksite2 "$WORKSITE2" "北海製紙株式会社 診療所"
account agentmed "$AGENT_MED" "北海道医療事務センター"
account agentdent "$AGENT_DENT" "北海道歯科事務センター"
account agentpharm "$AGENT_PHARM" "北海道調剤事務センター"
account checkup "$CHECKUP" "北海道健診センター"
account insurer "$INSURER" "北海道保険組合"
J=(-H "Content-Type: application/json")
login() {
  curl -fsS "${J[@]}" --data-binary "{\"account_id\":\"$1@example.jp\",\"password\":\"$1-password-1234\"}" \
    "$BASE/api/v1/login" | jq -r .token
}
# apply WHO CATEGORY SCORE_TABLE FACILITY NAME TERMINAL: an application, approved at once;
# sets RID.
apply() {
  local tok form
  tok=$(login "$1")
  form="{\"applicant_kind\":\"institution\",\"category\":\"$2\",\"prefecture\":\"01\",\"score_table\":\"$3\",
    \"facility_code\":\"$4\",\"institution_name\":\"$5\",\"contact_name\":\"事務\",\"phone\":\"011-123-4567\",
    \"email\":\"$1@example.jp\",\"terminal_name\":\"$6\"}"
  curl -fsS -H "Authorization: Bearer $tok" "${J[@]}" --data-binary "$form" "$BASE/api/v1/applications" \
    > "$WORK/app.json" || fail "apply $1"
  [ "$(jq -r .state "$WORK/app.json")" = issued ] || fail "$1 not issued: $(cat "$WORK/app.json")"
  RID=$(jq -r .request_id "$WORK/app.json")
}
# download NAME: the PKCS#12 of $RID as NAME.pem / NAME.key in $WORK.
download() {
  local pw
  pw=$("$CLAIMSCA" admin download-password --data "$DATA" --request-id "$RID" --by printer "${AT[@]}" 2>/dev/null |
    sed -n 's/^password=//p')
  curl -fsS -o "$WORK/$1.p12" "${J[@]}" --data-binary "{\"request_id\":\"$RID\",\"password\":\"$pw\"}" \
    "$BASE/api/v1/download" || fail "download $1"
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$pw" -nokeys -clcerts -out "$WORK/$1.pem" 2>/dev/null
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$pw" -nocerts -nodes -out "$WORK/$1.key" 2>/dev/null
}
# submit WHO FORM_JSON: an application; its answer in $WORK/app.json, RID set.
submit() {
  curl -fsS -H "Authorization: Bearer $(login "$1")" "${J[@]}" --data-binary "$2" "$BASE/api/v1/applications" \
    > "$WORK/app.json" || fail "apply $1"
  RID=$(jq -r .request_id "$WORK/app.json")
}
# held_then_approved WHO: the application just submitted is held not_in_register (automatic
# review, docs/applications.md) and the operator's approval issues it.
held_then_approved() {
  [ "$(jq -r '.state + "/" + .hold_reason' "$WORK/app.json")" = pending/not_in_register ] ||
    fail "$1 not held: $(cat "$WORK/app.json")"
  curl -fsS -X POST -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/applications/$RID/approve" > "$WORK/approve.json" ||
    fail "approve $1"
  [ "$(jq -r .state "$WORK/approve.json")" = issued ] || fail "$1 not issued: $(cat "$WORK/approve.json")"
}
# apply_unregistered WHO CATEGORY SCORE_TABLE FACILITY NAME: an institution form for a code in no
# register version; sets RID.
apply_unregistered() {
  submit "$1" "{\"applicant_kind\":\"institution\",\"category\":\"$2\",\"prefecture\":\"01\",\"score_table\":\"$3\",
    \"facility_code\":\"$4\",\"institution_name\":\"$5\",\"contact_name\":\"事務\",\"phone\":\"011-123-4567\",
    \"email\":\"$1@example.jp\",\"terminal_name\":\"請求PC\"}"
  held_then_approved "$1"
}
charge() { sql "SELECT total_yen || '/' || mailing_fee_yen || '/' || billing_month FROM fee_charges WHERE request_id = '$1' ORDER BY entry_id DESC LIMIT 1"; }

# 2026-11-25: the clinic and the worksite clinic apply (issuance 1,500 + mailing 792).
AT=(--at 2026-11-25T10:00)
start_server "$DATA" "${AT[@]}" --set key_pool.threads=0
apply clinic 1 1 0112489 "医療法人 愛全病院" "受付PC1"
RID_CLINIC=$RID
download clinic
apply worksite s 7 0112346 "北海産業株式会社 診療所" "健康管理室PC"
RID_WORKSITE=$RID
stop_server
# 2026-12-01: the pharmacy.
AT=(--at 2026-12-01T10:00)
start_server "$DATA" "${AT[@]}" --set key_pool.threads=0
apply pharmacy 3 4 0112343 "さくら調剤薬局" "調剤PC"
RID_PHARMACY=$RID
stop_server
[ "$(charge "$RID_CLINIC")" = 2292/792/2027-01 ] || fail "clinic charge: $(charge "$RID_CLINIC")"
[ "$(charge "$RID_WORKSITE")" = 2292/792/2027-01 ] || fail "worksite charge: $(charge "$RID_WORKSITE")"
[ "$(charge "$RID_PHARMACY")" = 2292/792/2027-02 ] || fail "pharmacy charge: $(charge "$RID_PHARMACY")"
ok "issuance charged 1,500 + 792 yen, billed in the month after next (2026-11 → 2027-01, 2026-12 → 2027-02)"

# run MONTH AT [args]: claimsca billing run; the output in $WORK/run.out.
run() {
  local m=$1 at=$2; shift 2
  "$CLAIMSCA" billing run --data "$DATA" --month "$m" --at "$at" "$@" > "$WORK/run.out" 2>&1
}
dir() { echo "$DATA/billing/$1"; }
bill() {  # bill NUMBER: institution/method/kind/amount/issue/due
  sql "SELECT institution_code || '/' || method || '/' || kind || '/' || amount_yen || '/' || issue_date || '/' || coalesce(due_date, '-') FROM bills WHERE number = '$1'"
}
deduction_csv() { iconv -f CP932 -t UTF-8 "$(dir "$1")/deduction-request-${1/-/}.csv"; }
import() {  # import FILE: the output in $WORK/import.out
  "$CLAIMSCA" billing import-deduction-result --data "$DATA" --at "$2" "$1" --by keiri > "$WORK/import.out" 2>&1
}
crlf() { printf '%s\r\n' "$@"; }

# 2027-01: the invoice day is 01-12 (01-10 Sunday, 01-11 成人の日).
if run 2027-01 2027-01-11T10:00; then fail "ran before the invoice day: $(cat "$WORK/run.out")"; fi
grep -q "starts on its invoice day 2027-01-12" "$WORK/run.out" || fail "refusal: $(cat "$WORK/run.out")"
run 2027-01 2027-01-12T07:00 || fail "run 2027-01: $(cat "$WORK/run.out")"
grep -q "deduction_bills=1 deduction_yen=2292" "$WORK/run.out" || fail "2027-01: $(cat "$WORK/run.out")"
grep -q "invoice_bills=1 fallback_invoices=0 invoice_yen=2292" "$WORK/run.out" || fail "2027-01: $(cat "$WORK/run.out")"
[ "$(deduction_csv 2027-01)" = "$(crlf '2,0110112489,"医療法人 愛全病院",202701,1,2292,2701000001' '8,1,1,2292')" ] ||
  fail "deduction file 2027-01: $(deduction_csv 2027-01 | od -c | head)"
(cd "$(dir 2027-01)" && sha256sum -c --status deduction-request-202701.csv.sha256) || fail "sha256sum -c"
[ "$(bill 2701000001)" = "$CLINIC/deduction/regular/2292/2027-01-12/-" ] || fail "bill 2701000001: $(bill 2701000001)"
# Due at the end of the next month: 2027-02-28 is a Sunday → 03-01.
[ "$(bill 2701000002)" = "$WORKSITE/invoice/regular/2292/2027-01-12/2027-03-01" ] || fail "bill 2701000002: $(bill 2701000002)"
pdfinfo "$(dir 2027-01)/invoices-202701.pdf" | grep -q "^Pages: *1" || fail "invoice PDF"
pdftotext "$(dir 2027-01)/invoices-202701.pdf" - | tr -d ' ' | grep -q "2701000002" || fail "invoice number not printed"
grep -q "北海産業株式会社 診療所" "$(dir 2027-01)/mailing-list-202701.csv" || fail "mailing list"
ok "2027-01 run on the invoice day 01-12 (refused on 01-11): the clinic's 2,292 yen in the deduction file (CP932, sha256sum -c), the worksite clinic (invoice only) invoiced 2,292 yen, due 2027-03-01; PDF + mailing list"

# A re-run changes nothing and writes the same bytes.
sums() { (cd "$(dir "$1")" && sha256sum ./*); }
before=$(sums 2027-01)
rows=$(sql "SELECT count(*) FROM audit_log")
rm "$(dir 2027-01)/invoices-202701.pdf"
run 2027-01 2027-01-20T07:00 || fail "re-run: $(cat "$WORK/run.out")"
grep -q "already done" "$WORK/run.out" || fail "re-run: $(cat "$WORK/run.out")"
[ "$(sums 2027-01)" = "$before" ] || fail "the re-run wrote other bytes"
[ "$(sql "SELECT count(*) FROM audit_log")" = "$rows" ] || fail "the re-run changed the audit trail"
[ "$(sql "SELECT count(*) FROM bills")" = 2 ] || fail "the re-run made bills"
ok "re-run of 2027-01: same files byte for byte, no database change"

# 2027-02 cannot run before January's results, nor while another process holds its lease.
if run 2027-02 2027-02-10T07:00; then fail "ran without January's results"; fi
grep -q "deduction results of 2027-01 are not imported" "$WORK/run.out" || fail "$(cat "$WORK/run.out")"
crlf '2,0110112489,202701,2701000001,1,2290' '8,1,2290' > "$WORK/bad.txt"
if import "$WORK/bad.txt" 2027-01-28T10:00; then fail "a wrong amount was imported"; fi
grep -q "line 1, field amount" "$WORK/import.out" || fail "$(cat "$WORK/import.out")"
crlf '2,0110112489,202701,2701000001,1,2292' '8,1,229' > "$WORK/bad.txt"
if import "$WORK/bad.txt" 2027-01-28T10:00; then fail "a bad total was imported"; fi
grep -q "line 2, field total_amount" "$WORK/import.out" || fail "$(cat "$WORK/import.out")"
[ "$(sql "SELECT count(*) FROM deduction_results")" = 0 ] || fail "a refused file left results"
# January: the clinic's payment was smaller than 2,292 yen: not deducted.
crlf '2,0110112489,202701,2701000001,1,2292' '8,1,2292' > "$WORK/r202701.txt"
import "$WORK/r202701.txt" 2027-01-28T10:00 || fail "import: $(cat "$WORK/import.out")"
grep -q "not_deducted=1" "$WORK/import.out" || fail "$(cat "$WORK/import.out")"
import "$WORK/r202701.txt" 2027-01-29T10:00 || fail "import again: $(cat "$WORK/import.out")"
grep -q "already_imported=true" "$WORK/import.out" || fail "$(cat "$WORK/import.out")"
crlf '2,0110112489,202701,2701000001,0,2292' '8,1,2292' > "$WORK/contra.txt"
if import "$WORK/contra.txt" 2027-01-29T10:00; then fail "a contradicting result was imported"; fi
ok "result files: a bad amount or total refused whole (line and field named), nothing applied; the January result (not deducted) imported once; a contradiction refused"

sql "INSERT INTO leases (name, holder, expires_at) VALUES ('billing-run:2027-02', 'other-host:1', 4102444800)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at" >/dev/null ||
  fail "lease row"
if run 2027-02 2027-02-10T07:00; then fail "ran while another process held the month"; fi
grep -q "another process is running the billing run of 2027-02" "$WORK/run.out" || fail "$(cat "$WORK/run.out")"
sql "DELETE FROM leases WHERE name = 'billing-run:2027-02'" >/dev/null
ok "two processes cannot run one month: refused while the lease billing-run:2027-02 is held"

# 2027-02 (02-10, a Wednesday): the clinic's 2,292 carried (the retry) with the pharmacy's new 2,292.
run 2027-02 2027-02-10T07:00 || fail "run 2027-02: $(cat "$WORK/run.out")"
[ "$(deduction_csv 2027-02)" = "$(crlf '2,0110112489,"医療法人 愛全病院",202702,1,2292,2702000001' \
  '2,0140112343,"さくら調剤薬局",202702,1,2292,2702000002' '8,2,2,4584')" ] || fail "deduction file 2027-02: $(deduction_csv 2027-02)"
[ "$(sql "SELECT origin FROM bill_items WHERE bill_number = '2702000001'")" = carried ] || fail "not carried"
[ ! -e "$(dir 2027-02)/invoices-202702.pdf" ] || fail "an invoice PDF without invoices"
ok "2027-02: the clinic's not deducted 2,292 yen carried into February's deduction (retry), the pharmacy's 2,292 billed"

# 2027-02-25: the clinic's certificate (until 2027-05-25) renews: 1,500 yen, no mailing fee.
AT=(--at 2027-02-25T10:00)
start_server "$DATA" "${AT[@]}" --set key_pool.threads=0
new_csr n1 ec
r=$(curl -s -w '\n%{http_code}' --cacert "$DATA/ca/root.pem" --cert "$WORK/clinic.pem" --key "$WORK/clinic.key" \
  "${J[@]}" --data-binary "$(jq -Rs '{csr: .}' "$WORK/n1.csr")" "https://127.0.0.1:$MTLS_PORT/terminal/renew")
[ "$(tail -n1 <<<"$r")" = 201 ] || fail "renewal: $r"
stop_server
[ "$(charge "$RID_CLINIC")" = 1500/0/2027-04 ] || fail "renewal charge: $(charge "$RID_CLINIC")"
ok "renewal on 2027-02-25: 1,500 yen, no mailing fee, billed 2027-04"

# February's results: the clinic not deducted again, the pharmacy deducted.
crlf '2,0110112489,202702,2702000001,1,2292' '2,0140112343,202702,2702000002,0,2292' '8,2,4584' > "$WORK/r202702.txt"
import "$WORK/r202702.txt" 2027-02-26T10:00 || fail "import 2027-02: $(cat "$WORK/import.out")"
grep -q "deducted=1 not_deducted=1" "$WORK/import.out" || fail "$(cat "$WORK/import.out")"

# 2027-03 by the serve job (03-10, a Wednesday): the fallback invoice; no deduction file.
"$CLAIMSCA" jobs run --data "$DATA" --at 2027-03-09T08:00 --job billing-run > "$WORK/jobs.out" 2>&1 || fail "job: $(cat "$WORK/jobs.out")"
grep -q "before the invoice day" "$WORK/jobs.out" || fail "job before the invoice day: $(cat "$WORK/jobs.out")"
"$CLAIMSCA" jobs run --data "$DATA" --at 2027-03-10T08:00 --job billing-run > "$WORK/jobs.out" 2>&1 || fail "job: $(cat "$WORK/jobs.out")"
grep -q "fallback_invoices=1" "$WORK/jobs.out" || fail "job 2027-03: $(cat "$WORK/jobs.out")"
[ "$(bill 2703000001)" = "$CLINIC/invoice/fallback/2292/2027-03-10/2027-04-30" ] || fail "fallback: $(bill 2703000001)"
[ ! -e "$(dir 2027-03)/deduction-request-202703.csv" ] || fail "a deduction file without deductions"
pdftotext "$(dir 2027-03)/invoices-202703.pdf" - | tr -d ' ' | grep -q "2703000001" || fail "fallback invoice PDF"
[ "$(sql "SELECT state FROM billing_runs WHERE month = '2027-03'")" = done ] || fail "2027-03 not done"
ok "2027-03 by the serve job (not before 03-10): not deducted twice → fallback invoice of 2,292 yen to the clinic, issued 2027-03-10, due 2027-04-30"

# 2027-04 (04-10 Saturday → 04-12): the renewal's 1,500 by deduction; deducted.
run 2027-04 2027-04-12T07:00 || fail "run 2027-04: $(cat "$WORK/run.out")"
[ "$(deduction_csv 2027-04)" = "$(crlf '2,0110112489,"医療法人 愛全病院",202704,1,1500,2704000001' '8,1,1,1500')" ] ||
  fail "deduction file 2027-04: $(deduction_csv 2027-04)"
crlf '2,0110112489,202704,2704000001,0,1500' '8,1,1500' > "$WORK/r202704.txt"
import "$WORK/r202704.txt" 2027-04-28T10:00 || fail "import 2027-04: $(cat "$WORK/import.out")"
ok "2027-04 (invoice day 04-12): the renewal's 1,500 yen deducted"

# 2027-05 … 2027-07: nothing to bill; each run is recorded, no files.
for m in 2027-05:2027-05-10 2027-06:2027-06-10 2027-07:2027-07-12; do
  run "${m%%:*}" "${m#*:}T07:00" || fail "run $m: $(cat "$WORK/run.out")"
  grep -q "deduction_bills=0 deduction_yen=0" "$WORK/run.out" && grep -q "invoice_bills=0" "$WORK/run.out" ||
    fail "run $m: $(cat "$WORK/run.out")"
done
ok "2027-05 … 2027-07: no charges billed, runs recorded, no files"

# 2027-06-10: the pharmacy's certificate ended 2027-06-01; it applies again: 1,500 + 792.
# 2027-10-05: the worksite clinic's ended 2027-05-25; it applies again too.
AT=(--at 2027-06-10T10:00)
start_server "$DATA" "${AT[@]}" --set key_pool.threads=0
apply pharmacy 3 4 0112343 "さくら調剤薬局" "調剤PC"
RID_PHARMACY2=$RID
# The other categories, all issued the same day: 1,500 + 792 yen each, billed 2027-08.
NEW_RIDS=()
apply clinic2 1 1 "${CLINIC2:3}" "札幌中央クリニック" "受付PC"
NEW_RIDS+=("$RID")
apply dental 2 3 "${DENTAL:3}" "さっぽろ歯科医院" "受付PC"
NEW_RIDS+=("$RID")
apply nursing n 6 "${NURSING:3}" "訪問看護ステーションひまわり" "事務PC"
NEW_RIDS+=("$RID")
apply worksite2 s 7 "${WORKSITE2:3}" "北海製紙株式会社 診療所" "健康管理室PC"
NEW_RIDS+=("$RID")
apply_unregistered agentmed 4 1 "${AGENT_MED:3}" "北海道医療事務センター"
NEW_RIDS+=("$RID")
apply_unregistered agentdent 5 3 "${AGENT_DENT:3}" "北海道歯科事務センター"
NEW_RIDS+=("$RID")
apply_unregistered agentpharm 8 4 "${AGENT_PHARM:3}" "北海道調剤事務センター"
NEW_RIDS+=("$RID")
apply_unregistered checkup 6 "" "$CHECKUP" "北海道健診センター"
NEW_RIDS+=("$RID")
submit insurer "{\"applicant_kind\":\"insurer\",\"category\":\"7\",\"insurer_number\":\"$INSURER\",
  \"insurer_name\":\"北海道保険組合\",\"contact_name\":\"業務課\",\"phone\":\"011-765-4321\",
  \"email\":\"insurer@example.jp\",\"terminal_name\":\"業務PC\"}"
held_then_approved insurer
NEW_RIDS+=("$RID")
stop_server
[ "$(charge "$RID_PHARMACY2")" = 2292/792/2027-08 ] || fail "re-application charge: $(charge "$RID_PHARMACY2")"
for r in "${NEW_RIDS[@]}"; do
  [ "$(charge "$r")" = 2292/792/2027-08 ] || fail "charge of $r: $(charge "$r")"
done
[ "$(sql "SELECT DISTINCT institution_code FROM fee_charges WHERE billing_month = '2027-08' ORDER BY institution_code" |
  tr '\n' ' ')" \
  = "$CLINIC2 $AGENT_MED $CHECKUP $DENTAL $AGENT_DENT $PHARMACY $AGENT_PHARM $NURSING $WORKSITE2 $INSURER " ] ||
  fail "2027-08 charges: $(sql "SELECT institution_code FROM fee_charges WHERE billing_month = '2027-08'")"
ok "2027-06-10: one institution of every other category issued (2, 4, 5, 8, 6, n, 7 and a second 1 and s; 4, 5, 8, 6 and 7 held not_in_register and approved by the operator): 1,500 + 792 yen each, billed 2027-08"
AT=(--at 2027-10-05T10:00)
start_server "$DATA" "${AT[@]}" --set key_pool.threads=0
apply worksite s 7 0112346 "北海産業株式会社 診療所" "健康管理室PC"
stop_server
[ "$(charge "$RID")" = 2292/792/2027-12 ] || fail "re-application charge: $(charge "$RID")"
ok "re-application after expiry: 1,500 + 792 yen mailing fee (the pharmacy 2027-06 → billed 2027-08, the worksite clinic 2027-10 → 2027-12)"

# 2027-08-10 (a Tuesday): every category billed. Bills are numbered in institution code order
# (src/billing/plan.cc); deduction for 1, 2, 3 and n (in the register, deduction allowed),
# invoices for 4, 5, 8, 6 and 7 (in no register: no method, so invoice) and s (invoice only),
# due at the end of the next month (2027-09-30, a Thursday).
run 2027-08 2027-08-10T07:00 || fail "run 2027-08: $(cat "$WORK/run.out")"
grep -q "deduction_bills=4 deduction_yen=9168" "$WORK/run.out" || fail "2027-08: $(cat "$WORK/run.out")"
grep -q "invoice_bills=6 fallback_invoices=0 invoice_yen=13752" "$WORK/run.out" || fail "2027-08: $(cat "$WORK/run.out")"
[ "$(deduction_csv 2027-08)" = "$(crlf "2,$CLINIC2,\"札幌中央クリニック\",202708,1,2292,2708000001" \
  "2,$DENTAL,\"さっぽろ歯科医院\",202708,1,2292,2708000004" \
  '2,0140112343,"さくら調剤薬局",202708,1,2292,2708000006' \
  "2,$NURSING,\"訪問看護ステーションひまわり\",202708,1,2292,2708000008" '8,4,4,9168')" ] ||
  fail "deduction file 2027-08: $(deduction_csv 2027-08)"
n=0
for b in "$CLINIC2:deduction" "$AGENT_MED:invoice" "$CHECKUP:invoice" "$DENTAL:deduction" "$AGENT_DENT:invoice" \
  "$PHARMACY:deduction" "$AGENT_PHARM:invoice" "$NURSING:deduction" "$WORKSITE2:invoice" "$INSURER:invoice"; do
  n=$((n + 1)) code=${b%%:*} method=${b#*:}
  due=-; [ "$method" = invoice ] && due=2027-09-30
  [ "$(bill "27080000$(printf %02d $n)")" = "$code/$method/regular/2292/2027-08-10/$due" ] ||
    fail "bill 27080000$(printf %02d $n): $(bill "27080000$(printf %02d $n)")"
  [ "$(sql "SELECT run_month FROM bills WHERE number = '27080000$(printf %02d $n)'")" = 2027-08 ] || fail "run month"
done
pdfinfo "$(dir 2027-08)/invoices-202708.pdf" | grep -q "^Pages: *6" || fail "2027-08 invoice PDF: $(pdfinfo "$(dir 2027-08)/invoices-202708.pdf")"
# Those in no register are addressed by the name of their application (docs/billing.md "run").
for name in 北海道医療事務センター 北海道歯科事務センター 北海道調剤事務センター 北海道健診センター 北海道保険組合; do
  pdftotext "$(dir 2027-08)/invoices-202708.pdf" - | tr -d ' ' | grep -q "$name" || fail "invoice to $name not printed"
done
crlf "2,$CLINIC2,202708,2708000001,0,2292" "2,$DENTAL,202708,2708000004,0,2292" '2,0140112343,202708,2708000006,0,2292' \
  "2,$NURSING,202708,2708000008,0,2292" '8,4,9168' > "$WORK/r202708.txt"
import "$WORK/r202708.txt" 2027-08-27T10:00 || fail "import 2027-08: $(cat "$WORK/import.out")"
grep -q "deducted=4 not_deducted=0" "$WORK/import.out" || fail "$(cat "$WORK/import.out")"
ok "2027-08 (08-10): all ten categories billed, 2,292 yen each: 1, 2, 3, n deducted (deduction file and result), 4, 5, 8, 6, 7 and s invoiced, issued 2027-08-10, due 2027-09-30 (6-page PDF)"
for m in 2027-09:2027-09-10 2027-10:2027-10-12 2027-11:2027-11-10; do
  run "${m%%:*}" "${m#*:}T07:00" || fail "run $m: $(cat "$WORK/run.out")"
done
# 2027-12-10 (a Friday): the worksite clinic's invoice, due at the end of January.
run 2027-12 2027-12-10T07:00 || fail "run 2027-12: $(cat "$WORK/run.out")"
[ "$(bill 2712000001)" = "$WORKSITE/invoice/regular/2292/2027-12-10/2028-01-31" ] || fail "bill 2712000001: $(bill 2712000001)"
ok "2027-08: the pharmacy's re-application deducted; 2027-12: the worksite clinic invoiced 2,292 yen, due 2028-01-31"

# The whole walk: 14 months, every bill.
[ "$(sql "SELECT count(*) FROM billing_runs WHERE state = 'done'")" = 12 ] || fail "runs"
[ "$(sql "SELECT number || ':' || amount_yen FROM bills ORDER BY number" | tr '\n' ' ')" \
  = "2701000001:2292 2701000002:2292 2702000001:2292 2702000002:2292 2703000001:2292 2704000001:1500 $(seq -f '27080000%02g:2292' 1 10 | tr '\n' ' ')2712000001:2292 " ] ||
  fail "bills: $(sql "SELECT number, amount_yen FROM bills ORDER BY number")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action LIKE 'billing.%'")" = 28 ] ||
  fail "audit: $(sql "SELECT action, subject FROM audit_log WHERE action LIKE 'billing.%'")"
"$CLAIMSCA" audit verify --data "$DATA" >/dev/null || fail "audit verify"
ok "14 months: 12 runs, 17 bills with the guide's amounts, every step audited, the audit chain verifies"

# The accounting report (docs/billing.md "report") through the binary: UTF-8 with BOM and CRLF,
# read back with Python's csv module; the figures of January and February by hand, and
# outstanding(M) = outstanding(M-1) + invoiced(M) - paid(M) over the walk's months.
WORKSITE_CAT=$(sql "SELECT category FROM register_entries WHERE institution_code = '$WORKSITE' ORDER BY version DESC LIMIT 1")
for m in 2027-01 2027-02 2027-03 2027-04 2027-05 2027-06 2027-07 2027-08 2027-09 2027-10 2027-11 2027-12 2028-01; do
  "$CLAIMSCA" billing report --data "$DATA" --month "$m" > "$WORK/report-$m.csv" || fail "report $m"
done
"$CLAIMSCA" billing report --data "$DATA" --month 2027-02 --out "$WORK/report-out.csv" >/dev/null || fail "report --out"
cmp -s "$WORK/report-out.csv" "$WORK/report-2027-02.csv" || fail "--out and stdout differ"
[ "$(head -c 3 "$WORK/report-2027-01.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no BOM"
if "$CLAIMSCA" billing report --data "$DATA" --month 2027-13 2>/dev/null; then fail "a bad month was accepted"; fi
python3 - "$WORK" "$WORKSITE_CAT" <<'PY' || fail "report figures"
import csv, sys
work, worksite = sys.argv[1], sys.argv[2]
def report(month):
    raw = open(f"{work}/report-{month}.csv", "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), "BOM"
    assert raw.count(b"\r\n") == 12 and raw.count(b"\n") == 12, "CRLF after each of 12 lines"
    rows = list(csv.reader(open(f"{work}/report-{month}.csv", encoding="utf-8-sig", newline="")))
    assert rows[0] == ["対象月", "分類", "分類名", "発生件数", "発生額", "控除額", "請求書発行額",
                       "入金額", "未収額"], rows[0]
    assert all(r[0] == month for r in rows[1:]), month
    return {r[1]: [int(x) for x in r[3:]] for r in rows[1:]}
jan, feb = report("2027-01"), report("2027-02")
# January: the clinic's 2,292 (not deducted) and the worksite clinic's 2,292 invoiced.
assert jan["1"] == [1, 2292, 0, 0, 0, 0], jan["1"]
assert jan[worksite] == [1, 2292, 0, 2292, 0, 2292], jan[worksite]
assert jan["合計"] == [2, 4584, 0, 2292, 0, 2292], jan["合計"]
# February: the pharmacy's 2,292 charged and deducted; the worksite invoice still unpaid.
assert feb["3"] == [1, 2292, 2292, 0, 0, 0], feb["3"]
assert feb["1"] == [0, 0, 0, 0, 0, 0], feb["1"]
assert feb["合計"] == [1, 2292, 2292, 0, 0, 2292], feb["合計"]
months = ["2027-%02d" % m for m in range(1, 13)] + ["2028-01"]
before = {c: 0 for c in jan}
for m in months:
    now = report(m)
    for c, f in now.items():
        assert f[5] == before[c] + f[3] - f[4], (m, c, f, before[c])
    before = {c: f[5] for c, f in now.items()}
# Every category charged in 2027-08: one certificate of 2,292 yen in each row.
aug = report("2027-08")
for c in ["1", "2", "3", "4", "5", "8", "6", "n", "s", "7"]:
    assert aug[c][:2] == [1, 2292], (c, aug[c])
assert aug["合計"][:2] == [10, 22920], aug["合計"]
# Nothing paid: the worksite clinics' three invoices, the clinic's fallback invoice and the
# August invoices of 4, 5, 8, 6 and 7.
assert before[worksite] == 6876 and before["1"] == 2292, before
assert all(before[c] == 2292 for c in ["4", "5", "8", "6", "7"]), before
assert before["2"] == before["3"] == before["n"] == 0, before
assert before["合計"] == 20628, before
PY
ok "billing report: UTF-8 with BOM and CRLF, read by Python's csv; January, February and every category's row of August by hand; outstanding chains over 13 months; --out = stdout; a bad month refused"
finish
