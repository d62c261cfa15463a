#!/usr/bin/env bash
# The pages a person uses (docs/portal.md): the download site answers a page that says what
# was downloaded and hands the file by a short-lived link for that browser only; the
# terminal site (mTLS with the current certificate, time moved by --at) shows the end date,
# refuses renewal before the window with the opening date, and inside it renews through
# the engine of POST /terminal/renew (docs/renewal-and-cmp.md): the fee on the confirmation
# page, a server-made key as PKCS#12 under a password shown once (opened by openssl pkcs12
# and NSS pk12util), a confirmation posted again (a lost answer, a double click) charged
# once, and the terminal's own CSR uploaded as a file.
# Usage: terminal_page_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" terminal_page
clinic_terminal_setup

# ---- download site ---------------------------------------------------------------------
apply_terminal
JAR=$WORK/download.jar
curl -fsS -c "$JAR" -o "$WORK/dl.html" "$BASE/download/"
grep -q 'ダウンロードパスワード' "$WORK/dl.html" || fail "the form does not name the ダウンロードパスワード"
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/dl.html" | head -1)
[ -n "$CSRF" ] || fail "no CSRF value on the download page"
code=$(curl -sS -b "$JAR" -o "$WORK/dl-wrong.html" -w '%{http_code}' \
  --data-urlencode "csrf=$CSRF" --data-urlencode "request_id=$RID" --data-urlencode "password=wrong-password-1" \
  "$BASE/download/")
[ "$code" = 401 ] && grep -q 'id="download-error"' "$WORK/dl-wrong.html" || fail "wrong password: $code"
code=$(curl -sS -b "$JAR" -o "$WORK/dl-ok.html" -w '%{http_code}' \
  --data-urlencode "csrf=$CSRF" --data-urlencode "request_id=$RID" --data-urlencode "password=$PASSWORD" \
  "$BASE/download/")
[ "$code" = 200 ] || fail "download: $code"
grep -q 'id="download-done"' "$WORK/dl-ok.html" && grep -q "$RID.p12" "$WORK/dl-ok.html" ||
  fail "the page does not say what was downloaded"
! grep -q 'id="download-error"' "$WORK/dl-ok.html" || fail "the earlier error is still shown"
grep -q '証明書のインポート ウィザード' "$WORK/dl-ok.html" && grep -q '拇印（フィンガープリント）' "$WORK/dl-ok.html" ||
  fail "no next steps on the page"
LINK=$(sed -n 's/.*href="\(\/download\/file?t=[0-9a-f]*\)".*/\1/p' "$WORK/dl-ok.html" | head -1)
[ -n "$LINK" ] || fail "no file link"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE$LINK")
[ "$code" = 410 ] || fail "the link works without the browser's cookie: $code"
curl -fsS -b "$JAR" -D "$WORK/dl.h" -o "$WORK/dl.p12" "$BASE$LINK"
grep -qi "content-disposition: attachment; filename=\"$RID.p12\"" "$WORK/dl.h" || fail "no attachment header"
openssl pkcs12 -in "$WORK/dl.p12" -passin "pass:$PASSWORD" -nokeys -clcerts -out "$WORK/t.pem" 2>/dev/null ||
  fail "openssl pkcs12 cannot open the downloaded file"
openssl pkcs12 -in "$WORK/dl.p12" -passin "pass:$PASSWORD" -nocerts -nodes -out "$WORK/t.key" 2>/dev/null
curl -fsS -b "$JAR" -o "$WORK/dl2.p12" "$BASE$LINK"
cmp -s "$WORK/dl.p12" "$WORK/dl2.p12" || fail "a second click within the time gets another file"
ok "download site: a page naming $RID.p12 with the next steps, the file by a link for that browser only"

OLD_SERIAL=$(serial_of "$WORK/t.pem" | tr A-F a-f)
END_S=$(date -d "$(openssl x509 -in "$WORK/t.pem" -noout -enddate | cut -d= -f2)" +%s)
# Noon (11:59:59 JST) of the day N days before the end date: the end is 23:59:59 JST, and
# a server started a second before the window opens would be inside it a second later.
at() { date -u -d "@$((END_S - $1 * 86400 - 43200))" +%Y-%m-%dT%H:%M:%SZ; }
stop_server

# tcurl NAME ARGS...: curl on the mTLS listener with the certificate NAME.pem/NAME.key and
# the cookie jar NAME.jar.
tcurl() {
  local n=$1; shift
  curl -sS --cacert "$DATA/ca/root.pem" --cert "$WORK/$n.pem" --key "$WORK/$n.key" \
    -b "$WORK/$n.jar" -c "$WORK/$n.jar" "$@"
}
T=https://127.0.0.1
renewal_charges() { sql "SELECT count(*) FROM fee_charges WHERE kind = 'renewal' AND request_id = '$1' AND cancels_entry_id IS NULL AND entry_id NOT IN (SELECT cancels_entry_id FROM fee_charges WHERE cancels_entry_id IS NOT NULL)"; }
renewal_net() { sql "SELECT coalesce(sum(total_yen), 0) FROM fee_charges WHERE kind = 'renewal' AND request_id = '$1'"; }
csrf_of() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$1" | head -1; }

# ---- outside the window ----------------------------------------------------------------
start_server "$DATA" --at "$(at 91)"
tcurl t -o "$WORK/p0.html" "$T:$MTLS_PORT/terminal/"
# Renewal opens at 00:00 JST of the day 90 days before the end date (whole JST days).
OPENS=$(TZ=Asia/Tokyo date -d "@$((END_S - 90 * 86400))" +%Y/%m/%d)
grep -q 'id="renewal-not-yet"' "$WORK/p0.html" && grep -q "$OPENS" "$WORK/p0.html" ||
  fail "before the window the page does not say renewal opens on $OPENS"
! grep -q 'action="/terminal/update"' "$WORK/p0.html" || fail "a 更新 form before the window"
TCSRF=$(csrf_of "$WORK/p0.html")
code=$(tcurl t -o "$WORK/p0b.html" -w '%{http_code}' --data-urlencode "csrf=$TCSRF" -d method=server -d confirmed=1 \
  "$T:$MTLS_PORT/terminal/update")
[ "$code" = 409 ] || fail "renewal before the window: $code"
[ "$(renewal_charges "$RID")" = 0 ] || fail "a refused renewal was charged"
ok "91 days before the end: no 更新 button, the page says renewal opens on $OPENS, a posted renewal is refused (409), nothing charged"
stop_server

# ---- inside the window: server-made key --------------------------------------------------
start_server "$DATA" --at "$(at 89)"
tcurl t -o "$WORK/p1.html" "$T:$MTLS_PORT/terminal/"
grep -q 'id="renewal-open"' "$WORK/p1.html" && grep -q '1,500円' "$WORK/p1.html" ||
  fail "inside the window: no 更新 form with the fee"
TCSRF=$(csrf_of "$WORK/p1.html")
code=$(tcurl t -o "$WORK/p2.html" -w '%{http_code}' --data-urlencode "csrf=$TCSRF" -d method=server -d confirmed=0 \
  "$T:$MTLS_PORT/terminal/update")
[ "$code" = 200 ] && grep -q 'id="renew-fee">1,500円' "$WORK/p2.html" || fail "confirmation page: $code"
[ "$(renewal_charges "$RID")" = 0 ] || fail "charged before the confirmation"
ok "89 days before the end: the 更新 form, then a confirmation page stating the fee (1,500円), nothing charged yet"

renew_server() {  # renew_server OUT: posts the confirmation; prints the status
  tcurl t -o "$1" -w '%{http_code}' --data-urlencode "csrf=$TCSRF" -d method=server -d confirmed=1 \
    "$T:$MTLS_PORT/terminal/update"
}
code=$(renew_server "$WORK/p3.html")
[ "$code" = 201 ] || fail "renewal: $code"
FIRST=$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")
code=$(renew_server "$WORK/p4.html")  # the answer was lost, or the button pressed twice
[ "$code" = 201 ] || fail "the confirmation posted again: $code"
[ "$(renewal_charges "$RID")" = 1 ] && [ "$(renewal_net "$RID")" = 1500 ] ||
  fail "a confirmation posted twice was charged $(renewal_charges "$RID") times ($(renewal_net "$RID") yen)"
PW=$(sed -n 's/.*id="renewal-password">\([^<]*\)<.*/\1/p' "$WORK/p4.html")
[ ${#PW} = 16 ] || fail "no password shown: '$PW'"
LINK=$(sed -n 's/.*href="\(\/terminal\/file?t=[0-9a-f]*\)".*/\1/p' "$WORK/p4.html" | head -1)
tcurl t -D "$WORK/f.h" -o "$WORK/n.p12" "$T:$MTLS_PORT$LINK"
grep -qi "filename=\"$RID.p12\"" "$WORK/f.h" || fail "no PKCS#12 attachment: $(head -1 "$WORK/f.h")"
openssl pkcs12 -in "$WORK/n.p12" -passin "pass:$PW" -nokeys -clcerts -out "$WORK/n.pem" 2>/dev/null ||
  fail "openssl pkcs12 cannot open the renewed file"
openssl pkcs12 -in "$WORK/n.p12" -passin "pass:$PW" -nocerts -nodes -out "$WORK/n.key" 2>/dev/null
mkdir -p "$WORK/nss"
certutil -N -d "sql:$WORK/nss" --empty-password
echo "$PW" > "$WORK/pw.txt"
pk12util -i "$WORK/n.p12" -d "sql:$WORK/nss" -w "$WORK/pw.txt" >/dev/null || fail "pk12util cannot import the renewed file"
NEW_SERIAL=$(serial_of "$WORK/n.pem" | tr A-F a-f)
certutil -L -d "sql:$WORK/nss" | grep -q 'u,u,u' || fail "NSS holds no certificate with its key after pk12util"
openssl verify -attime "$(($(date -d "$(at 89)" +%s) + 600))" -CAfile "$DATA/ca/root.pem" -untrusted "$DATA/ca/issuing-1.pem" \
  "$WORK/n.pem" >/dev/null || fail "openssl verify: the renewed certificate"
[ "$NEW_SERIAL" = "$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")" ] ||
  fail "the file is not the application's current certificate"
[ "$(sql "SELECT revocation_reason FROM certificates WHERE serial = '$FIRST'")" = 4 ] ||
  fail "the first answer's certificate was not superseded by the retry"
[ "$(sql "SELECT count(*) FROM audit_log WHERE subject = '$RID' AND action = 'application.renew' AND actor LIKE '%terminal-page%'")" -ge 1 ] ||
  [ "$(sql "SELECT count(*) FROM audit_log WHERE subject = '$RID' AND action = 'application.renew' AND details LIKE '%terminal-page%'")" -ge 1 ] ||
  fail "no audit row application.renew from the terminal page: $(sql "SELECT actor, action, details FROM audit_log WHERE subject = '$RID'")"
ok "renewed with a server-made key: the password shown once, the PKCS#12 opened by openssl pkcs12 and NSS pk12util, a second confirmation replaced the first answer (superseded) and was charged once"

# The new certificate's first visit confirms it; the old one is then told it was renewed.
tcurl n -o "$WORK/p5.html" "$T:$MTLS_PORT/terminal/"
grep -q "$(TZ=Asia/Tokyo date -d "$(openssl x509 -in "$WORK/n.pem" -noout -enddate | cut -d= -f2)" +%Y/%m/%d)" "$WORK/p5.html" ||
  fail "the new certificate's page does not show its end date"
tcurl t -o "$WORK/p6.html" "$T:$MTLS_PORT/terminal/"
grep -q 'id="renewal-done-before"' "$WORK/p6.html" || fail "the old certificate is not told it was renewed"
code=$(tcurl t -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$TCSRF" -d method=server \
  -d confirmed=1 "$T:$MTLS_PORT/terminal/update")
[ "$code" = 409 ] && [ "$(renewal_charges "$RID")" = 1 ] || fail "renewing again with the old certificate: $code"
ok "the new certificate's first visit confirmed it: the old one's page says it was renewed, and it can no longer renew"
stop_server

# ---- the terminal's own CSR, uploaded as a file ----------------------------------------
start_server "$DATA"
issue_terminal u
END_S=$(date -d "$(openssl x509 -in "$WORK/u.pem" -noout -enddate | cut -d= -f2)" +%s)
stop_server
start_server "$DATA" --at "$(at 30)"
tcurl u -o "$WORK/c1.html" "$T:$MTLS_PORT/terminal/"
UCSRF=$(csrf_of "$WORK/c1.html")
code=$(tcurl u -o "$WORK/c2.html" -w '%{http_code}' -F "csrf=$UCSRF" -F method=csr -F confirmed=0 \
  -F "csr=not a CSR" "$T:$MTLS_PORT/terminal/update")
[ "$code" = 422 ] && grep -q 'id="csr-error"' "$WORK/c2.html" || fail "an unreadable CSR: $code"
new_csr own ec
code=$(tcurl u -o "$WORK/c3.html" -w '%{http_code}' -F "csrf=$UCSRF" -F method=csr -F confirmed=0 \
  -F "csr_file=@$WORK/own.csr" "$T:$MTLS_PORT/terminal/update")
[ "$code" = 200 ] && grep -q 'id="renew-fee">1,500円' "$WORK/c3.html" || fail "CSR confirmation page: $code"
CSR_TEXT=$(cat "$WORK/own.csr")
code=$(tcurl u -o "$WORK/c4.html" -w '%{http_code}' --data-urlencode "csrf=$UCSRF" -d method=csr -d confirmed=1 \
  --data-urlencode "csr=$CSR_TEXT" "$T:$MTLS_PORT/terminal/update")
[ "$code" = 201 ] || fail "CSR renewal: $code"
! grep -q 'id="renewal-password"' "$WORK/c4.html" || fail "a password shown for the terminal's own key"
LINK=$(sed -n 's/.*href="\(\/terminal\/file?t=[0-9a-f]*\)".*/\1/p' "$WORK/c4.html" | head -1)
tcurl u -o "$WORK/own.cer" "$T:$MTLS_PORT$LINK"
[ "$(openssl x509 -inform DER -in "$WORK/own.cer" -noout -pubkey)" = "$(openssl pkey -in "$WORK/own.key" -pubout)" ] ||
  fail "the certificate is not for the terminal's key"
[ "$(renewal_charges "$RID")" = 1 ] || fail "CSR renewal charges: $(renewal_charges "$RID")"
ok "renewed with the terminal's own CSR uploaded as a file (an unreadable one refused on the field), the certificate for that key, charged once"
finish
