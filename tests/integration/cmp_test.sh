#!/usr/bin/env bash
# CMP (RFC 4210 / RFC 9483) with the real `openssl cmp` client (docs/renewal-and-cmp.md):
# ir authenticated by PBM with the notice's request ID and download password (the
# terminal's own key; the server-made certificate is superseded), kur signed with the
# issued certificate inside the renewal window (server clock moved by --at), rr by the
# holder (revoked at once in OCSP), genm for the CA certificates. Refused, logged and
# nothing issued: a wrong password, a replayed or truncated ir, a subject naming another
# institution, a kur signed by another institution's certificate, a kur with a revoked one,
# an rr with a reason the holder may not give. Responses are signed by the CMP signer
# certificate and verify with only the root trusted (-trusted, no -srvcert); a data
# directory made before the CMP signer existed gets one when the server starts.
# The agent behind a proxy that drops answers ends with a working certificate, charged once.
# Usage: cmp_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" cmp
clinic_terminal_setup
apply_terminal
SERVER_MADE=$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")
ok "application $RID issued with a server-made key; the notice's password in hand"

# Responses are signed by the CMP signer certificate (digitalSignature, id-kp-cmcRA), sent
# in extraCerts with the issuing CA: the client trusts the root alone.
CA=(-trusted "$DATA/ca/root.pem")
ocmp() { openssl cmp -server "127.0.0.1:$PORT" -path cmp "$@"; }
certs() { sql "SELECT count(*) FROM certificates WHERE state = 'issued'"; }
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/k1.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/k2.key" 2>/dev/null

before=$(certs)
expect_fail "ir with a wrong password" ocmp -cmd ir -ref "$RID" -secret pass:wrong-password-x \
  -newkey "$WORK/k1.key" -subject "/CN=terminal" -recipient "/CN=claimsca" -unprotected_errors \
  -certout "$WORK/bad.pem"
expect_fail "ir whose subject names another institution" ocmp -cmd ir -ref "$RID" -secret "pass:$PASSWORD" \
  -newkey "$WORK/k1.key" -subject "/OU=0110113719/CN=terminal" -recipient "/CN=claimsca" \
  -unprotected_errors -certout "$WORK/bad.pem"
[ "$(certs)" = "$before" ] || fail "a refused ir issued something"
grep -q '"cmp_refused"' "$WORK/server.log" || fail "refusals are not logged"
[ "$(sql "SELECT download_failures FROM applications WHERE request_id = '$RID'")" = 1 ] ||
  fail "the wrong CMP password was not counted"
ok "refused and logged, nothing issued; the wrong password counts as a failed download"
# No oracle for request IDs: an unknown one is refused with the wrong password's words.
cp "$WORK/server.log" "$WORK/before-unknown.log"
expect_fail "ir with an unknown request ID" ocmp -cmd ir -ref 29999999999999 -secret pass:wrong-password-x \
  -newkey "$WORK/k1.key" -subject "/CN=terminal" -recipient "/CN=claimsca" -unprotected_errors \
  -certout "$WORK/bad.pem"
why() { grep '"cmp_refused"' "$1" | grep "\"request_id\":\"$2\"" | jq -r .why | tail -1; }
[ -n "$(why "$WORK/before-unknown.log" "$RID")" ] &&
  [ "$(why "$WORK/server.log" 29999999999999)" = "$(why "$WORK/before-unknown.log" "$RID")" ] ||
  fail "an unknown request ID is refused differently: $(why "$WORK/server.log" 29999999999999)"
ok "an ir with an unknown request ID is refused like a wrong password"

ocmp -cmd ir -ref "$RID" -secret "pass:$PASSWORD" -newkey "$WORK/k1.key" -subject "/CN=terminal" \
  -recipient "/CN=claimsca" "${CA[@]}" -certout "$WORK/k1.pem" -cacertsout "$WORK/capubs.pem" \
  -reqout "$WORK/ir.der,$WORK/certconf.der" >"$WORK/ir.log" 2>&1 || { cat "$WORK/ir.log"; fail "ir"; }
openssl verify -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" -purpose sslclient \
  "$WORK/k1.pem" >/dev/null || fail "openssl verify: ir certificate"
[ "$(openssl x509 -in "$WORK/k1.pem" -noout -pubkey)" = "$(openssl pkey -in "$WORK/k1.key" -pubout)" ] ||
  fail "the ir certificate is not for the terminal's key"
openssl x509 -in "$WORK/k1.pem" -noout -subject | grep -q "OU = 0110112489" || fail "ir subject"
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
[ "$(fp "$WORK/capubs.pem")" = "$(fp "$DATA/ca/root.pem")" ] || fail "caPubs: the root"
[ "$(ocsp_status "$WORK/k1.pem" "$DATA")" = good ] || fail "OCSP: ir certificate"
[ "$(sql "SELECT state || ',' || coalesce(revocation_reason, -1) FROM certificates WHERE serial = '$SERVER_MADE'")" = "issued,4" ] ||
  fail "the server-made certificate is not superseded"
[ "$(sql "SELECT count(*) FROM certificates WHERE request_id = '$RID'")" = 2 ] &&
  [ "$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")" != "$SERVER_MADE" ] ||
  fail "application history"
code=$(curl -s -o /dev/null -w '%{http_code}' "${J[@]}" \
  --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/download")
[ "$code" != 200 ] || fail "the superseded PKCS#12 can still be downloaded"
ok "ir with the notice's ID and password: own key certified (verify, OCSP good); server-made one superseded, its download gone"

# Replayed and truncated messages.
before=$(certs)
P=(-s -o "$WORK/rsp.der" -w '%{http_code}' -H "Content-Type: application/pkixcmp")
code=$(curl "${P[@]}" --data-binary "@$WORK/ir.der" "$BASE/cmp")
[ "$code" = 200 ] && openssl asn1parse -inform DER -in "$WORK/rsp.der" >/dev/null || fail "replay: $code"
head -c 100 "$WORK/ir.der" > "$WORK/truncated.der"
code=$(curl "${P[@]}" --data-binary "@$WORK/truncated.der" "$BASE/cmp")
[ "$code" = 400 ] || fail "truncated message: $code"
code=$(curl "${P[@]}" --data-binary "@$WORK/certconf.der" "$BASE/cmp")
[ "$code" = 200 ] || fail "replayed certConf: $code"
[ "$(certs)" = "$before" ] || fail "a replay issued something"
grep -q 'replayed transactionID' "$WORK/server.log" || fail "the replay is not logged"
ok "replayed ir and certConf answered with CMP errors, truncated one 400; nothing issued"

# genm: the CA certificates.
ocmp -cmd genm -infotype signKeyPairTypes "${CA[@]}" -cert "$WORK/k1.pem" -key "$WORK/k1.key" >"$WORK/genm.log" 2>&1 ||
  { cat "$WORK/genm.log"; fail "genm"; }
grep -Eq "caCerts|1\.3\.6\.1\.5\.5\.7\.4\.17" "$WORK/genm.log" || { cat "$WORK/genm.log"; fail "genm: no caCerts"; }
ok "genm answers with the CA certificates (id-it-caCerts)"

# The CMP signer certificate made by init.
openssl x509 -in "$DATA/ca/cmp.pem" -noout -text > "$WORK/cmp.txt"
for want in "Digital Signature" "CMC Registration Authority" "CA:FALSE" \
  "X509v3 Subject Key Identifier" "X509v3 Authority Key Identifier" "CMP Signer"; do
  grep -q "$want" "$WORK/cmp.txt" || fail "CMP signer certificate: no $want"
done
grep -A1 "X509v3 Key Usage" "$WORK/cmp.txt" | grep -q critical || fail "CMP signer: keyUsage not critical"
openssl verify -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" "$DATA/ca/cmp.pem" >/dev/null ||
  fail "openssl verify: CMP signer certificate"
[ "$(date -d "$(openssl x509 -in "$DATA/ca/cmp.pem" -noout -enddate | cut -d= -f2)" +%s)" -le \
  "$(date -d "$(openssl x509 -in "$DATA/ca/issuing-1.pem" -noout -enddate | cut -d= -f2)" +%s)" ] ||
  fail "the CMP signer outlives the issuing CA"
ok "init made the CMP signer certificate (digitalSignature critical, id-kp-cmcRA, under the issuing CA)"

# A certificate of another institution (issued outside the application).
new_csr other ec
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/other.csr" --code 1310000001 --terminal PC9 > "$WORK/other.pem" 2>/dev/null
stop_server

# A data directory made by an older init: no CMP signer, no ca.cmp_name. The server creates
# one (key and certificate) when it starts.
rm -f "$DATA/ca/cmp.pem" "$DATA/keys/cmp.key.pem"
sed -i '/^cmp_name *=/d' "$DATA/claimsca.toml"
END_S=$(date -d "$(openssl x509 -in "$WORK/k1.pem" -noout -enddate | cut -d= -f2)" +%s)
AT91=$(date -u -d "@$((END_S - 91 * 86400 - 43200))" +%Y-%m-%dT%H:%M:%SZ)
start_server "$DATA" --at "$AT91"
# On a cluster (lib.sh) each node upgrades its own copy of the data directory: node 1's.
SIGNER=$DATA
if cluster_mode; then SIGNER=$WORK/cluster/node1; fi
grep -q '"cmp_signer_created"' "$WORK/server.log" || fail "no CMP signer created for an old data directory"
[ -f "$SIGNER/ca/cmp.pem" ] && [ -f "$SIGNER/keys/cmp.key.pem" ] || fail "CMP signer files"
openssl x509 -in "$SIGNER/ca/cmp.pem" -noout -subject | grep -q "CMP Signer 1" || fail "CMP signer name"
T91=$(( $(date -d "$AT91" +%s) + 60 ))
openssl verify -attime "$T91" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  "$SIGNER/ca/cmp.pem" >/dev/null || fail "openssl verify: created CMP signer certificate"
ok "an old data directory without the CMP signer gets one when the server starts"
before=$(certs)
expect_fail "kur 91 days before the end" ocmp -cmd kur "${CA[@]}" -attime "$T91" -cert "$WORK/k1.pem" -key "$WORK/k1.key" \
  -newkey "$WORK/k2.key" -certout "$WORK/k2.pem" -unprotected_errors
grep -q "renewal_not_open" "$WORK/server.log" || fail "the early kur is not logged with its reason"
[ "$(certs)" = "$before" ] || fail "an early kur issued something"
stop_server

AT89=$(date -u -d "@$((END_S - 89 * 86400 - 43200))" +%Y-%m-%dT%H:%M:%SZ)
start_server "$DATA" --at "$AT89"
NOW=$(( $(date -d "$AT89" +%s) + 60 ))
CA+=(-attime "$NOW")  # the server's clock: the CMP signer certificate is verified then
before=$(certs)
expect_fail "kur signed by another institution's certificate" ocmp -cmd kur "${CA[@]}" \
  -cert "$WORK/other.pem" -key "$WORK/other.key" -oldcert "$WORK/k1.pem" -newkey "$WORK/k2.key" \
  -certout "$WORK/k2.pem" -unprotected_errors
[ "$(certs)" = "$before" ] || fail "a foreign kur issued something"
ocmp -cmd kur "${CA[@]}" -cert "$WORK/k1.pem" -key "$WORK/k1.key" -newkey "$WORK/k2.key" \
  -certout "$WORK/k2.pem" >"$WORK/kur.log" 2>&1 || { cat "$WORK/kur.log"; fail "kur"; }
openssl verify -attime "$NOW" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  -purpose sslclient "$WORK/k2.pem" >/dev/null || fail "openssl verify: kur certificate"
[ "$(ocsp_at "$WORK/k2.pem" "$NOW")" = good ] || fail "OCSP: kur certificate"
[ "$(ocsp_at "$WORK/k1.pem" "$NOW")" = good ] || fail "OCSP: the renewed-away certificate stays good"
[ "$(sql "SELECT count(*) FROM fee_charges WHERE kind = 'renewal' AND total_yen = 1500")" = 1 ] || fail "renewal fee"
ok "kur 89 days before the end (response verified with only the root trusted): renewed (verify, OCSP good, 1,500 yen); another institution's signature refused"

# The agent: status in one line, then its daily check renews by itself over HTTP (kur)
# once inside its renewal days, writing the new key and certificate in place.
cp "$WORK/k2.pem" "$WORK/agent.pem"; cp "$WORK/k2.key" "$WORK/agent.key"
"$CLAIMSCA" agent status --cert "$WORK/agent.pem" --at "$AT89" > "$WORK/status.out"
[ "$(wc -l < "$WORK/status.out")" = 1 ] && grep -q "renews by itself on" "$WORK/status.out" ||
  fail "agent status: $(cat "$WORK/status.out")"
stop_server
K2_END=$(date -d "$(openssl x509 -in "$WORK/k2.pem" -noout -enddate | cut -d= -f2)" +%s)
AT_AGENT=$(date -u -d "@$((K2_END - 40 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
start_server "$DATA" --at "$AT_AGENT"
"$CLAIMSCA" agent check --cert "$WORK/agent.pem" --key "$WORK/agent.key" --server "127.0.0.1:$PORT" \
  --trusted "$DATA/ca/root.pem" --at "$AT_AGENT" > "$WORK/agent.out" 2>&1 || { cat "$WORK/agent.out"; fail "agent check"; }
grep -q "renewed:" "$WORK/agent.out" || fail "agent did not renew: $(cat "$WORK/agent.out")"
[ "$(openssl x509 -in "$WORK/agent.pem" -noout -pubkey)" = "$(openssl pkey -in "$WORK/agent.key" -pubout)" ] ||
  fail "the agent's new key and certificate do not match"
NOW=$(( $(date -d "$AT_AGENT" +%s) + 60 ))
[ "$(ocsp_at "$WORK/agent.pem" "$NOW")" = good ] || fail "OCSP: agent's certificate"
cp "$WORK/agent.pem" "$WORK/k2.pem"; cp "$WORK/agent.key" "$WORK/k2.key"
ok "agent: one-line status; its daily check renewed over CMP (kur) and installed the new key and certificate"

# rr by the holder: a reason the holder may not give is refused; keyCompromise is recorded
# and revoked at once; a revoked certificate cannot renew.
CA=(-trusted "$DATA/ca/root.pem" -attime "$NOW")
expect_fail "rr with reason certificateHold (6)" ocmp -cmd rr "${CA[@]}" -cert "$WORK/k2.pem" \
  -key "$WORK/k2.key" -oldcert "$WORK/k2.pem" -revreason 6 -unprotected_errors
grep -q "may not be given by the holder" "$WORK/server.log" || fail "the refused reason is not logged"
[ "$(ocsp_at "$WORK/k2.pem" "$NOW")" = good ] || fail "a refused rr revoked something"
ocmp -cmd rr "${CA[@]}" -cert "$WORK/k2.pem" -key "$WORK/k2.key" -oldcert "$WORK/k2.pem" \
  -revreason 1 >"$WORK/rr.log" 2>&1 || { cat "$WORK/rr.log"; fail "rr"; }
[ "$(ocsp_at "$WORK/k2.pem" "$NOW")" = revoked ] || fail "OCSP after rr"
openssl ocsp -issuer "$DATA/ca/issuing-1.pem" -cert "$WORK/k2.pem" -url "$BASE/ocsp" \
  -CAfile "$DATA/ca/root.pem" -attime "$NOW" -validity_period 400000000 2>&1 |
  grep -q "Reason: keyCompromise" || fail "OCSP: the rr's reason (keyCompromise)"
[ "$(sql "SELECT count(*) FROM certificates WHERE revocation_reason = 1")" = 1 ] ||
  fail "stored revocation reason"
"$CLAIMSCA" crl --data "$DATA" --at "$(date -u -d "@$((NOW + 600))" +%Y-%m-%dT%H:%M:%SZ)" --out "$WORK/crl.der" >/dev/null 2>&1 || fail "claimsca crl"
openssl crl -inform DER -in "$WORK/crl.der" -noout -text | grep -q "Key Compromise" || fail "CRL: keyCompromise"
before=$(certs)
expect_fail "kur with a revoked certificate" ocmp -cmd kur "${CA[@]}" -cert "$WORK/k2.pem" -key "$WORK/k2.key" \
  -newkey "$WORK/k1.key" -certout "$WORK/k3.pem" -unprotected_errors
[ "$(certs)" = "$before" ] || fail "a revoked certificate renewed"
ok "rr by the holder (-revreason 1; 6 refused): openssl ocsp and the CRL say keyCompromise; kur with it refused"

# The agent behind a proxy that loses answers (docs/renewal-and-cmp.md, "A lost answer"):
# the server down, then the kup lost after the server committed, then the retry's pkiConf
# lost: the agent ends with a working certificate that is the application's current one,
# and the renewal is charged once.
stop_server
start_server "$DATA"
apply_terminal
curl -fsS -o "$WORK/a3.p12" "${J[@]}" --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" \
  "$BASE/api/v1/download"
openssl pkcs12 -in "$WORK/a3.p12" -passin "pass:$PASSWORD" -nokeys -clcerts -out "$WORK/a3.pem" 2>/dev/null
openssl pkcs12 -in "$WORK/a3.p12" -passin "pass:$PASSWORD" -nocerts -nodes -out "$WORK/a3.key" 2>/dev/null
stop_server
A3_FIRST=$(serial_of "$WORK/a3.pem")
A3_END=$(date -d "$(openssl x509 -in "$WORK/a3.pem" -noout -enddate | cut -d= -f2)" +%s)
AT_A3=$(date -u -d "@$((A3_END - 40 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
# The clock goes back from the agent's run above (years later): a CMP signer made now.
rm -f "$DATA/ca/cmp.pem" "$DATA/keys/cmp.key.pem"
start_server "$DATA" --at "$AT_A3"
# agent_via DROP: one daily check through the proxy dropping answers DROP; output in agent3.out.
agent_via() {
  rm -f "$WORK/proxy.port"
  python3 "$(dirname "$0")/drop_proxy.py" "$WORK/proxy.port" "${2:-$PORT}" http "$1" 2>>"$WORK/proxy.log" &
  local proxy=$!
  EXTRA_PIDS+=("$proxy")
  for _ in $(seq 1 100); do [ -s "$WORK/proxy.port" ] && break; sleep 0.05; done
  "$CLAIMSCA" agent check --cert "$WORK/a3.pem" --key "$WORK/a3.key" --server "127.0.0.1:$(cat "$WORK/proxy.port")" \
    --trusted "$DATA/ca/root.pem" --at "$AT_A3" > "$WORK/agent3.out" 2>&1 || { cat "$WORK/agent3.out"; fail "agent check"; }
  kill "$proxy"; wait "$proxy" 2>/dev/null || true
}
# Renewal charges in force (the ledger keeps a replaced one with its credit note).
charges3() { sql "SELECT count(*) FROM fee_charges WHERE kind = 'renewal' AND request_id = '$RID' AND cancels_entry_id IS NULL AND entry_id NOT IN (SELECT cancels_entry_id FROM fee_charges WHERE cancels_entry_id IS NOT NULL)"; }
# Nothing listens on the proxy's target: the server is down.
DOWN_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
agent_via "" "$DOWN_PORT"
grep -q "renewal failed: server down or unreachable" "$WORK/agent3.out" && ! grep -q "no status" "$WORK/agent3.out" ||
  fail "agent, server down: $(cat "$WORK/agent3.out")"
agent_via 1
grep -q "renewal failed" "$WORK/agent3.out" || fail "agent, kup lost: $(cat "$WORK/agent3.out")"
[ "$(serial_of "$WORK/a3.pem")" = "$A3_FIRST" ] || fail "the agent installed something after a lost kup"
[ "$(charges3)" = 1 ] || fail "the renewal behind the lost kup is not recorded once"
agent_via 2
grep -q "renewed: .*confirmation was lost" "$WORK/agent3.out" || fail "agent, pkiConf lost: $(cat "$WORK/agent3.out")"
A3_NOW=$(( $(date -d "$AT_A3" +%s) + 60 ))
[ "$(serial_of "$WORK/a3.pem" | tr A-F a-f)" = "$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")" ] ||
  fail "the installed certificate is not the application's current one"
[ "$(openssl x509 -in "$WORK/a3.pem" -noout -pubkey)" = "$(openssl pkey -in "$WORK/a3.key" -pubout)" ] ||
  fail "the agent's key and certificate do not match"
openssl verify -attime "$A3_NOW" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  -purpose sslclient "$WORK/a3.pem" >/dev/null || fail "openssl verify: the certificate installed after the lost pkiConf"
[ "$(sql "SELECT count(*) FROM certificates WHERE serial = '$(serial_of "$WORK/a3.pem" | tr A-F a-f)' AND revoked_at IS NULL")" = 1 ] ||
  fail "the installed certificate is revoked"
[ "$(charges3)" = 1 ] || fail "charged $(charges3) times"
[ "$(sql "SELECT count(*) FROM certificates WHERE request_id = '$RID' AND revocation_reason = 4")" = 1 ] ||
  fail "the certificate of the lost kup is not superseded"
agent_via ""
! grep -q "failed" "$WORK/agent3.out" || fail "the next check: $(cat "$WORK/agent3.out")"
ok "agent: server down (reason and what to do), kup lost (retried), pkiConf lost (installed): a working, current certificate, charged once"
finish
