#!/usr/bin/env bash
# The 国保連 program's own issuing CA (docs/certificate-profile.md, "Issuing CAs per
# program"; docs/kokuhoren.md, "The issuing CA"), checked with outside clients:
#   - init makes issuing-kj-1 under the same root; a 国保連 certificate verifies with
#     `openssl verify` against root + issuing-kj-1 and not through issuing-1; its subject
#     carries the care office number and the 証明書利用区分;
#   - the CA certificates are served; `openssl ocsp` answers good then revoked, signed by
#     issuing-kj-1's own responder; /crl/issuing-kj-1.crl lists it for `openssl verify
#     -crl_check` while the common CA's CRL does not;
#   - the cross-program guard: the terminal mTLS endpoints and CMP refuse a 国保連
#     certificate (a data directory made before, where it came from issuing-1, too);
#   - an old data directory (one issuing CA) keeps working and gets issuing-kj-1 with
#     `claimsca ca add-issuing --program kokuhoren`.
# Usage: kokuhoren_ca_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
DATA=$WORK/data
ARGS=(--demo)
use_backend "${1:-sqlite}" kjca
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
R=$DATA/ca
OFFICE=1370123455  # a 介護保険事業所番号 with its check digit

# --- the hierarchy made by init ---
[ -s "$R/issuing-kj-1.pem" ] && [ -s "$R/ocsp-issuing-kj-1.pem" ] || fail "init made no issuing-kj-1"
openssl verify -CAfile "$R/root.pem" "$R/issuing-kj-1.pem" >/dev/null || fail "issuing-kj-1 under the root"
openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-kj-1.pem" "$R/ocsp-issuing-kj-1.pem" \
  >/dev/null || fail "the responder under issuing-kj-1"
openssl x509 -in "$R/issuing-kj-1.pem" -noout -subject | grep -q "Kokuhoren Issuing CA 1" ||
  fail "issuing-kj-1 name: $(openssl x509 -in "$R/issuing-kj-1.pem" -noout -subject)"
grep -q '^issuer_id = "issuing-kj-1"' "$DATA/claimsca.toml" || fail "claimsca.toml names no issuer"
ok "init: issuing-kj-1 and its OCSP responder under the one root, named in claimsca.toml"

# --- a 国保連 certificate ---
new_csr kj ec
"$CLAIMSCA" sign --data "$DATA" --program kokuhoren --csr "$WORK/kj.csr" --code "$OFFICE" \
  --terminal 介護PC >"$WORK/kj.pem" 2>/dev/null
KJ_SERIAL=$(serial_of "$WORK/kj.pem")
openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-kj-1.pem" -purpose sslclient "$WORK/kj.pem" \
  >/dev/null || fail "openssl verify: root + issuing-kj-1"
if openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-1.pem" "$WORK/kj.pem" >/dev/null 2>&1; then
  fail "a 国保連 certificate verified through the common issuing CA"
fi
SUBJECT=$(openssl x509 -in "$WORK/kj.pem" -noout -subject -nameopt utf8,sep_comma_plus)
echo "$SUBJECT" | grep -q "OU=$OFFICE,OU=介護保険証明書" || fail "subject: $SUBJECT"
TEXT=$(openssl x509 -in "$WORK/kj.pem" -noout -text)
# Its CRL shard (docs/revocation.md, "Sharded CRLs"); the full CRL below decides as well.
echo "$TEXT" | grep -qE "URI:http://127.0.0.1:8080/crl/issuing-kj-1/[0-9]+\.crl" || fail "CRL DP: $TEXT"
echo "$TEXT" | grep -qF "CA Issuers - URI:http://127.0.0.1:8080/ca/issuing-kj-1.der" || fail "AIA"
ok "openssl verify: a 国保連 certificate chains to the root through issuing-kj-1 only; OU = $OFFICE, 介護保険証明書"

# An agent's certificate: its KJ user ID and the usage category it chose (PKCS#12 chain).
"$CLAIMSCA" issue --data "$DATA" --program kokuhoren --code KJ00001234 --terminal 代理人PC \
  --usage-category 介護・障害共通証明書 --out "$WORK/agent.p12" >"$WORK/agent.out"
PW=$(sed -n 's/^password=//p' "$WORK/agent.out")
openssl pkcs12 -in "$WORK/agent.p12" -passin "pass:$PW" -nokeys -clcerts -out "$WORK/agent.pem" 2>/dev/null
openssl pkcs12 -in "$WORK/agent.p12" -passin "pass:$PW" -nokeys -cacerts -out "$WORK/agent-chain.pem" 2>/dev/null
openssl x509 -in "$WORK/agent.pem" -noout -subject -nameopt utf8,sep_comma_plus |
  grep -q "OU=KJ00001234,OU=介護・障害共通証明書" || fail "agent subject"
grep -c "BEGIN CERTIFICATE" "$WORK/agent-chain.pem" | grep -qx 2 || fail "PKCS#12 chain"
openssl verify -CAfile "$R/root.pem" -untrusted "$WORK/agent-chain.pem" "$WORK/agent.pem" >/dev/null ||
  fail "the PKCS#12's chain is not root + issuing-kj-1"
expect_fail "an unknown usage category" "$CLAIMSCA" issue --data "$DATA" --program kokuhoren \
  --code "$OFFICE" --terminal PC --usage-category 障害証明書 --out "$WORK/x.p12"
expect_fail "a 国保連 certificate for an insurer number" "$CLAIMSCA" sign --data "$DATA" \
  --program kokuhoren --csr "$WORK/kj.csr" --code 33120015 --terminal PC
ok "agent certificate: OU = KJ user ID, 介護・障害共通証明書; the PKCS#12 holds issuing-kj-1 + root"

new_csr c ec
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/c.csr" --code 1310000001 --terminal 受付PC \
  >"$WORK/c.pem" 2>/dev/null

# --- served: CA certificates, OCSP, CRL ---
start_server "$DATA"
curl -fsS "$BASE/ca/issuing-kj-1.pem" -o "$WORK/served.pem"
cmp "$WORK/served.pem" "$R/issuing-kj-1.pem" || fail "/ca/issuing-kj-1.pem"
curl -fsS "$BASE/ca/issuing-kj-1.der" | cmp - <(openssl x509 -in "$R/issuing-kj-1.pem" -outform DER) ||
  fail "/ca/issuing-kj-1.der"
curl -fsS "$BASE/ca/ocsp-issuing-kj-1.pem" | cmp - "$R/ocsp-issuing-kj-1.pem" || fail "responder cert"
curl -fsS "$BASE/ca/thumbprints" | jq -e '[.certificates[].name] | index("issuing-kj-1")' >/dev/null ||
  fail "thumbprints"
ok "CA certificates served: /ca/issuing-kj-1.pem|.der, /ca/ocsp-issuing-kj-1.pem, /ca/thumbprints"

# kj_ocsp CERT: the status openssl ocsp sees under issuing-kj-1 (the response must verify
# with the root trusted and be signed by issuing-kj-1's responder).
kj_ocsp() {
  local out
  out=$(openssl ocsp -issuer "$R/issuing-kj-1.pem" -cert "$1" -url "$BASE/ocsp" -CAfile "$R/root.pem" \
    -resp_text 2>&1) || { echo "$out" >&2; return 1; }
  echo "$out" | grep -q "Response verify OK" || { echo "$out" >&2; return 1; }
  echo "$out" | grep -q "Kokuhoren OCSP Responder" || { echo "not its own responder: $out" >&2; return 1; }
  echo "$out" | sed -n "s|^$1: *||p" | head -1
}
[ "$(kj_ocsp "$WORK/kj.pem")" = good ] || fail "OCSP good"
[ "$(ocsp_status "$WORK/c.pem" "$DATA")" = good ] || fail "OCSP of the common certificate"
ok "openssl ocsp: good, signed by issuing-kj-1's own responder; the common CA's still answered"

# crl_of ISSUER: the served CRL of ISSUER as PEM in $WORK/ISSUER.crl.pem, once it verifies.
crl_of() {
  for _ in $(seq 1 100); do  # the server publishes the first one as it starts
    curl -fsS "$BASE/crl/$1.crl" -o "$WORK/$1.crl.der" 2>/dev/null && break
    sleep 0.1
  done
  openssl crl -inform DER -in "$WORK/$1.crl.der" -out "$WORK/$1.crl.pem"
  openssl crl -in "$WORK/$1.crl.pem" -CAfile <(cat "$R/root.pem" "$R/$1.pem") -noout 2>&1 |
    grep -q "verify OK" || fail "CRL of $1 does not verify"
}
crl_check() { # CERT: openssl verify -crl_check with issuing-kj-1's CRL
  openssl verify -crl_check -CAfile "$R/root.pem" -untrusted "$R/issuing-kj-1.pem" \
    -CRLfile "$WORK/issuing-kj-1.crl.pem" "$1" >"$WORK/verify.out" 2>&1
}
crl_of issuing-kj-1
crl_check "$WORK/kj.pem" || fail "verify -crl_check before revocation: $(cat "$WORK/verify.out")"
"$CLAIMSCA" revoke --data "$DATA" --serial "$KJ_SERIAL" --reason keyCompromise >/dev/null
[ "$(kj_ocsp "$WORK/kj.pem")" = revoked ] || fail "OCSP revoked"
for _ in $(seq 1 100); do  # the updater publishes after its debounce
  crl_of issuing-kj-1
  openssl crl -in "$WORK/issuing-kj-1.crl.pem" -noout -text | grep -qi "Serial Number: $KJ_SERIAL" && break
  sleep 0.2
done
openssl crl -in "$WORK/issuing-kj-1.crl.pem" -noout -text | grep -qi "Serial Number: $KJ_SERIAL" ||
  fail "the revocation is not on /crl/issuing-kj-1.crl"
! crl_check "$WORK/kj.pem" && grep -q "certificate revoked" "$WORK/verify.out" ||
  fail "verify -crl_check after revocation: $(cat "$WORK/verify.out")"
crl_of issuing-1
! openssl crl -in "$WORK/issuing-1.crl.pem" -noout -text | grep -qi "Serial Number: $KJ_SERIAL" ||
  fail "the 国保連 revocation is on the common CA's CRL"
[ "$(ocsp_status "$WORK/c.pem" "$DATA")" = good ] || fail "the common certificate is no longer good"
ok "revoked: openssl ocsp says revoked, /crl/issuing-kj-1.crl lists it (verify -crl_check refuses), issuing-1's CRL does not"

# --- the cross-program guard on the terminal (mTLS) listener ---
new_csr kj2 ec
"$CLAIMSCA" sign --data "$DATA" --program kokuhoren --csr "$WORK/kj2.csr" --code "$OFFICE" \
  --terminal 介護PC2 >"$WORK/kj2.pem" 2>/dev/null
CSR_JSON=$(jq -Rs '{csr: .}' "$WORK/c.csr")
mtls() { # NAME PATH [curl args]: prints the HTTP status (000: refused in the handshake)
  local name=$1 path=$2; shift 2
  rm -f "$WORK/mtls.body"
  curl -s -o "$WORK/mtls.body" -w '%{http_code}' --cacert "$R/root.pem" --cert "$WORK/$name.pem" \
    --key "$WORK/$name.key" "$@" "https://127.0.0.1:$MTLS_PORT$path" || true
}
code=$(mtls kj2 /terminal/renewal)
[ "$code" = 000 ] || [ "$code" = 409 ] || fail "mTLS with a 国保連 certificate: $code $(cat "$WORK/mtls.body")"
cat "$R/issuing-kj-1.pem" >>"$WORK/kj2.pem"  # with its chain: the handshake can verify it
code=$(mtls kj2 /terminal/renew -H 'Content-Type: application/json' --data-binary "$CSR_JSON")
[ "$code" = 000 ] || [ "$code" = 409 ] || fail "mTLS renewal with a 国保連 certificate: $code"
code=$(mtls c /terminal/renewal)
[ "$code" = 404 ] || [ "$code" = 200 ] || [ "$code" = 409 ] || fail "mTLS with the common certificate: $code"
[ "$code" = 409 ] && grep -q wrong_program "$WORK/mtls.body" && fail "the common certificate was called wrong_program"
ok "terminal mTLS refuses a 国保連 certificate of issuing-kj-1 (with or without its chain)"
stop_server

# --- a data directory made before: one issuing CA, no issuer_id ---
OLD=$WORK/old
"$CLAIMSCA" init --data "$OLD" --demo >/dev/null  # on SQLite: the old directory's own database
sed -i '/^issuer_id = "issuing-kj-1"/d; /^issuing_name = "claimsca Demo Kokuhoren/d' "$OLD/claimsca.toml"
rm -f "$OLD/ca/issuing-kj-1.pem" "$OLD/ca/ocsp-issuing-kj-1.pem" "$OLD/keys/issuing-kj-1.key.pem" \
  "$OLD/keys/ocsp-issuing-kj-1.key.pem"
"$CLAIMSCA" sign --data "$OLD" --program kokuhoren --csr "$WORK/kj.csr" --code "$OFFICE" \
  --terminal 介護PC >"$WORK/old-kj.pem" 2>/dev/null
openssl verify -CAfile "$OLD/ca/root.pem" -untrusted "$OLD/ca/issuing-1.pem" "$WORK/old-kj.pem" >/dev/null ||
  fail "old data directory: the 国保連 certificate comes from issuing-1"
cp "$WORK/kj.key" "$WORK/old-kj.key"
ok "a data directory without issuing-kj-1 issues 国保連 certificates from issuing-1, as before"

R=$OLD/ca
start_server "$OLD"
code=$(mtls old-kj /terminal/renewal)
[ "$code" = 409 ] && grep -q wrong_program "$WORK/mtls.body" ||
  fail "old data directory: mTLS renewal info with a 国保連 certificate: $code $(cat "$WORK/mtls.body")"
code=$(mtls old-kj /terminal/renew -H 'Content-Type: application/json' --data-binary "$CSR_JSON")
[ "$code" = 409 ] && grep -q wrong_program "$WORK/mtls.body" ||
  fail "old data directory: mTLS renewal with a 国保連 certificate: $code $(cat "$WORK/mtls.body")"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/k2.key" 2>/dev/null
expect_fail "CMP kur signed by a 国保連 certificate" openssl cmp -server "127.0.0.1:$PORT" -path cmp \
  -cmd kur -trusted "$OLD/ca/root.pem" -cert "$WORK/old-kj.pem" -key "$WORK/old-kj.key" \
  -extracerts "$OLD/ca/issuing-1.pem" -newkey "$WORK/k2.key" -certout "$WORK/k2.pem" -unprotected_errors
grep -q "wrong_program" "$WORK/server.log" || fail "the CMP refusal does not say wrong_program"
[ ! -s "$WORK/k2.pem" ] || fail "CMP issued a certificate"
ok "the common renewal paths (mTLS renewal info and renewal, CMP kur) refuse a 国保連 certificate: wrong_program"
stop_server

"$CLAIMSCA" ca add-issuing --data "$OLD" --program kokuhoren >"$WORK/add.out"
grep -q '^issuer_id = "issuing-kj-1"' "$OLD/claimsca.toml" || fail "add-issuing wrote no issuer_id"
openssl verify -CAfile "$OLD/ca/root.pem" "$OLD/ca/issuing-kj-1.pem" >/dev/null || fail "added CA"
expect_fail "add-issuing twice" "$CLAIMSCA" ca add-issuing --data "$OLD" --program kokuhoren
"$CLAIMSCA" sign --data "$OLD" --program kokuhoren --csr "$WORK/kj2.csr" --code "$OFFICE" \
  --terminal 介護PC3 >"$WORK/new-kj.pem" 2>/dev/null
openssl verify -CAfile "$OLD/ca/root.pem" -untrusted "$OLD/ca/issuing-kj-1.pem" "$WORK/new-kj.pem" \
  >/dev/null || fail "after add-issuing: issued by issuing-kj-1"
start_server "$OLD"
[ "$(kj_ocsp "$WORK/new-kj.pem")" = good ] || fail "OCSP of the new CA's certificate"
[ "$(ocsp_status "$WORK/old-kj.pem" "$OLD")" = good ] || fail "OCSP of the certificate issued before"
crl_of issuing-kj-1
ok "ca add-issuing: issuing-kj-1 added to the old data directory; new certificates from it, the old one still answered"
echo "PASS kokuhoren_ca ($PASSED checks)"
