#!/usr/bin/env bash
# End-to-end PKI test with outside clients: openssl, NSS pk12util, curl.
# Usage: pki_test.sh [sqlite|postgres|pkcs11]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
INIT_ARGS=(--demo)
case "$MODE" in
  sqlite) ;;
  postgres)
    : "${CLAIMSCA_TEST_PG_URL:?PostgreSQL URL (the pg fixture sets it)}"
    db="it_$(date +%s)_$$"
    psql "$CLAIMSCA_TEST_PG_URL" -qc "CREATE DATABASE $db" >/dev/null
    PG_URL="${CLAIMSCA_TEST_PG_URL%/*}/$db"
    INIT_ARGS+=(--database "$PG_URL")
    ;;
  pkcs11)
    use_softhsm "$DATA"
    ;;
  *) fail "unknown mode $MODE" ;;
esac

"$CLAIMSCA" init --data "$DATA" "${INIT_ARGS[@]}" > "$WORK/init.out"
grep -q "Operator API token" "$WORK/init.out" || fail "init printed no token"
TOKEN=$(sed -n 's/.*shown once.*: //p' "$WORK/init.out")
ok "init ($MODE)"
expect_fail "init refuses to overwrite" "$CLAIMSCA" init --data "$DATA" "${INIT_ARGS[@]}"
if [ "$MODE" = pkcs11 ]; then
  [ ! -e "$DATA/keys/issuing-1.key.pem" ] || fail "pkcs11 mode wrote a key file"
  ls "$DATA/keys" | grep -q . && fail "pkcs11 mode left key files: $(ls "$DATA/keys")"
  ok "CA keys generated inside the token (no key files)"
fi

R=$DATA/ca
openssl verify -CAfile "$R/root.pem" "$R/issuing-1.pem" >/dev/null || fail "issuing CA chain"
openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-1.pem" -purpose any "$R/ocsp.pem" \
  >/dev/null || fail "OCSP responder chain"
openssl x509 -in "$R/ocsp.pem" -noout -text | grep -q "OCSP Signing" || fail "OCSP EKU"
openssl x509 -in "$R/ocsp.pem" -noout -text | grep -q "OCSP No Check" || fail "ocsp-nocheck"
ok "hierarchy verifies (root → issuing → OCSP responder)"

# --- sign from CSRs (RSA and EC) and check the profile with openssl ---
new_csr t1 rsa
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t1.csr" --code 1310000001 --terminal "受付PC1 テスト中です#%& * > ? @" \
  > "$WORK/t1.pem" 2>"$WORK/sign.err"
openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-1.pem" -purpose sslclient "$WORK/t1.pem" \
  >/dev/null || fail "openssl verify of issued certificate"
ok "sign: openssl verify accepts the chain (purpose sslclient)"
grep -q '"kind":"signing_intent"' "$WORK/sign.err" && grep -q '"kind":"certificate_issued"' "$WORK/sign.err" ||
  fail "audit lines before and after signing: $(cat "$WORK/sign.err")"
ok "audit log: signing_intent before, certificate_issued after the signature"
TEXT=$(openssl x509 -in "$WORK/t1.pem" -noout -text)
for want in "Digital Signature, Key Encipherment" "TLS Web Client Authentication" \
  "CA:FALSE" "OU = 1310000001" "URI:http://127.0.0.1:8080/crl/issuing-1/" "OCSP - URI:http://127.0.0.1:8080/ocsp" \
  "CA Issuers - URI:http://127.0.0.1:8080/ca/issuing-1.der" "Subject Key Identifier" \
  "Authority Key Identifier" "sha256WithRSAEncryption" "Public-Key: (2048 bit)"; do
  echo "$TEXT" | grep -qF "$want" || fail "profile: missing '$want'"
done
echo "$TEXT" | grep -qE "CN = [0-9]{12}$" || fail "numeric CN"
ok "openssl x509 -text shows the profile"
SERIAL1=$(serial_of "$WORK/t1.pem")
[ ${#SERIAL1} -ge 32 ] || fail "serial too short: $SERIAL1"
ok "serial has 128 bits ($SERIAL1)"

new_csr t2 ec
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t2.csr" --code 33120015 --terminal PC2 > "$WORK/t2.pem" 2>/dev/null
openssl x509 -in "$WORK/t2.pem" -noout -text | grep -q "Digital Signature$" || true
openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-1.pem" "$WORK/t2.pem" >/dev/null
ok "sign: P-256 CSR with an 8-digit insurer number"

# validity from the program: --at moves time (the 10th of next month, 10:00 JST → 3 years
# 3 months later, to the end of that day: 23:59:59 JST = 14:59:59 UTC): after the CA was
# made, whatever today's date is.
AT_DAY=$(date -d "$(date +%Y-%m-01) + 1 month" +%Y-%m-10)
END=$(LC_ALL=C date -u -d "$(date -d "$AT_DAY + 3 years 3 months" +%F)T14:59:59Z" '+%b %e %H:%M:%S %Y GMT')
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t2.csr" --code 1310000001 --terminal PC3 \
  --at "${AT_DAY}T10:00:00" > "$WORK/t3.pem" 2>/dev/null
openssl x509 -in "$WORK/t3.pem" -noout -enddate | grep -q "$END" ||
  fail "validity 3y3m from $AT_DAY, want $END: $(openssl x509 -in "$WORK/t3.pem" -noout -enddate)"
ok "validity is 3 years 3 months in JST, to 23:59:59 JST of the end date (--at)"

# --- bad input: nothing stored, clear errors ---
rows() { [ "$MODE" = postgres ] && psql -tA "$PG_URL" -c "select count(*) from certificates" ||
  sqlite3 "$DATA/claimsca.db" "select count(*) from certificates"; }
ROWS_BEFORE=$(rows)
echo "not a csr" > "$WORK/bad.csr"
expect_fail "malformed CSR" "$CLAIMSCA" sign --data "$DATA" --csr "$WORK/bad.csr" --code 1310000001 --terminal X
grep -q "bad_csr" "$WORK/expect_fail.out" || fail "malformed CSR error names the rule"
openssl req -in "$WORK/t1.csr" -outform DER -out "$WORK/t1.der"
python3 - "$WORK/t1.der" "$WORK/badsig.der" <<'PY'
import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[-3] ^= 1; open(sys.argv[2], 'wb').write(d)
PY
expect_fail "CSR with a bad signature" "$CLAIMSCA" sign --data "$DATA" --csr "$WORK/badsig.der" --code 1310000001 --terminal X
grep -qi "signature" "$WORK/expect_fail.out" || fail "bad signature error says so"
expect_fail "bad code" "$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t1.csr" --code 12AB --terminal X
expect_fail "empty terminal" "$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t1.csr" --code 1310000001 --terminal ""
[ "$(rows)" = "$ROWS_BEFORE" ] || fail "a refused request left rows behind ($ROWS_BEFORE → $(rows))"
ok "refused requests stored nothing"

# --- server-made key as PKCS#12 ---
"$CLAIMSCA" issue --data "$DATA" --code 1310000001 --terminal "受付PC4" --out "$WORK/t4.p12" > "$WORK/t4.out"
P12PASS=$(sed -n 's/^password=//p' "$WORK/t4.out")
openssl pkcs12 -in "$WORK/t4.p12" -info -noout -passin "pass:$P12PASS" 2>"$WORK/p12info" ||
  fail "openssl pkcs12 -info rejected the right password"
grep -q "AES-256-CBC" "$WORK/p12info" || fail "modern PKCS#12 is AES-256"
expect_fail "openssl pkcs12 wrong password" openssl pkcs12 -in "$WORK/t4.p12" -info -noout -passin pass:wrong
# (OpenSSL 3.0's CLI prints a BMPString friendlyName byte-truncated; NSS below shows it whole.)
openssl pkcs12 -in "$WORK/t4.p12" -nodes -passin "pass:$P12PASS" 2>/dev/null | LC_ALL=C grep -aq "friendlyName: .*PC4" ||
  fail "friendly name"
pk12util -l "$WORK/t4.p12" -W "$P12PASS" | grep -q "Friendly Name: 受付PC4" || fail "friendly name (NSS)"
ok "PKCS#12: openssl reads it with the password, friendly name = terminal name"
mkdir -p "$WORK/nss"; certutil -N -d "sql:$WORK/nss" --empty-password
pk12util -i "$WORK/t4.p12" -d "sql:$WORK/nss" -W "$P12PASS" >/dev/null || fail "pk12util import"
certutil -L -d "sql:$WORK/nss" | grep -q "受付PC4" || fail "NSS shows the certificate"
ok "NSS pk12util imports the PKCS#12"
mkdir -p "$WORK/nss2"; certutil -N -d "sql:$WORK/nss2" --empty-password
expect_fail "pk12util wrong password" pk12util -i "$WORK/t4.p12" -d "sql:$WORK/nss2" -W wrong
"$CLAIMSCA" issue --data "$DATA" --code 1310000001 --terminal "旧PC" --legacy --out "$WORK/t5.p12" > "$WORK/t5.out"
P5=$(sed -n 's/^password=//p' "$WORK/t5.out")
openssl pkcs12 -in "$WORK/t5.p12" -info -noout -passin "pass:$P5" -legacy 2>"$WORK/p5info" || fail "legacy p12"
grep -q "3DES\|des-ede3\|TripleDES" "$WORK/p5info" || fail "legacy PKCS#12 is 3DES: $(cat "$WORK/p5info")"
pk12util -i "$WORK/t5.p12" -d "sql:$WORK/nss" -W "$P5" >/dev/null || fail "pk12util legacy import"
ok "legacy 3DES/SHA-1 PKCS#12 imports in openssl and NSS"
openssl pkcs12 -in "$WORK/t4.p12" -nodes -passin "pass:$P12PASS" -clcerts -nokeys 2>/dev/null > "$WORK/t4.pem"
openssl pkcs12 -in "$WORK/t4.p12" -nodes -passin "pass:$P12PASS" -nocerts 2>/dev/null > "$WORK/t4.key"

# --- the server: CA certificates, OCSP, CRL, mTLS, API ---
start_server "$DATA" --set server.tls_listen=127.0.0.1:0
curl -fsS "$BASE/healthz" | grep -q ok || fail "healthz"
curl -fsS --cacert "$R/root.pem" "https://127.0.0.1:$HTTPS_PORT/healthz" | grep -q ok || fail "HTTPS listener"
ok "plain HTTP and TLS listeners answer"
curl -fsS "$BASE/ca/root.pem" | cmp - "$R/root.pem" || fail "/ca/root.pem"
SHA256=$(openssl x509 -in "$R/root.pem" -noout -fingerprint -sha256 | cut -d= -f2)
curl -fsS "$BASE/ca/thumbprints" | grep -q "$SHA256" || fail "thumbprint published"
ok "CA certificates and thumbprints served"

[ "$(ocsp_status "$WORK/t1.pem" "$DATA")" = good ] || fail "OCSP good"
ok "openssl ocsp: good"
# GET form (RFC 6960 A.1)
openssl ocsp -issuer "$R/issuing-1.pem" -cert "$WORK/t1.pem" -reqout "$WORK/req.der" -no_nonce >/dev/null 2>&1
B64=$(base64 -w0 < "$WORK/req.der" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
curl -fsS "$BASE/ocsp/$B64" -o "$WORK/resp.der"
openssl ocsp -respin "$WORK/resp.der" -reqin "$WORK/req.der" -issuer "$R/issuing-1.pem" -CAfile "$R/root.pem" \
  -cert "$WORK/t1.pem" 2>&1 | grep -q ": good" || fail "OCSP GET"
ok "OCSP over GET"

# mTLS with the terminal's own certificate
curl -fsS --cacert "$R/root.pem" --cert "$WORK/t4.pem" --key "$WORK/t4.key" \
  "https://127.0.0.1:$MTLS_PORT/terminal/certificate" | grep -q '"state":"issued"' || fail "mTLS"
ok "mTLS endpoint accepts an issued terminal certificate"
expect_fail "mTLS without a client certificate" curl -fsS --cacert "$R/root.pem" "https://127.0.0.1:$MTLS_PORT/terminal/certificate"

# revocation: effective at once in OCSP, then in the CRL
"$CLAIMSCA" revoke --data "$DATA" --serial "$SERIAL1" --reason keyCompromise >/dev/null
[ "$(ocsp_status "$WORK/t1.pem" "$DATA")" = revoked ] || fail "OCSP revoked"
ok "openssl ocsp: revoked right after claimsca revoke"
expect_fail "revoking twice" "$CLAIMSCA" revoke --data "$DATA" --serial "$SERIAL1"
expect_fail "revoking an unknown serial" "$CLAIMSCA" revoke --data "$DATA" --serial 0123456789abcdef01
T4SERIAL=$(serial_of "$WORK/t4.pem")
"$CLAIMSCA" revoke --data "$DATA" --serial "$T4SERIAL" --reason cessationOfOperation >/dev/null
expect_fail "mTLS with a revoked certificate" curl -fsS --cacert "$R/root.pem" --cert "$WORK/t4.pem" \
  --key "$WORK/t4.key" "https://127.0.0.1:$MTLS_PORT/terminal/certificate"

"$CLAIMSCA" crl --data "$DATA" --out "$WORK/crl.der" >/dev/null
openssl crl -inform DER -in "$WORK/crl.der" -out "$WORK/crl.pem"
openssl crl -in "$WORK/crl.pem" -CAfile "$R/issuing-1.pem" -noout 2>&1 | grep -q "verify OK" || fail "CRL signature"
openssl crl -in "$WORK/crl.pem" -noout -text | grep -q "Key Compromise" || fail "CRL reason"
cat "$R/root.pem" "$R/issuing-1.pem" > "$WORK/chain.pem"
if openssl verify -crl_check -CAfile "$WORK/chain.pem" -CRLfile "$WORK/crl.pem" "$WORK/t1.pem" >"$WORK/v.out" 2>&1; then
  fail "verify -crl_check accepted a revoked certificate"
fi
grep -q "certificate revoked" "$WORK/v.out" || fail "verify -crl_check: $(cat "$WORK/v.out")"
openssl verify -crl_check -CAfile "$WORK/chain.pem" -CRLfile "$WORK/crl.pem" "$WORK/t2.pem" >/dev/null ||
  fail "verify -crl_check rejects a good certificate"
ok "openssl verify -crl_check: revoked refused, good accepted"
curl -fsS "$BASE/crl/issuing-1.crl" | cmp - "$WORK/crl.der" || fail "CRL served over HTTP"
"$CLAIMSCA" crl --data "$DATA" --out /dev/stdout 2>/dev/null | openssl crl -inform DER -noout -crlnumber |
  grep -q crlNumber || fail "crl --out /dev/stdout"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
ok "CRL served at the distribution point"

# garbage to OCSP: an OCSP error response, the server keeps serving
head -c 300 /dev/urandom > "$WORK/garbage"
curl -sS -X POST -H 'Content-Type: application/ocsp-request' --data-binary @"$WORK/garbage" \
  "$BASE/ocsp" -o "$WORK/garbage.resp"
openssl ocsp -respin "$WORK/garbage.resp" -resp_text 2>&1 | grep -qi "malformedrequest" || fail "garbage OCSP"
curl -fsS "$BASE/healthz" >/dev/null || fail "server died after garbage"
ok "garbage OCSP request → malformedRequest, server still serving"

# operator API
curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data "{\"code\":\"1310000001\",\"terminal_name\":\"API端末\",\"csr\":$(python3 -c 'import json,sys;print(json.dumps(open(sys.argv[1]).read()))' "$WORK/t1.csr")}" \
  "$BASE/api/v1/certificates" > "$WORK/api.json"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); open(sys.argv[2],"w").write(j["certificate_pem"])' "$WORK/api.json" "$WORK/api.pem"
openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-1.pem" "$WORK/api.pem" >/dev/null || fail "API issuance"
ok "API issues from a CSR"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data '{}' "$BASE/api/v1/certificates")
[ "$CODE" = 401 ] || fail "API without token: $CODE"
CODE=$(curl -s -o "$WORK/e.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data '{"code":"1310000001","terminal_name":"x","csr":"garbage"}' "$BASE/api/v1/certificates")
[ "$CODE" = 400 ] && grep -q '"code":"bad_csr"' "$WORK/e.json" || fail "API bad CSR: $CODE $(cat "$WORK/e.json")"
ok "API refuses without a token (401) and a bad CSR (400 bad_csr)"
metrics > "$WORK/metrics.txt"
for m in 'claimsca_ocsp_answers_total{status="good"}' 'claimsca_ocsp_answers_total{status="revoked"}' \
  'claimsca_certificates_issued_total{method="csr"} 1' 'claimsca_http_request_duration_seconds_bucket{route="/ocsp"'; do
  grep -qF "$m" "$WORK/metrics.txt" || fail "metrics: missing $m"
done
ok "Prometheus metrics: OCSP answers, issued, latencies"
# On SQLite the API's CSR issuance goes through the batching queue (both requests above,
# the refused one too); on PostgreSQL it runs on the worker pool and there is no queue.
if [ "$MODE" = postgres ]; then
  ! grep -q '^claimsca_issue_batch' "$WORK/metrics.txt" || fail "metrics: a queue on postgres"
else
  grep -qx 'claimsca_issue_batch_requests_total 2' "$WORK/metrics.txt" ||
    fail "metrics: queue requests $(grep claimsca_issue_batch "$WORK/metrics.txt")"
  grep -q '^claimsca_issue_batches_total [12]$' "$WORK/metrics.txt" || fail "metrics: queue batches"
fi
ok "issuance queue metrics ($MODE)"
stop_server
finish
