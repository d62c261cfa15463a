#!/usr/bin/env bash
# A newly opened clinic walked from its 仮コード to designation over five months with --at
# (docs/newinst.md; issue 21 "How we will check it"), and the same journey for a clinic that
# is not designated, with the real binary and outside clients:
#   December: the operator issues two 仮コード (`newinst issue`), accounts on them;
#   January:  each clinic applies and downloads its certificate: `openssl x509` shows the
#             仮コード in the OU;
#   March:    the 受付番号 presented (`newinst present`);
#   April:    designation: the bureau's list (xlsx) imported, a swapped to its real code; a's
#             terminal re-issues over mTLS with its old certificate (curl): the new one has
#             OU = the real code and the old one's end (`openssl x509`), no fee; its first use
#             confirms it and the old one is revoked superseded (`openssl ocsp`, the CRL with
#             `openssl crl`); the supersede job finds nothing more to do;
#             b is not designated: `claimsca newinst withdraw` with its 受付番号: certificate
#             revoked (cessationOfOperation), account closed (login refused), charges credited
#             (net 0 in the ledger), a mail through a real SMTP server; a repeat changes nothing.
# The list is written by libxlsxwriter (niswap's newinst_xlsx_tool) and imported with
# `claimsca newinst import-designations`.
# Usage: newinst_walk_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
MAILDIR=$WORK/mail
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" niwalk
start_smtp_sink "$MAILDIR"
MAILSET=(--set "mail.smtp_url=smtp://127.0.0.1:$SMTP_PORT" --set mail.smtp_starttls=none
  --set mail.from_address=no-reply@claimsca.example)

# December: the operator issues the 仮コード (nicodes' CLI); each clinic gets an account on it.
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" --at 2026-12-01T09:00 >/dev/null || fail "init"
"$CLAIMSCA" admin import-register --data "$DATA" \
  --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" >/dev/null 2>&1 || fail "register"
issue() {
  "$CLAIMSCA" newinst issue --data "$DATA" --at 2026-12-01T10:00 --prefecture 13 --score-table 1 \
    --category 1 --name "新規クリニック $1" --postal 100-8916 --address "東京都千代田区霞が関１－２－２" \
    --opening-month 2027-04 --email "$1@example.jp" --by tanaka 2>/dev/null || fail "issue $1"
}
A_PROV=$(issue a)
B_PROV=$(issue b)
A_RECEPTION=1310123455 B_RECEPTION=1310123463  # the bureau's 受付番号 (valid, not yet registered)
A_REAL=$A_RECEPTION                             # the code designated = the 受付番号
for who in a:$A_PROV b:$B_PROV; do
  echo 'clinic-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" --id "${who%%:*}@example.jp" \
    --kind institution --code "${who#*:}" --name "新規クリニック ${who%%:*}" >/dev/null || fail "account $who"
done

# January: each clinic applies (approved at once) and downloads its certificate.
J=(-H "Content-Type: application/json")
start_server "$DATA" --at 2027-01-05T10:00 --set key_pool.threads=0 "${MAILSET[@]}"
login() {
  curl -sS "${J[@]}" --data-binary "{\"account_id\":\"$1@example.jp\",\"password\":\"clinic-password-1234\"}" \
    -o "$WORK/login.json" -w '%{http_code}' "$BASE/api/v1/login"
}
get_certificate() {  # WHO FACILITY: applies, downloads WHO.pem / WHO.key
  [ "$(login "$1")" = 200 ] || fail "login $1: $(cat "$WORK/login.json")"
  local token form rid pw
  token=$(jq -r .token "$WORK/login.json")
  form="{\"applicant_kind\":\"institution\",\"category\":\"1\",\"prefecture\":\"13\",\"score_table\":\"1\",
    \"facility_code\":\"$2\",\"institution_name\":\"新規クリニック $1\",\"contact_name\":\"院長\",
    \"phone\":\"011-123-4567\",\"email\":\"$1@example.jp\",\"terminal_name\":\"受付PC\"}"
  rid=$(curl -fsS "${J[@]}" -H "Authorization: Bearer $token" --data-binary "$form" \
    "$BASE/api/v1/applications" | jq -r .request_id) || fail "apply $1"
  "$CLAIMSCA" admin download-password --data "$DATA" --request-id "$rid" --by printer > "$WORK/pw.out" 2>/dev/null
  pw=$(sed -n 's/^password=//p' "$WORK/pw.out")
  [ ${#pw} = 16 ] || fail "no download password for $rid (not issued?)"
  curl -fsS -o "$WORK/$1.p12" "${J[@]}" --data-binary "{\"request_id\":\"$rid\",\"password\":\"$pw\"}" \
    "$BASE/api/v1/download" || fail "download $1"
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$pw" -nokeys -clcerts -out "$WORK/$1.pem" 2>/dev/null
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$pw" -nocerts -nodes -out "$WORK/$1.key" 2>/dev/null
  eval "RID_$1=$rid"
}
ou_of() { openssl x509 -in "$1" -noout -subject -nameopt multiline | sed -n 's/^ *organizationalUnitName *= *//p' | head -1; }
get_certificate a "${A_PROV:3}"
get_certificate b "${B_PROV:3}"
[ "$(ou_of "$WORK/a.pem")" = "$A_PROV" ] || fail "a's OU: $(ou_of "$WORK/a.pem")"
[ "$(ou_of "$WORK/b.pem")" = "$B_PROV" ] || fail "b's OU"
A_OLD=$(serial_of "$WORK/a.pem")
ok "January: certificates on the 仮コード ($A_PROV: $A_OLD, $B_PROV)"
stop_server
# The 受付番号 from the bureau, presented by the 15th of the month before opening.
for who in a:$A_PROV:$A_RECEPTION b:$B_PROV:$B_RECEPTION; do
  IFS=: read -r _ prov reception <<<"$who"
  "$CLAIMSCA" newinst present "$prov" "$reception" --data "$DATA" --at 2027-03-10T09:00 >/dev/null 2>&1 ||
    fail "present $reception"
done
ok "March 10: the 受付番号 presented ($A_RECEPTION, $B_RECEPTION)"

# April: designation. The bureau's 新規指定医療機関一覧表 (xlsx written by libxlsxwriter through
# niswap's newinst_xlsx_tool, the bureau's layout) imported with niswap's command: a's
# numbers are swapped for the real code (b is not on the list).
TOOL=${CLAIMSCA_BINARY_DIR:?}/src/newinst/newinst_xlsx_tool
{ printf '新規指定医療機関一覧表\n関東信越厚生局\n'
  printf '都道府県\t点数表\t医療機関コード\t医療機関名称\t受付番号\t仮コード\t指定年月日\n'
  printf '#13\t#1\t#%s\t新規クリニック a\t#%s\t\t@2027-04-01\n' "${A_REAL:3}" "$A_RECEPTION"
} | "$TOOL" "$WORK/list.xlsx" || fail "writing the list"
"$CLAIMSCA" newinst import-designations "$WORK/list.xlsx" --data "$DATA" --by tanaka --at 2027-04-01T10:00 \
  > "$WORK/import.out" 2>&1 || fail "import: $(cat "$WORK/import.out")"
grep -q "	swap	$A_REAL	$A_PROV	$A_RECEPTION	" "$WORK/import.out" || fail "import: $(cat "$WORK/import.out")"
[ "$(sql "SELECT institution_code FROM applications WHERE request_id = '$RID_a'")" = "$A_REAL" ] ||
  fail "the application is not on the real code"
ok "April: designated, $A_PROV / $A_RECEPTION → $A_REAL"

# The terminal re-issues with its old certificate, far from the renewal window.
start_server "$DATA" --at 2027-04-20T10:00 --set key_pool.threads=0 "${MAILSET[@]}"
new_csr n ec
r=$(curl -s -w '\n%{http_code}' --cacert "$DATA/ca/root.pem" --cert "$WORK/a.pem" --key "$WORK/a.key" \
  "${J[@]}" --data-binary "$(jq -Rs '{csr: .}' "$WORK/n.csr")" "https://127.0.0.1:$MTLS_PORT/terminal/renew")
[ "$(tail -n1 <<<"$r")" = 201 ] || fail "re-issue: $r"
sed '$d' <<<"$r" | jq -r .certificate > "$WORK/n.pem"
[ "$(sed '$d' <<<"$r" | jq -r .fee_yen)" = 0 ] || fail "re-issue fee: $r"
[ "$(ou_of "$WORK/n.pem")" = "$A_REAL" ] || fail "new OU: $(ou_of "$WORK/n.pem")"
[ "$(openssl x509 -in "$WORK/n.pem" -noout -enddate)" = "$(openssl x509 -in "$WORK/a.pem" -noout -enddate)" ] ||
  fail "the re-issued certificate has another end"
openssl verify -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" -attime "$(date -d 2027-04-20T10:05+09:00 +%s)" \
  "$WORK/n.pem" >/dev/null || fail "verify"
N_SERIAL=$(serial_of "$WORK/n.pem")
N_LOWER=$(tr 'A-F' 'a-f' <<<"$N_SERIAL")
[ "$(sql "SELECT count(*) FROM fee_charges WHERE serial = '$N_LOWER'")" = 0 ] || fail "a fee was charged"
[ "$(sql "SELECT sum(total_yen) FROM fee_charges WHERE request_id = '$RID_a'")" = 2292 ] ||
  fail "a's ledger: $(sql "SELECT kind, institution_code, total_yen FROM fee_charges WHERE request_id = '$RID_a'")"
AT=$(date -d 2027-04-20T10:10+09:00 +%s)
[ "$(ocsp_at "$WORK/a.pem" "$AT")" = good ] || fail "old certificate revoked before the confirmation"
ok "April: re-issued on $A_REAL (serial $N_SERIAL), the same end, no fee; the old one still good"
# The new certificate's first use confirms it: the old one is superseded at once.
curl -fsS --cacert "$DATA/ca/root.pem" --cert "$WORK/n.pem" --key "$WORK/n.key" \
  "https://127.0.0.1:$MTLS_PORT/terminal/renewal" >/dev/null || fail "first use"
openssl ocsp -issuer "$DATA/ca/issuing-1.pem" -cert "$WORK/a.pem" -url "$BASE/ocsp" -CAfile "$DATA/ca/root.pem" \
  -attime "$AT" -validity_period 400000000 > "$WORK/ocsp.out" 2>&1 || fail "ocsp: $(cat "$WORK/ocsp.out")"
grep -q ": revoked" "$WORK/ocsp.out" && grep -q "Reason: superseded" "$WORK/ocsp.out" ||
  fail "old certificate: $(cat "$WORK/ocsp.out")"
[ "$(ocsp_at "$WORK/n.pem" "$AT")" = good ] || fail "new certificate not good"
stop_server
"$CLAIMSCA" crl --data "$DATA" --at 2027-04-20T10:20 --out "$WORK/crl.der" >/dev/null 2>&1 || fail "crl"
openssl crl -inform DER -in "$WORK/crl.der" -noout -text > "$WORK/crl.txt"
grep -A4 -i "Serial Number: *$A_OLD" "$WORK/crl.txt" | grep -q "Superseded" || fail "CRL: $(cat "$WORK/crl.txt")"
out=$("$CLAIMSCA" newinst supersede --data "$DATA" --at 2027-05-01T10:00 2>&1) || fail "supersede: $out"
grep -q "superseded=0 waiting=0 not_reissued=0" <<<"$out" || fail "supersede: $out"
ok "confirmed by its first use: the old certificate superseded (OCSP, CRL); the job has nothing left"

# The other clinic is not designated: the operator withdraws it by its 受付番号.
out=$("$CLAIMSCA" newinst withdraw "$B_RECEPTION" --data "$DATA" --at 2027-04-21T10:00 --by walk 2>&1) ||
  fail "withdraw: $out"
grep -q "withdrawn $B_PROV (受付番号 $B_RECEPTION)" <<<"$out" && grep -q "credited_yen=2292" <<<"$out" &&
  grep -q "closed_accounts=b@example.jp" <<<"$out" || fail "withdraw: $out"
[ "$(sql "SELECT state FROM newinst_institutions WHERE provisional_code = '$B_PROV'")" = withdrawn ] ||
  fail "row not withdrawn"
[ "$(sql "SELECT sum(total_yen) FROM fee_charges WHERE institution_code = '$B_PROV'")" = 0 ] ||
  fail "ledger of $B_PROV: $(sql "SELECT kind, total_yen FROM fee_charges WHERE institution_code = '$B_PROV'")"
[ "$(sql "SELECT count(*) FROM fee_charges WHERE institution_code = '$B_PROV' AND cancels_entry_id IS NOT NULL")" = 1 ] ||
  fail "credit note"
out=$("$CLAIMSCA" newinst withdraw "$B_PROV" --data "$DATA" --at 2027-04-21T11:00 2>&1) || fail "repeat: $out"
grep -q "already withdrawn" <<<"$out" || fail "repeat: $out"
start_server "$DATA" --at 2027-04-21T12:00 --set key_pool.threads=0 "${MAILSET[@]}"
openssl ocsp -issuer "$DATA/ca/issuing-1.pem" -cert "$WORK/b.pem" -url "$BASE/ocsp" -CAfile "$DATA/ca/root.pem" \
  -attime "$(date -d 2027-04-21T12:05+09:00 +%s)" -validity_period 400000000 > "$WORK/ocsp.out" 2>&1 ||
  fail "ocsp: $(cat "$WORK/ocsp.out")"
grep -q ": revoked" "$WORK/ocsp.out" && grep -q "Reason: cessationOfOperation" "$WORK/ocsp.out" ||
  fail "b's certificate: $(cat "$WORK/ocsp.out")"
code=$(login b)
[ "$code" != 200 ] || fail "the closed account still logs in"
stop_server
"$CLAIMSCA" jobs run --data "$DATA" "${MAILSET[@]}" --at 2027-04-21T12:30 --job mail > "$WORK/jobs.out" 2>&1 ||
  fail "mail job: $(cat "$WORK/jobs.out")"
found=""
for f in "$MAILDIR"/*.json; do
  [ "$(jq -r .subject "$f")" = "【電子証明書】指定なしによる取り下げ完了のお知らせ" ] && found=$f
done
[ -n "$found" ] && grep -q "b@example.jp" "$found" || fail "no withdrawal mail: $(ls "$MAILDIR")"
ok "not designated: withdrawn once (certificate revoked, account closed, 2,292 yen credited, mail sent)"
finish
