#!/usr/bin/env bash
# The registration authority end to end through the HTTP API (docs/applications.md):
# accounts → count/fee preview → application → automatic or manual approval → download of
# the PKCS#12 with the notice's password → `openssl pkcs12` opens it and `openssl verify`
# trusts it → revocation → `openssl ocsp` says revoked. Plus hostile input: nothing stored,
# nothing leaked, the server keeps serving.
# Usage: ra_api_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" ra
TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" | sed -n 's/^Operator API token.*: //p')
[ -n "$TOKEN" ] || fail "init printed no operator token"
"$CLAIMSCA" admin import-register --data "$DATA" --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" >/dev/null 2>&1
ok "demo CA initialised, the real register imported"

# Accounts: a clinic (0110112489, in the register), an insurer (33120015, not in it), a
# reviewer. Passwords go in on standard input, never on the command line.
echo 'clinic-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" --id clinic@example.jp \
  --kind institution --code 0110112489 --name "医療法人 愛全病院" >/dev/null
echo 'insurer-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" --id kyosai@example.jp \
  --kind institution --code 33120015 >/dev/null
echo 'reviewer-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" --id yamada \
  --kind operator --role reviewer >/dev/null
expect_fail "a second account with the same id" bash -c \
  "echo 'another-password-1234' | '$CLAIMSCA' admin create-account --data '$DATA' --id yamada --kind operator --role reviewer"
ok "accounts created (institution, insurer, reviewer)"

start_server "$DATA" --set network.allowed_ranges=127.0.0.1/32
J=(-H "Content-Type: application/json")
# api METHOD PATH TOKEN [BODY]: prints the body, then the HTTP status on the last line.
api() {
  local auth=()
  [ -n "$3" ] && auth=(-H "Authorization: Bearer $3")
  curl -s -w '\n%{http_code}' -X "$1" "${J[@]}" "${auth[@]}" ${4:+--data-binary "$4"} "$BASE$2"
}
status_of() { tail -n1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }
field() { body_of "$1" | jq -r "$2"; }

login() {
  local r
  r=$(api POST /api/v1/login "" "{\"account_id\":\"$1\",\"password\":\"$2\"}")
  [ "$(status_of "$r")" = 200 ] || fail "login $1: $r"
  field "$r" .token
}
CLINIC=$(login clinic@example.jp clinic-password-1234)
INSURER=$(login kyosai@example.jp insurer-password-1234)
REVIEWER=$(login yamada reviewer-password-1234)
r=$(api POST /api/v1/login "" '{"account_id":"clinic@example.jp","password":"wrong-password-000"}')
[ "$(status_of "$r")" = 401 ] || fail "wrong login password: $r"
r=$(api POST /api/v1/login "" '{"account_id":"nobody@example.jp","password":"wrong-password-000"}')
[ "$(status_of "$r")" = 401 ] || fail "unknown account: $r"
ok "log in with the right password; wrong password and unknown account both 401"

CLINIC_FORM='{"applicant_kind":"institution","category":"1","prefecture":"01","score_table":"1",
  "facility_code":"0112489","institution_name":"医療法人 愛全病院","contact_name":"医事課　山田",
  "phone":"011-123-4567","email":"iji@example.jp","terminal_name":"受付PC1"}'
r=$(api POST /api/v1/applications/preview "$CLINIC" "$CLINIC_FORM")
[ "$(status_of "$r")" = 200 ] || fail "preview: $r"
[ "$(field "$r" .earlier_applications)" = 0 ] && [ "$(field "$r" .fee.total_yen)" = 2292 ] ||
  fail "preview figures: $r"
ok "preview: no earlier application, fee 1,500 + 792 yen"

r=$(curl -s -w '\n%{http_code}' -X POST "${J[@]}" -H "Authorization: Bearer $CLINIC" \
  -H "Idempotency-Key: form-1" --data-binary "$CLINIC_FORM" "$BASE/api/v1/applications")
[ "$(status_of "$r")" = 201 ] || fail "submit: $r"
RID=$(field "$r" .request_id)
[ "$(field "$r" .state)" = issued ] && [ "$(field "$r" .state_ja)" = 発行済み ] ||
  fail "a clean application in the register is approved at once: $r"
[ "${#RID}" = 14 ] || fail "request ID: $RID"
r2=$(curl -s -w '\n%{http_code}' -X POST "${J[@]}" -H "Authorization: Bearer $CLINIC" \
  -H "Idempotency-Key: form-1" --data-binary "$CLINIC_FORM" "$BASE/api/v1/applications")
[ "$(status_of "$r2")" = 200 ] && [ "$(field "$r2" .request_id)" = "$RID" ] &&
  [ "$(field "$r2" .created)" = false ] || fail "resubmission: $r2"
[ "$(sql "SELECT count(*) FROM applications")" = 1 ] || fail "the retried request stored a second application"
ok "submitted ($RID), auto-approved; the same Idempotency-Key returns it, nothing new stored"
r=$(api GET "/api/v1/applications/$RID" "$CLINIC")
[ "$(field "$r" .issued_on)" = "$(date +%Y-%m-%d)" ] || true
DEADLINE=$(field "$r" .download_deadline_on)
NOT_AFTER=$(field "$r" .not_after_on)
[ -n "$DEADLINE" ] && [ -n "$NOT_AFTER" ] && [ "$(field "$r" .common_name | wc -c)" -eq 13 ] ||
  fail "detail: $r"
ok "detail: Common Name, 証明書有効期限 $NOT_AFTER, ダウンロード有効期限 $DEADLINE"

# The insurer's code is not in the register: held for a person, approved by the reviewer.
INSURER_FORM='{"applicant_kind":"insurer","insurer_number":"33120015","insurer_name":"千葉県警察共済組合",
  "contact_name":"総務課","phone":"043-123-4567","email":"soumu@example.jp","terminal_name":"請求端末"}'
r=$(api POST /api/v1/applications "$INSURER" "$INSURER_FORM")
[ "$(status_of "$r")" = 201 ] && [ "$(field "$r" .state)" = pending ] &&
  [ "$(field "$r" .hold_reason)" = not_in_register ] || fail "insurer application: $r"
RID2=$(field "$r" .request_id)
r=$(api POST "/api/v1/applications/$RID2/approve" "$INSURER")
[ "$(status_of "$r")" = 403 ] || fail "an institution approved its own application: $r"
r=$(api GET "/api/v1/applications?held=true" "$REVIEWER")
[ "$(field "$r" '.items | length')" = 1 ] && [ "$(field "$r" '.items[0].request_id')" = "$RID2" ] ||
  fail "review queue: $r"
r=$(api POST "/api/v1/applications/$RID2/approve" "$REVIEWER")
[ "$(status_of "$r")" = 200 ] && [ "$(field "$r" .state)" = issued ] || fail "approval: $r"
r=$(api POST "/api/v1/applications/$RID2/approve" "$REVIEWER")
[ "$(status_of "$r")" = 409 ] || fail "a second approval: $r"
ok "not in the register → held; the reviewer approves; approving again is a conflict"

# Download: the password is handed over once (to the notice; an operator command for now).
"$CLAIMSCA" admin download-password --data "$DATA" --request-id "$RID" --by printer > "$WORK/pw.out" 2>/dev/null
PASSWORD=$(sed -n 's/^password=//p' "$WORK/pw.out")
[ ${#PASSWORD} = 16 ] || fail "download password: $(cat "$WORK/pw.out")"
expect_fail "the password is shown only once" "$CLAIMSCA" admin download-password --data "$DATA" --request-id "$RID"
[ "$(sql "SELECT count(*) FROM applications WHERE download_password_hash LIKE '%$PASSWORD%'")" = 0 ] ||
  fail "the password is stored in clear"
code=$(curl -s -o "$WORK/wrong.json" -w '%{http_code}' "${J[@]}" \
  --data-binary "{\"request_id\":\"$RID\",\"password\":\"wrong-one\"}" "$BASE/api/v1/download")
[ "$code" = 401 ] && jq -e '.error.code == "unauthorized"' "$WORK/wrong.json" >/dev/null ||
  fail "wrong password: $code $(cat "$WORK/wrong.json")"
code=$(curl -s -o "$WORK/t.p12" -w '%{http_code}' -D "$WORK/headers" "${J[@]}" \
  --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/download")
[ "$code" = 200 ] || fail "download: $code"
grep -qi 'content-type: application/x-pkcs12' "$WORK/headers" || fail "content type"
openssl pkcs12 -in "$WORK/t.p12" -passin "pass:$PASSWORD" -nokeys -clcerts -out "$WORK/t.pem" 2>/dev/null ||
  fail "openssl pkcs12 cannot open the download"
openssl verify -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" -purpose sslclient \
  "$WORK/t.pem" >/dev/null || fail "openssl verify does not trust the certificate"
openssl x509 -in "$WORK/t.pem" -noout -subject | grep -q "0110112489" || fail "subject code"
[ "$(ocsp_status "$WORK/t.pem" "$DATA")" = good ] || fail "OCSP good"
ok "download with the password: openssl pkcs12 opens it, openssl verify trusts it, OCSP good"

# Revocation by the applicant: effective at once in OCSP.
r=$(api POST "/api/v1/applications/$RID/revoke" "$CLINIC" '{"reason":"keyCompromise"}')
[ "$(status_of "$r")" = 200 ] && [ "$(field "$r" .state)" = revoked ] || fail "revoke: $r"
[ "$(ocsp_status "$WORK/t.pem" "$DATA")" = revoked ] || fail "OCSP revoked"
code=$(curl -s -o /dev/null -w '%{http_code}' "${J[@]}" \
  --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/download")
[ "$code" = 409 ] || fail "download after revocation: $code"
ok "the applicant revokes; openssl ocsp says revoked at once; no more download"

# Edits only while issued, with before/after.
r=$(api PATCH "/api/v1/applications/$RID2" "$INSURER" '{"phone":"043-999-0000","terminal_name":"請求端末2"}')
[ "$(status_of "$r")" = 200 ] && [ "$(field "$r" .phone)" = 043-999-0000 ] || fail "edit: $r"
r=$(api GET "/api/v1/applications/$RID2/edits" "$INSURER")
[ "$(field "$r" '.items | length')" = 2 ] && [ "$(field "$r" '[.items[] | select(.field=="phone")][0].before')" = 043-123-4567 ] ||
  fail "edit history: $r"
r=$(api PATCH "/api/v1/applications/$RID2" "$INSURER" '{"email":"not-an-address"}')
[ "$(status_of "$r")" = 422 ] && [ "$(field "$r" '.error.fields[0].field')" = email ] || fail "bad edit: $r"
r=$(api PATCH "/api/v1/applications/$RID" "$CLINIC" '{"phone":"011-000-0000"}')
[ "$(status_of "$r")" = 409 ] || fail "edit of a revoked application: $r"
ok "edit keeps 変更前/変更後; bad values refused; only while 発行済み"

# Hostile input.
HOSTILE='テスト中です#%& * > ? @'
form=$(jq -c --arg t "$HOSTILE" --arg c "'; DROP TABLE applications; --" \
  '.terminal_name = $t | .contact_name = $c' <<<"$CLINIC_FORM")
r=$(api POST /api/v1/applications "$CLINIC" "$form")
[ "$(status_of "$r")" = 201 ] || fail "hostile text: $r"
RID3=$(field "$r" .request_id)
r=$(api GET "/api/v1/applications/$RID3" "$CLINIC")
[ "$(field "$r" .terminal_name)" = "$HOSTILE" ] && [ "$(field "$r" .contact_name)" = "'; DROP TABLE applications; --" ] ||
  fail "hostile text round trip: $r"
before=$(sql "SELECT count(*) FROM applications")
form=$(jq -c '.terminal_name = "PC\u0007\n1" | .facility_code = "0112488"' <<<"$CLINIC_FORM")
r=$(api POST /api/v1/applications "$CLINIC" "$form")
[ "$(status_of "$r")" = 422 ] && [ "$(field "$r" '[.error.fields[].field] | sort | join(",")')" = "facility_code,prefecture,terminal_name" ] ||
  fail "control characters and a bad check digit: $r"
field "$r" '.error.fields[].message_ja' | grep -q 'ください' || fail "Japanese message: $r"
r=$(api POST /api/v1/applications "$CLINIC" '{"applicant_kind": "institution", "category": ')
[ "$(status_of "$r")" = 400 ] && [ "$(field "$r" .error.code)" = invalid_argument ] || fail "broken JSON: $r"
r=$(api POST /api/v1/applications "$CLINIC" '{"applicant_kind": 7}')
[ "$(status_of "$r")" = 400 ] || fail "a number where a string belongs: $r"
head -c 10485760 /dev/zero | tr '\0' 'a' > "$WORK/big.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "${J[@]}" -H "Authorization: Bearer $CLINIC" \
  --data-binary "@$WORK/big.json" "$BASE/api/v1/applications" || true)
[ "$code" = 413 ] || [ "$code" = 000 ] || fail "10 MB body: $code"
[ "$(sql "SELECT count(*) FROM applications")" = "$before" ] || fail "a refused request stored something"
r=$(api GET "/api/v1/applications/$RID2" "$CLINIC")
[ "$(status_of "$r")" = 404 ] || fail "another institution's application is visible: $r"
r=$(api POST "/api/v1/applications/$RID2/revoke" "$CLINIC" '{}')
[ "$(status_of "$r")" = 404 ] || fail "another institution's application was revocable: $r"
r=$(api GET "/api/v1/applications?institution_code=33120015" "$CLINIC")
[ "$(field "$r" '.items | length')" = 0 ] || fail "list leaked another institution: $r"
r=$(api GET "/api/v1/applications/1%27%20OR%20%271%27%3D%271" "$CLINIC")
[ "$(status_of "$r")" = 404 ] || fail "SQL in the path: $r"
r=$(api GET /api/v1/applications "")
[ "$(status_of "$r")" = 401 ] || fail "no token: $r"
r=$(api GET /api/v1/applications "not-a-token")
[ "$(status_of "$r")" = 401 ] || fail "bad token: $r"
curl -sf "$BASE/healthz" >/dev/null || fail "the server stopped serving"
ok "hostile input: exact round trip, field errors in Japanese, 400/413/401/404, nothing stored, still serving"

# Pagination over the clinic's applications.
for i in 1 2 3; do api POST /api/v1/applications "$CLINIC" "$(jq -c ".terminal_name = \"PC$i\"" <<<"$CLINIC_FORM")" >/dev/null; done
r=$(api GET "/api/v1/applications?limit=2" "$CLINIC")
cursor=$(field "$r" .next_cursor)
[ "$(field "$r" '.items | length')" = 2 ] && [ "$cursor" != null ] || fail "page 1: $r"
r=$(api GET "/api/v1/applications?limit=2&cursor=$cursor" "$CLINIC")
[ "$(field "$r" '.items | length')" = 2 ] || fail "page 2: $r"
r=$(api GET "/api/v1/applications?limit=0" "$CLINIC")
[ "$(status_of "$r")" = 400 ] || fail "limit 0: $r"
ok "pagination with a cursor; a bad limit is refused"

# The network-terminal channel: open from the configured range, without an account.
r=$(api POST /network/v1/applications "" "$(jq -c '.terminal_name = "ネットワーク端末"' <<<"$CLINIC_FORM")")
[ "$(status_of "$r")" = 201 ] && [ "$(field "$r" '.contact_name')" = null ] || fail "network channel: $r"
ok "network-terminal channel applies without an account and shows no status"

# Bulk revocation of an institution by an operator (the init token acts as administrator).
r=$(api POST /api/v1/revocations "$REVIEWER" '{"institution_code":"0110112489","reason":"privilegeWithdrawn"}')
[ "$(status_of "$r")" = 403 ] || fail "a reviewer revoked in bulk: $r"
r=$(api POST /api/v1/revocations "$TOKEN" '{"institution_code":"0110112489","reason":"privilegeWithdrawn"}')
[ "$(status_of "$r")" = 200 ] && [ "$(field "$r" .revoked)" -ge 4 ] || fail "bulk revocation: $r"
[ "$(sql "SELECT count(*) FROM certificates WHERE institution_code='0110112489' AND state='issued' AND revoked_at IS NULL")" = 0 ] ||
  fail "an active certificate survived the bulk revocation"
ok "bulk revocation of an institution ($(field "$r" .revoked) certificates)"

# An operator revoking by serial (`claimsca revoke`) revokes the application too.
SERIAL2=$(sql "SELECT serial FROM applications WHERE request_id = '$RID2'")
"$CLAIMSCA" revoke --data "$DATA" --serial "$SERIAL2" --reason cessationOfOperation >/dev/null 2>&1 ||
  fail "claimsca revoke by serial"
r=$(api GET "/api/v1/applications/$RID2" "$INSURER")
[ "$(field "$r" .state)" = revoked ] && [ "$(field "$r" .revocation_reason)" = 5 ] || fail "revoke by serial: $r"
ok "claimsca revoke by serial revokes the application too"

stop_server
grep '"kind":"audit"' "$WORK/server.log" | grep -q '"action":"application.approve"' ||
  fail "no JSON log line for the approval's audit event"
if grep -q "$PASSWORD" "$WORK/server.log"; then fail "the download password is in the log"; fi
ok "each audit event is also one JSON log line; no password in the log"
"$CLAIMSCA" audit verify --data "$DATA" > "$WORK/verify.out" || fail "audit: $(cat "$WORK/verify.out")"
grep -q intact "$WORK/verify.out" || fail "audit: $(cat "$WORK/verify.out")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action LIKE 'application.%'")" -ge 10 ] || fail "audit rows"
ok "every step is in the audit trail, and the chain verifies"
finish
