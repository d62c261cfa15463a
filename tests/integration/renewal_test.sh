#!/usr/bin/env bash
# Renewal over HTTPS with the current certificate (docs/renewal-and-cmp.md): a terminal
# gets its certificate through the RA (application → download), then, with the server's
# clock moved by --at, renews on the mTLS listener: refused 91 days before the end with
# the opening date, accepted 89 days before with its own key (CSR) and again later with a
# server-made key as PKCS#12 under the password it sets; refused after expiry with the
# cost of a new application. Each result checked with openssl verify / openssl ocsp.
# Usage: renewal_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" renewal
clinic_terminal_setup
# issue_terminal NAME: an application, its download, NAME.pem / NAME.key in $WORK.
issue_terminal() {
  apply_terminal
  curl -fsS -o "$WORK/$1.p12" "${J[@]}" --data-binary "{\"request_id\":\"$RID\",\"password\":\"$PASSWORD\"}" \
    "$BASE/api/v1/download"
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$PASSWORD" -nokeys -clcerts -out "$WORK/$1.pem" 2>/dev/null
  openssl pkcs12 -in "$WORK/$1.p12" -passin "pass:$PASSWORD" -nocerts -nodes -out "$WORK/$1.key" 2>/dev/null
}
issue_terminal t2
RID2=$RID
issue_terminal t
OLD_SERIAL=$(serial_of "$WORK/t.pem")
END=$(openssl x509 -in "$WORK/t.pem" -noout -enddate | cut -d= -f2)
END_S=$(date -d "$END" +%s)
at() { date -u -d "@$((END_S - $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ; }
ok "terminal certificate $OLD_SERIAL for $RID, ends $END"
stop_server

# renew NAME BODY: POST /terminal/renew with the certificate NAME.pem/NAME.key; prints the
# body then the status.
renew() {
  curl -s -w '\n%{http_code}' --cacert "$DATA/ca/root.pem" --cert "$WORK/$1.pem" --key "$WORK/$1.key" \
    "${J[@]}" --data-binary "$2" "https://127.0.0.1:$MTLS_PORT/terminal/renew"
}
status_of() { tail -n1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }
new_csr n1 ec
CSR_JSON=$(jq -Rs '{csr: .}' "$WORK/n1.csr")

start_server "$DATA" --at "$(at 91)"
r=$(renew t "$CSR_JSON")
[ "$(status_of "$r")" = 409 ] && body_of "$r" | grep -q "renewal_not_open: renewal opens on" ||
  fail "91 days before the end: $r"
r=$(curl -s --cacert "$DATA/ca/root.pem" --cert "$WORK/t.pem" --key "$WORK/t.key" \
  "https://127.0.0.1:$MTLS_PORT/terminal/renewal")
[ "$(jq -r .renewal_open <<<"$r")" = false ] || fail "renewal info at 91 days: $r"
expect_fail "renewal without a client certificate" curl -fsS --cacert "$DATA/ca/root.pem" "${J[@]}" \
  --data-binary "$CSR_JSON" "https://127.0.0.1:$MTLS_PORT/terminal/renew"
[ "$(sql "SELECT count(*) FROM certificates")" = 2 ] || fail "something was issued"
ok "91 days before the end: refused (409) with the opening date; nothing issued"
stop_server

start_server "$DATA" --at "$(at 89)"
r=$(renew t "$CSR_JSON")
[ "$(status_of "$r")" = 201 ] || fail "89 days before the end: $r"
body_of "$r" | jq -r .certificate > "$WORK/n1.pem"
[ "$(body_of "$r" | jq -r .fee_yen)" = 1500 ] || fail "renewal fee: $r"
[ "$(body_of "$r" | jq -r .request_id)" = "$RID" ] || fail "same application: $r"
NOW=$(( $(date -d "$(at 89)" +%s) + 60 ))
openssl verify -attime "$NOW" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  -purpose sslclient "$WORK/n1.pem" >/dev/null || fail "openssl verify: renewed certificate"
[ "$(openssl x509 -in "$WORK/n1.pem" -noout -pubkey)" = "$(openssl pkey -in "$WORK/n1.key" -pubout)" ] ||
  fail "the renewed certificate is not for the terminal's key"
openssl x509 -in "$WORK/n1.pem" -noout -subject | grep -q 0110112489 || fail "subject code"
[ "$(ocsp_at "$WORK/n1.pem" "$NOW")" = good ] || fail "OCSP of the renewed certificate"
[ "$(ocsp_at "$WORK/t.pem" "$NOW")" = good ] || fail "the old certificate stays good"
[ "$(sql "SELECT total_yen || '/' || mailing_fee_yen FROM fee_charges WHERE kind = 'renewal'")" = "1500/0" ] ||
  fail "renewal fee charge"
r=$(renew t "$CSR_JSON")
[ "$(status_of "$r")" = 409 ] && body_of "$r" | grep -q not_current || fail "renewing twice: $r"
ok "89 days before the end: renewed with the terminal's key (CSR); verify + OCSP good; old one still good; 1,500 yen, no mailing fee"

# Another terminal renews with a server-made key, as PKCS#12 under the password it sets.
r=$(renew t2 '{"pkcs12_password":"chosen-by-user-1"}')
[ "$(status_of "$r")" = 201 ] && [ "$(body_of "$r" | jq -r .request_id)" = "$RID2" ] ||
  fail "server-made key renewal: $r"
body_of "$r" | jq -r .pkcs12 | base64 -d > "$WORK/n2.p12"
openssl pkcs12 -in "$WORK/n2.p12" -passin pass:chosen-by-user-1 -nokeys -clcerts -out "$WORK/n2.pem" 2>/dev/null ||
  fail "openssl pkcs12 cannot open the renewed PKCS#12"
openssl verify -attime "$NOW" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  "$WORK/n2.pem" >/dev/null || fail "openssl verify: server-made renewal"
ok "another terminal renewed with a server-made key as PKCS#12 under the user's password"
stop_server

# After the end: the TLS layer already refuses the expired certificate (the database says
# expired at the server's clock); the engine's own message is checked by the unit tests.
start_server "$DATA" --at "$(at -1)"
before=$(sql "SELECT count(*) FROM certificates")
r=$(renew t "$CSR_JSON" 2>/dev/null) || true
[ "$(status_of "$r")" != 201 ] || fail "renewed after expiry: $r"
[ "$(sql "SELECT count(*) FROM certificates")" = "$before" ] || fail "issued after expiry"
ok "after the end: refused; nothing issued"
finish
