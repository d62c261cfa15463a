#!/usr/bin/env bash
# Revocation information for the CAs themselves (docs/revocation.md): the root's ARL, the
# issuing CA certificate's CRL distribution point and AIA, chain-wide checking with
# `openssl verify -crl_check_all`, the `claimsca ca` ceremonies, and the RFC 5019 caching
# headers of OCSP GET answers (curl).
# Usage: ca_revocation_test.sh [sqlite|pkcs11]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
INIT_ARGS=(--demo)
case "$MODE" in
  sqlite) ;;
  pkcs11) use_softhsm "$DATA" ;;
  *) fail "unknown mode $MODE" ;;
esac
"$CLAIMSCA" init --data "$DATA" "${INIT_ARGS[@]}" >/dev/null
R=$DATA/ca
PUBLIC=http://127.0.0.1:8080  # server.public_url of a demo data directory

# --- the ARL made by init, and the issuing CA certificate's pointers ---
[ -s "$R/root.crl" ] || fail "init made no ARL (ca/root.crl)"
to_pem() { openssl crl -inform DER -in "$1" -out "$2"; }
contains_all() { # WHAT TEXT WANT...: TEXT has every WANT
  local what=$1 text=$2; shift 2
  for want in "$@"; do echo "$text" | grep -qF -- "$want" || fail "$what: missing '$want'"; done
}
to_pem "$R/root.crl" "$WORK/arl.pem"
openssl crl -in "$WORK/arl.pem" -CAfile "$R/root.pem" -noout 2>&1 | grep -q "verify OK" ||
  fail "ARL signature (root key)"
ARL_TEXT=$(openssl crl -in "$WORK/arl.pem" -noout -text)
contains_all ARL "$ARL_TEXT" "Issuing Distribution Point: critical" "Only CA Certificates" \
  "X509v3 CRL Number" "X509v3 Authority Key Identifier" "No Revoked Certificates"
NEXT=$(date -u -d "$(openssl crl -in "$WORK/arl.pem" -noout -nextupdate | cut -d= -f2)" +%s)
[ $((NEXT - $(date +%s))) -gt $((360 * 86400)) ] || fail "ARL nextUpdate is not a year away"
ok "init signs an ARL with the root key: CRL number, AKI, IDP onlyContainsCACerts, a year"

ISSUING_TEXT=$(openssl x509 -in "$R/issuing-1.pem" -noout -text)
contains_all "issuing CA" "$ISSUING_TEXT" "X509v3 CRL Distribution Points" \
  "URI:$PUBLIC/crl/root.crl" "CA Issuers - URI:$PUBLIC/ca/root.der"
! echo "$ISSUING_TEXT" | grep -q "OCSP - URI" || fail "issuing CA: an OCSP pointer nobody answers"
ok "issuing CA certificate: CRL DP → /crl/root.crl, AIA caIssuers → /ca/root.der"

# The terminal profile is unchanged: its own CRL, OCSP and caIssuers (the issuing CA).
new_csr t1 ec
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t1.csr" --code 1310000001 --terminal PC1 \
  > "$WORK/t1.pem" 2>/dev/null
T1_TEXT=$(openssl x509 -in "$WORK/t1.pem" -noout -text)
contains_all "terminal certificate" "$T1_TEXT" "URI:$PUBLIC/crl/issuing-1/" \
  "OCSP - URI:$PUBLIC/ocsp" "CA Issuers - URI:$PUBLIC/ca/issuing-1.der"
echo "$T1_TEXT" | grep -qE "URI:$PUBLIC/crl/issuing-1/(0|[1-9][0-9]?)\.crl$" ||
  fail "terminal certificate: no CRL shard distribution point"
! echo "$T1_TEXT" | grep -qF "root.crl" || fail "terminal certificate points at the ARL"
ok "terminal certificate profile: its CRL shard, OCSP, caIssuers"

# --- served over HTTP: the URLs written in the certificate answer ---
start_server "$DATA"
url_path() { echo "${1#"$PUBLIC"}"; }
CDP=$(echo "$ISSUING_TEXT" | sed -n 's|.*URI:\(http://[^ ]*/crl/root.crl\).*|\1|p' | head -1)
curl -fsS -D "$WORK/arl.h" "$BASE$(url_path "$CDP")" -o "$WORK/arl.der"
cmp "$WORK/arl.der" "$R/root.crl" || fail "served ARL differs from ca/root.crl"
grep -qi '^content-type: application/pkix-crl' "$WORK/arl.h" || fail "ARL content type: $(cat "$WORK/arl.h")"
AIA=$(echo "$ISSUING_TEXT" | sed -n 's|.*CA Issuers - URI:\(http://[^ ]*\)|\1|p' | head -1)
curl -fsS "$BASE$(url_path "$AIA")" -o "$WORK/root.der"
openssl x509 -in "$R/root.pem" -outform DER | cmp - "$WORK/root.der" || fail "caIssuers URL"
ok "the ARL (application/pkix-crl) and the root certificate are served at those URLs"

# --- chain-wide revocation checking ---
"$CLAIMSCA" crl --data "$DATA" --out "$WORK/crl.der" >/dev/null
to_pem "$WORK/crl.der" "$WORK/crl.pem"
verify_all() { # CERT [-untrusted ISSUING] CRL files...: openssl verify -crl_check_all
  local cert=$1 issuing=$2; shift 2
  local crls=(); for f in "$@"; do crls+=(-CRLfile "$f"); done
  openssl verify -crl_check_all -CAfile "$R/root.pem" -untrusted "$issuing" "${crls[@]}" "$cert" \
    >"$WORK/verify.out" 2>&1
}
verify_all "$WORK/t1.pem" "$R/issuing-1.pem" "$WORK/crl.pem" "$WORK/arl.pem" ||
  fail "verify -crl_check_all: $(cat "$WORK/verify.out")"
ok "openssl verify -crl_check_all (terminal CRL + ARL) accepts the terminal certificate"
if verify_all "$WORK/t1.pem" "$R/issuing-1.pem" "$WORK/crl.pem"; then
  fail "verify -crl_check_all without the ARL succeeded"
fi
grep -q "unable to get certificate CRL" "$WORK/verify.out" || fail "$(cat "$WORK/verify.out")"
ok "without the ARL the issuing CA cannot be checked (what relying parties saw before)"

# --- OCSP GET: RFC 5019 caching headers; POST and nonce answers claim none ---
openssl ocsp -issuer "$R/issuing-1.pem" -cert "$WORK/t1.pem" -reqout "$WORK/req.der" -no_nonce \
  >/dev/null 2>&1
B64=$(base64 -w0 < "$WORK/req.der" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
header() { sed -n "s/^$1: //Ip" "$2" | tr -d '\r'; }
curl -fsS -D "$WORK/g1.h" "$BASE/ocsp/$B64" -o "$WORK/g1.der"
NOW=$(date +%s)
RESP=$(openssl ocsp -respin "$WORK/g1.der" -reqin "$WORK/req.der" -issuer "$R/issuing-1.pem" \
  -CAfile "$R/root.pem" -cert "$WORK/t1.pem" -resp_text 2>&1)
echo "$RESP" | grep -q ": good" || fail "OCSP GET: $RESP"
THIS=$(date -u -d "$(echo "$RESP" | sed -n 's/^ *This Update: //p' | head -1)" +%s)
NEXTU=$(date -u -d "$(echo "$RESP" | sed -n 's/^ *Next Update: //p' | head -1)" +%s)
CC=$(header Cache-Control "$WORK/g1.h")
AGE=$(echo "$CC" | sed -n 's/^max-age=\([0-9]*\), public, no-transform, must-revalidate$/\1/p')
[ -n "$AGE" ] || fail "Cache-Control: '$CC'"
[ "$AGE" -le $((NEXTU - THIS)) ] && [ "$AGE" -ge $((NEXTU - NOW - 5)) ] ||
  fail "max-age $AGE is not the time to nextUpdate ($((NEXTU - NOW)) s)"
[ "$(date -u -d "$(header Expires "$WORK/g1.h")" +%s)" = "$NEXTU" ] ||
  fail "Expires $(header Expires "$WORK/g1.h") is not nextUpdate"
[ "$(date -u -d "$(header Last-Modified "$WORK/g1.h")" +%s)" = "$THIS" ] ||
  fail "Last-Modified $(header Last-Modified "$WORK/g1.h") is not thisUpdate"
ETAG="\"$(sha1sum "$WORK/g1.der" | cut -d' ' -f1)\""
[ "$(header ETag "$WORK/g1.h")" = "$ETAG" ] || fail "ETag $(header ETag "$WORK/g1.h"), want $ETAG"
ok "OCSP GET: Cache-Control max-age=$AGE public no-transform must-revalidate, Expires, Last-Modified, ETag"
sleep 1
curl -fsS -D "$WORK/g2.h" "$BASE/ocsp/$B64" -o "$WORK/g2.der"
cmp "$WORK/g1.der" "$WORK/g2.der" || fail "the second GET was not the cached response"
[ "$(header ETag "$WORK/g2.h")" = "$ETAG" ] || fail "ETag changed for the same response"
[ "$(header Expires "$WORK/g2.h")" = "$(header Expires "$WORK/g1.h")" ] || fail "Expires moved"
AGE2=$(header Cache-Control "$WORK/g2.h" | sed -n 's/^max-age=\([0-9]*\),.*/\1/p')
[ "$AGE2" -lt "$AGE" ] || fail "max-age did not count down ($AGE → $AGE2)"
ok "the cached response keeps its ETag and Expires; max-age counts down"
curl -fsS -D "$WORK/p.h" -H 'Content-Type: application/ocsp-request' --data-binary @"$WORK/req.der" \
  "$BASE/ocsp" -o "$WORK/p.der"
for h in Cache-Control Expires ETag Last-Modified; do
  [ -z "$(header $h "$WORK/p.h")" ] || fail "POST answer carries $h"
done
openssl ocsp -issuer "$R/issuing-1.pem" -cert "$WORK/t1.pem" -reqout "$WORK/nreq.der" >/dev/null 2>&1
NB64=$(base64 -w0 < "$WORK/nreq.der" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
curl -fsS -D "$WORK/n.h" "$BASE/ocsp/$NB64" -o /dev/null
[ -z "$(header Cache-Control "$WORK/n.h")" ] || fail "a nonce answer claims cacheability"
curl -sS -D "$WORK/m.h" "$BASE/ocsp/AAAA" -o /dev/null
[ -z "$(header Cache-Control "$WORK/m.h")" ] || fail "malformedRequest claims cacheability"
ok "POST, nonce and error answers carry no caching headers"
stop_server

# --- ceremony: re-issue the issuing CA certificate (same key, today's profile) ---
OLD_SERIAL=$(serial_of "$R/issuing-1.pem")
if [ "$MODE" = sqlite ]; then
  # A data directory made before the issuing CA had revocation pointers: re-sign the
  # certificate (same subject and key) with the root key, without CRL DP and AIA.
  printf '[v3]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n' \
    > "$WORK/old.ext"
  PASS=(-passin "file:$DATA/secrets/ca-key.pass")
  openssl x509 -x509toreq -in "$R/issuing-1.pem" -signkey "$DATA/keys/issuing-1.key.pem" \
    "${PASS[@]}" -out "$WORK/issuing.csr"
  openssl x509 -req -in "$WORK/issuing.csr" -CA "$R/root.pem" -CAkey "$DATA/keys/root.key.pem" \
    "${PASS[@]}" -extfile "$WORK/old.ext" -extensions v3 -set_serial 0x5ca1ab1e0ddba11 \
    -days 4000 -out "$WORK/old-issuing.pem" 2>/dev/null
  cp "$WORK/old-issuing.pem" "$R/issuing-1.pem"
  openssl x509 -in "$R/issuing-1.pem" -noout -text | grep -q "CRL Distribution" && fail "old-style setup"
  OLD_SERIAL=$(serial_of "$R/issuing-1.pem")
  # The ARL names no distribution point, so it covers such a certificate too.
  verify_all "$WORK/t1.pem" "$R/issuing-1.pem" "$WORK/crl.pem" "$WORK/arl.pem" ||
    fail "old-style issuing CA with the ARL: $(cat "$WORK/verify.out")"
  ok "old-style issuing CA certificate (no CRL DP, no AIA) in place; the ARL covers it"
fi
cp "$R/issuing-1.pem" "$WORK/before.pem"
"$CLAIMSCA" ca reissue-issuing --data "$DATA" > "$WORK/reissue.out" || fail "reissue-issuing"
NEW_TEXT=$(openssl x509 -in "$R/issuing-1.pem" -noout -text)
contains_all "re-issued" "$NEW_TEXT" "URI:$PUBLIC/crl/root.crl" \
  "CA Issuers - URI:$PUBLIC/ca/root.der" "pathlen:0"
[ "$(openssl x509 -in "$R/issuing-1.pem" -noout -pubkey)" = "$(openssl x509 -in "$WORK/before.pem" -noout -pubkey)" ] ||
  fail "re-issued certificate has another key"
[ "$(openssl x509 -in "$R/issuing-1.pem" -noout -subject -nameopt RFC2253)" = \
  "$(openssl x509 -in "$WORK/before.pem" -noout -subject -nameopt RFC2253)" ] || fail "subject changed"
[ "$(serial_of "$R/issuing-1.pem")" != "$OLD_SERIAL" ] || fail "same serial"
[ "$(openssl x509 -in "$R/issuing-1.pem" -noout -enddate)" = "$(openssl x509 -in "$WORK/before.pem" -noout -enddate)" ] ||
  fail "validity end changed"
ls "$R"/archive/issuing-1-*.pem >/dev/null 2>&1 || fail "previous certificate not archived"
cmp "$(ls "$R"/archive/issuing-1-*.pem | head -1)" "$WORK/before.pem" >/dev/null 2>&1 ||
  fail "archive does not hold the previous certificate"
grep -q "same key" "$WORK/reissue.out" || fail "reissue output: $(cat "$WORK/reissue.out")"
ok "ca reissue-issuing: same subject and key, new serial, CRL DP + AIA, previous archived"
# Certificates signed before the re-issue still chain, and pass the chain-wide check with
# either the new or the archived issuing certificate (the ARL names no distribution point).
verify_all "$WORK/t1.pem" "$R/issuing-1.pem" "$WORK/crl.pem" "$WORK/arl.pem" ||
  fail "after re-issue: $(cat "$WORK/verify.out")"
verify_all "$WORK/t1.pem" "$WORK/before.pem" "$WORK/crl.pem" "$WORK/arl.pem" ||
  fail "previous issuing certificate with the ARL: $(cat "$WORK/verify.out")"
openssl verify -CAfile "$R/root.pem" -untrusted "$R/issuing-1.pem" -purpose any "$R/ocsp.pem" \
  >/dev/null || fail "OCSP responder certificate no longer chains"
ok "terminal and OCSP certificates signed before still verify (-crl_check_all)"
start_server "$DATA"
curl -fsS "$BASE/ca/issuing-1.pem" | cmp - "$R/issuing-1.pem" || fail "server serves the new one"
[ "$(ocsp_status "$WORK/t1.pem" "$DATA")" = good ] || fail "OCSP after re-issue"
ok "after a restart the server publishes the re-issued certificate; OCSP answers"

# --- ceremony: revoke the issuing CA in the ARL ---
N1=$(openssl crl -in "$WORK/arl.pem" -noout -crlnumber | cut -d= -f2)
expect_fail "ca arl refuses a terminal certificate" \
  "$CLAIMSCA" ca arl --data "$DATA" --revoke "$WORK/t1.pem"
grep -q "not issued by this root\|not a CA" "$WORK/expect_fail.out" || fail "$(cat "$WORK/expect_fail.out")"
cmp "$R/root.crl" "$WORK/arl.der" || fail "a refused ceremony changed the ARL"
"$CLAIMSCA" ca arl --data "$DATA" --revoke "$R/issuing-1.pem" --reason keyCompromise \
  --out "$WORK/arl2.der" > "$WORK/arl2.out" || fail "ca arl --revoke"
grep -q "1 revoked CA certificate" "$WORK/arl2.out" || fail "$(cat "$WORK/arl2.out")"
cmp "$WORK/arl2.der" "$R/root.crl" || fail "--out differs from ca/root.crl"
curl -fsS "$BASE/crl/root.crl" | cmp - "$R/root.crl" || fail "the new ARL is not served without restart"
to_pem "$WORK/arl2.der" "$WORK/arl2.pem"
N2=$(openssl crl -in "$WORK/arl2.pem" -noout -crlnumber | cut -d= -f2)
[ "$((N2))" -gt "$((N1))" ] || fail "CRL number did not grow ($N1 → $N2)"
openssl crl -in "$WORK/arl2.pem" -noout -text | grep -q "Key Compromise" || fail "ARL reason"
if verify_all "$WORK/t1.pem" "$R/issuing-1.pem" "$WORK/crl.pem" "$WORK/arl2.pem"; then
  fail "verify -crl_check_all accepted a chain through a revoked issuing CA"
fi
grep -q "certificate revoked" "$WORK/verify.out" || fail "$(cat "$WORK/verify.out")"
ok "issuing CA revoked in the ARL: openssl verify -crl_check_all refuses the terminal certificate"
AUDIT=$(sqlite3 "$DATA/claimsca.db" "select action || ' ' || subject from audit_log where actor = 'operator:ceremony' order by seq")
contains_all "audit trail" "$AUDIT" "ca.issuing_reissuing issuing-1" "ca.issuing_reissued issuing-1" \
  "ca.arl_signing root" "ca.arl_signed root"
sqlite3 "$DATA/claimsca.db" "select details from audit_log where action = 'ca.arl_signed'" |
  grep -q "$(serial_of "$R/issuing-1.pem" | tr A-F a-f | sed 's/^0*//')" ||
  fail "the audit row does not name the revoked CA"
"$CLAIMSCA" audit verify --data "$DATA" >/dev/null || fail "audit verify after the ceremonies"
ok "ceremonies recorded in the audit trail (before and after the root key signs); chain verifies"
"$CLAIMSCA" ca arl --data "$DATA" --validity-days 30 --out "$WORK/arl3.der" >/dev/null
openssl crl -inform DER -in "$WORK/arl3.der" -noout -text | grep -qi "Serial Number: $(serial_of "$R/issuing-1.pem")" ||
  fail "the next ARL dropped the revoked issuing CA"
expect_fail "revoking the same issuing CA twice" \
  "$CLAIMSCA" ca arl --data "$DATA" --revoke "$R/issuing-1.pem"
stop_server
start_server "$DATA"  # the ARL in force now ends in 30 days
grep -q '"kind":"arl_due"' "$WORK/server.log" || fail "serve did not warn of the ARL's nextUpdate"
stop_server
ok "serve warns (arl_due) when the ARL's nextUpdate is near"
echo garbage > "$R/root.crl"
expect_fail "ca arl refuses to replace an unreadable ARL (its entries would be lost)" \
  "$CLAIMSCA" ca arl --data "$DATA"
rm "$R/root.crl"
start_server "$DATA"
grep -q '"kind":"arl_unavailable"' "$WORK/server.log" || fail "serve did not say the ARL is missing"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/crl/root.crl")" = 503 ] || fail "missing ARL: not 503"
stop_server
ok "without an ARL: serve logs arl_unavailable, /crl/root.crl answers 503"
finish
