#!/usr/bin/env bash
# No oracle for request IDs, no key for an empty CSR (issue 23, item 11; docs/applications.md
# "Download", docs/openapi.yaml): through the HTTP API of a real server,
# - POST /api/v1/download answers an unknown request ID, a pending one, a wrong password and
#   a locked download (even with the right password) with the same status and body;
# - the right password downloads (and proves the ID: then a revocation is told);
# - POST /api/v1/certificates with "csr": "" or blank is refused (400, field csr) and
#   issues nothing; only an absent csr means a server-made key.
source "$(dirname "$0")/lib.sh"
DATA=$WORK/data
MODE=sqlite
ARGS=(--key-algorithm ecp256)
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" > "$WORK/init.out"
OPERATOR=$(sed -n 's/^Operator API token.*: //p' "$WORK/init.out")
[ -n "$OPERATOR" ] || fail "init printed no operator token"
clinic_terminal_start
apply_terminal; RID1=$RID; PW1=$PASSWORD

ok "an issued application with its download password"

# download NAME ID PASSWORD: the answer's status and body in $WORK/NAME.{code,body}.
download() {
  curl -s -o "$WORK/$1.body" -w '%{http_code}' "${J[@]}" \
    --data-binary "{\"request_id\":\"$2\",\"password\":\"$3\"}" "$BASE/api/v1/download" > "$WORK/$1.code"
}
same_as_unknown() {
  cmp -s "$WORK/unknown.code" "$WORK/$1.code" && cmp -s "$WORK/unknown.body" "$WORK/$1.body" ||
    fail "$1 answers differently from an unknown request ID: $(cat "$WORK/$1.code") $(cat "$WORK/$1.body")" \
      "vs $(cat "$WORK/unknown.code") $(cat "$WORK/unknown.body")"
}
download unknown 29999999999999 "$PW1"
[ "$(cat "$WORK/unknown.code")" = 401 ] && jq -e '.error.code == "unauthorized"' "$WORK/unknown.body" >/dev/null ||
  fail "unknown request ID: $(cat "$WORK/unknown.code") $(cat "$WORK/unknown.body")"
download malformed "not-a-request-id" "$PW1"; same_as_unknown malformed
download wrong "$RID1" "wrong-password-1"; same_as_unknown wrong
ok "an unknown request ID and a wrong password get the same status and body"

# A pending application (no password yet): an insurer not in the register is held.
INSURER_FORM='{"applicant_kind":"insurer","insurer_number":"33120015","insurer_name":"千葉県警察共済組合",
  "contact_name":"総務課","phone":"043-123-4567","email":"soumu@example.jp","terminal_name":"請求端末"}'
PENDING=$(curl -fsS "${J[@]}" -H "Authorization: Bearer $OPERATOR" --data-binary "$INSURER_FORM" \
  "$BASE/api/v1/applications" | jq -r 'select(.state == "pending") | .request_id')
[ -n "$PENDING" ] || fail "no pending application"
download pending "$PENDING" "$PW1"; same_as_unknown pending
ok "a request ID not yet issued answers as an unknown one"

for i in 2 3 4 5; do download "wrong$i" "$RID1" "wrong-password-$i"; same_as_unknown "wrong$i"; done
download locked "$RID1" "$PW1"; same_as_unknown locked
[ -n "$(sql "SELECT download_locked_until FROM applications WHERE request_id = '$RID1'")" ] ||
  fail "five wrong passwords did not lock $RID1"
ok "five wrong passwords lock: the right one then gets the same answer as an unknown ID"

# The right password of an unlocked one downloads; after a revocation the holder is told.
sql "UPDATE applications SET download_locked_until = NULL, download_failures = 0 WHERE request_id = '$RID1'"
download right "$RID1" "$PW1"
[ "$(cat "$WORK/right.code")" = 200 ] || fail "download with the right password: $(cat "$WORK/right.code")"
openssl pkcs12 -in "$WORK/right.body" -passin "pass:$PW1" -nokeys -clcerts >/dev/null 2>&1 || fail "not a PKCS#12"
r=$(curl -s -w '\n%{http_code}' -X POST "${J[@]}" -H "Authorization: Bearer $TOKEN" \
  --data-binary '{"reason":"keyCompromise"}' "$BASE/api/v1/applications/$RID1/revoke")
[ "$(tail -n1 <<<"$r")" = 200 ] || fail "revoke: $r"
download revoked_wrong "$RID1" "wrong-password-9"; same_as_unknown revoked_wrong
download revoked "$RID1" "$PW1"
[ "$(cat "$WORK/revoked.code")" = 409 ] || fail "revoked, right password: $(cat "$WORK/revoked.code")"
ok "the right password downloads; only the right password learns of the revocation"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'download.failure' AND subject = '29999999999999'")" = 1 ] ||
  fail "the probe of an unknown request ID is not audited"
ok "a probe of an unknown request ID is audited"

# POST /api/v1/certificates: an empty or blank csr is refused, nothing issued.
certs() { sql "SELECT count(*) FROM certificates"; }
before=$(certs)
for csr in '""' '"   "' '" \n\t "'; do
  code=$(curl -s -o "$WORK/e.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $OPERATOR" "${J[@]}" \
    --data-binary "{\"code\":\"1310000001\",\"terminal_name\":\"API端末\",\"csr\":$csr}" "$BASE/api/v1/certificates")
  [ "$code" = 400 ] && jq -e '.error.code == "invalid_argument" and (.error.message | startswith("csr:"))' \
    "$WORK/e.json" >/dev/null || fail "csr $csr: $code $(cat "$WORK/e.json")"
done
[ "$(certs)" = "$before" ] || fail "an empty CSR issued a certificate"
code=$(curl -s -o "$WORK/k.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $OPERATOR" "${J[@]}" \
  --data-binary '{"code":"1310000001","terminal_name":"API端末"}' "$BASE/api/v1/certificates")
[ "$code" = 201 ] && jq -e '.pkcs12_base64 and .password' "$WORK/k.json" >/dev/null ||
  fail "absent csr: $code $(cat "$WORK/k.json")"
ok "an empty or blank csr is refused (400, csr: …) and issues nothing; an absent csr makes a key"
finish
