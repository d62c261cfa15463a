#!/usr/bin/env bash
# Renewal over HTTPS with the current certificate (docs/renewal-and-cmp.md): a terminal
# gets its certificate through the RA (application → download), then, with the server's
# clock moved by --at, renews on the mTLS listener: refused 91 days before the end with
# the opening date, accepted 89 days before with its own key (CSR) and again later with a
# server-made key as PKCS#12 under the password it sets; refused after expiry with the
# cost of a new application. Each result checked with openssl verify / openssl ocsp.
# Lost answers (docs/renewal-and-cmp.md): a loopback proxy drops the answer after the
# server committed; the retry with the old certificate gets the same certificate (same
# CSR) or a fresh one replacing it (server-made key), the fee charged once; the first use
# of the new certificate confirms it. An expired or revoked certificate gets 409 with the
# explanation in Japanese, and every refusal is one JSON log line.
# Usage: renewal_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" renewal
clinic_terminal_setup
issue_terminal t2
RID2=$RID
issue_terminal t
OLD_SERIAL=$(serial_of "$WORK/t.pem")
END=$(openssl x509 -in "$WORK/t.pem" -noout -enddate | cut -d= -f2)
END_S=$(date -d "$END" +%s)
# Noon (11:59:59 JST) of the day N days before the end date: the end is 23:59:59 JST, and
# a server started a second before the window opens would be inside it a second later.
at() { date -u -d "@$((END_S - $1 * 86400 - 43200))" +%Y-%m-%dT%H:%M:%SZ; }
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
# renew_lost NAME BODY: the same through a proxy that drops the answer (TLS 1.2, so the
# proxy tells the answer from the handshake); prints the status curl saw (000: none).
renew_lost() {
  rm -f "$WORK/proxy.port"
  python3 "$(dirname "$0")/drop_proxy.py" "$WORK/proxy.port" "$MTLS_PORT" tls 1 2>>"$WORK/proxy.log" &
  local proxy=$!
  EXTRA_PIDS+=("$proxy")
  for _ in $(seq 1 100); do [ -s "$WORK/proxy.port" ] && break; sleep 0.05; done
  curl -s -o /dev/null -w '%{http_code}' --tls-max 1.2 --cacert "$DATA/ca/root.pem" --cert "$WORK/$1.pem" \
    --key "$WORK/$1.key" "${J[@]}" --data-binary "$2" "https://127.0.0.1:$(cat "$WORK/proxy.port")/terminal/renew" || true
  kill "$proxy"; wait "$proxy" 2>/dev/null || true
}
# info NAME: GET /terminal/renewal with NAME.pem (its first use confirms a renewal).
info() {
  curl -s --cacert "$DATA/ca/root.pem" --cert "$WORK/$1.pem" --key "$WORK/$1.key" \
    "https://127.0.0.1:$MTLS_PORT/terminal/renewal"
}
# Renewal charges in force (a replaced renewal's charge stays in the ledger with its credit
# note), and the net the institution pays for the application's renewals.
renewal_charges() { sql "SELECT count(*) FROM fee_charges WHERE kind = 'renewal' AND request_id = '$1' AND cancels_entry_id IS NULL AND entry_id NOT IN (SELECT cancels_entry_id FROM fee_charges WHERE cancels_entry_id IS NOT NULL)"; }
renewal_net() { sql "SELECT sum(total_yen) FROM fee_charges WHERE kind = 'renewal' AND request_id = '$1'"; }
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
STARTED=$(date +%s)
# now89: the servers' clock (it runs on from --at), plus a minute, as a time for -attime.
now89() { echo $(( $(date -d "$(at 89)" +%s) + $(date +%s) - STARTED + 60 )); }
# The first answer is lost after the server recorded the renewal.
[ "$(renew_lost t "$CSR_JSON")" = 000 ] || fail "the proxy did not drop the answer"
grep -q "dropped answer 1" "$WORK/proxy.log" || fail "no answer dropped"
[ "$(renewal_charges "$RID")" = 1 ] || fail "the renewal whose answer was lost is not recorded"
LOST=$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")
[ "$LOST" != "$(tr A-F a-f <<<"$OLD_SERIAL")" ] || fail "nothing renewed behind the lost answer"
r=$(info t)
[ "$(jq -r .current <<<"$r")/$(jq -r .renewed_to_unconfirmed <<<"$r")" = true/true ] ||
  fail "the old certificate should still be current for a retry: $r"
# The terminal retries with the old certificate and the same CSR: the same certificate.
r=$(renew t "$CSR_JSON")
[ "$(status_of "$r")" = 201 ] || fail "89 days before the end: $r"
[ "$(body_of "$r" | jq -r .serial)" = "$LOST" ] || fail "the retry got another certificate: $r"
[ "$(renewal_charges "$RID")" = 1 ] || fail "the retry was charged again"
body_of "$r" | jq -r .certificate > "$WORK/n1.pem"
[ "$(body_of "$r" | jq -r .fee_yen)" = 1500 ] || fail "renewal fee: $r"
[ "$(body_of "$r" | jq -r .request_id)" = "$RID" ] || fail "same application: $r"
NOW=$(now89)
openssl verify -attime "$NOW" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  -purpose sslclient "$WORK/n1.pem" >/dev/null || fail "openssl verify: renewed certificate"
[ "$(openssl x509 -in "$WORK/n1.pem" -noout -pubkey)" = "$(openssl pkey -in "$WORK/n1.key" -pubout)" ] ||
  fail "the renewed certificate is not for the terminal's key"
openssl x509 -in "$WORK/n1.pem" -noout -subject | grep -q 0110112489 || fail "subject code"
[ "$(ocsp_at "$WORK/n1.pem" "$NOW")" = good ] || fail "OCSP of the renewed certificate"
[ "$(ocsp_at "$WORK/t.pem" "$NOW")" = good ] || fail "the old certificate stays good"
[ "$(sql "SELECT total_yen || '/' || mailing_fee_yen FROM fee_charges WHERE kind = 'renewal'")" = "1500/0" ] ||
  fail "renewal fee charge"
ok "89 days before the end: answer lost after the commit; the retry with the old certificate got the same certificate; one 1,500 yen charge, no mailing fee; verify + OCSP good; old one still good"
# Its first use confirms it: the old certificate may no longer renew.
[ "$(info n1 | jq -r .current)" = true ] || fail "renewal info with the new certificate"
r=$(renew t "$CSR_JSON")
[ "$(status_of "$r")" = 409 ] && body_of "$r" | grep -q not_current || fail "renewing twice: $r"
grep '"kind":"renewal_refused"' "$WORK/server.log" | grep -q '"rule":"not_current"' ||
  fail "the refusal is not one JSON log line"
[ "$(renewal_charges "$RID")" = 1 ] || fail "charged twice"
ok "the new certificate's first use confirmed it: the old one is refused (not_current, logged as renewal_refused)"

# Another terminal renews with a server-made key, as PKCS#12 under the password it sets;
# its first answer is lost too: the retry gets a fresh PKCS#12 that replaces it.
[ "$(renew_lost t2 '{"pkcs12_password":"lost-password-1"}')" = 000 ] || fail "no answer dropped (PKCS#12)"
LOST2=$(sql "SELECT serial FROM applications WHERE request_id = '$RID2'")
r=$(renew t2 '{"pkcs12_password":"chosen-by-user-1"}')
[ "$(status_of "$r")" = 201 ] && [ "$(body_of "$r" | jq -r .request_id)" = "$RID2" ] ||
  fail "server-made key renewal: $r"
body_of "$r" | jq -r .pkcs12 | base64 -d > "$WORK/n2.p12"
openssl pkcs12 -in "$WORK/n2.p12" -passin pass:chosen-by-user-1 -nokeys -clcerts -out "$WORK/n2.pem" 2>/dev/null ||
  fail "openssl pkcs12 cannot open the renewed PKCS#12"
NOW=$(now89)
openssl verify -attime "$NOW" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  "$WORK/n2.pem" >/dev/null || fail "openssl verify: server-made renewal"
[ "$(serial_of "$WORK/n2.pem" | tr A-F a-f)" != "$LOST2" ] || fail "the lost PKCS#12 came back"
[ "$(sql "SELECT revocation_reason FROM certificates WHERE serial = '$LOST2'")" = 4 ] ||
  fail "the unconfirmed certificate was not superseded"
[ "$(renewal_charges "$RID2")" = 1 ] || fail "the PKCS#12 retry was charged twice"
[ "$(renewal_net "$RID")" = 1500 ] && [ "$(renewal_net "$RID2")" = 1500 ] ||
  fail "net renewal fees: $(renewal_net "$RID") / $(renewal_net "$RID2")"
ok "another terminal renewed with a server-made key as PKCS#12 under the user's password; its lost first answer was replaced (superseded), charged once"

# A revoked terminal certificate: the handshake is accepted to answer 409 in Japanese.
"$CLAIMSCA" revoke --data "$DATA" --serial "$(serial_of "$WORK/t2.pem")" --reason keyCompromise >/dev/null 2>&1 ||
  fail "claimsca revoke"
r=$(curl -s -w '\n%{http_code}' --cacert "$DATA/ca/root.pem" --cert "$WORK/t2.pem" --key "$WORK/t2.key" \
  "https://127.0.0.1:$MTLS_PORT/terminal/renewal")
[ "$(status_of "$r")" = 409 ] && body_of "$r" | grep -q "失効しています" || fail "revoked certificate: $r"
grep '"kind":"mtls_refused"' "$WORK/server.log" | grep -q '"status":409' || fail "mtls_refused not logged"
ok "a revoked certificate over mTLS: 409 with the Japanese explanation (not a TLS alert), logged"
stop_server

# After the end: the expired certificate is told why, in Japanese, with the cost of a new
# application (409 on every request of that connection); nothing is issued.
start_server "$DATA" --at "$(at -1)"
before=$(sql "SELECT count(*) FROM certificates")
r=$(renew t "$CSR_JSON" 2>/dev/null) || true
[ "$(status_of "$r")" = 409 ] || fail "after expiry: $r"
body_of "$r" | grep -q "有効期限が切れています" && body_of "$r" | grep -q "2,292 円" ||
  fail "after expiry, the explanation: $r"
[ "$(sql "SELECT count(*) FROM certificates")" = "$before" ] || fail "issued after expiry"
ok "after the end: 409 with the Japanese explanation and the cost of a new application; nothing issued"
finish
