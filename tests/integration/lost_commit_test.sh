#!/usr/bin/env bash
# A write whose COMMIT answer is lost (docs/renewal-and-cmp.md "Signed but not recorded";
# issue 22's failover test found it): the server commits a renewal, but the connection
# breaks before the answer reaches claimsca — a primary killed after its synchronous
# standby had the transaction, a network cut. claimsca cannot know the outcome from the
# error, so it must not revoke the new certificate on that guess: the terminal's retry is
# answered with that very certificate (the renewal is recorded), and it must be valid.
# A loopback proxy of PostgreSQL's protocol (pg_lost_commit_proxy.py) swallows the answer to
# the COMMIT of the transaction that records the renewal (INSERT INTO renewal_pending).
# Usage: lost_commit_test.sh   (PostgreSQL only)
source "$(dirname "$0")/lib.sh"
DATA=$WORK/data
ARGS=()
use_backend postgres lost_commit
DB=${PG_URL##*/}
TARGET=${CLAIMSCA_TEST_PG_URL#*@127.0.0.1:}; TARGET=${TARGET%%/*}
ARM=$WORK/arm
python3 "$(dirname "$0")/pg_lost_commit_proxy.py" "$WORK/pgproxy.port" "$TARGET" "$ARM" 2>>"$WORK/pgproxy.log" &
EXTRA_PIDS+=("$!")
for _ in $(seq 1 100); do [ -s "$WORK/pgproxy.port" ] && break; sleep 0.05; done
[ -s "$WORK/pgproxy.port" ] || fail "proxy did not start"
# claimsca reaches the database only through the proxy; the test's own `sql` goes direct.
ARGS=(--demo --key-algorithm ecp256
  --database "postgresql://postgres@127.0.0.1:$(cat "$WORK/pgproxy.port")/$DB?sslmode=disable&gssencmode=disable")
clinic_terminal_setup
issue_terminal t
END_S=$(date -d "$(openssl x509 -in "$WORK/t.pem" -noout -enddate | cut -d= -f2)" +%s)
AT=$(date -u -d "@$((END_S - 60 * 86400 - 43200))" +%Y-%m-%dT%H:%M:%SZ)  # inside the window
stop_server
start_server "$DATA" --at "$AT"
ok "terminal certificate $(serial_of "$WORK/t.pem") of $RID; the server 60 days before its end"

new_csr n ec
CSR_JSON=$(jq -Rs '{csr: .}' "$WORK/n.csr")
renew() {
  curl -s -w '\n%{http_code}' --cacert "$DATA/ca/root.pem" --cert "$WORK/t.pem" --key "$WORK/t.key" \
    "${J[@]}" --data-binary "$CSR_JSON" "https://127.0.0.1:$MTLS_PORT/terminal/renew"
}
echo "INSERT INTO renewal_pending" > "$ARM"
r=$(renew)
grep -q "dropped COMMIT answer" "$WORK/pgproxy.log" || fail "the proxy did not drop the COMMIT's answer (answer: $r)"
[ "$(tail -n1 <<<"$r")" != 201 ] || fail "the renewal was answered although its COMMIT's answer was lost: $r"
N=$(sql "SELECT serial FROM applications WHERE request_id = '$RID'")
[ "$N" != "$(serial_of "$WORK/t.pem" | tr A-F a-f)" ] || fail "the renewal did not commit (the proxy cut too early)"
[ "$(sql "SELECT count(*) FROM renewal_pending WHERE request_id = '$RID' AND serial = '$N'")" = 1 ] ||
  fail "no pending renewal to $N"
revoked=$(sql "SELECT coalesce(revocation_reason::text, 'valid') FROM certificates WHERE serial = '$N'")
[ "$revoked" = valid ] || fail "the committed renewal's certificate $N was revoked (reason $revoked) on the guess that it was not recorded"
ok "COMMIT's answer lost: the server answered $(tail -n1 <<<"$r"); the renewal to $N is recorded and $N stays valid"

# The terminal retries with its old certificate and the same CSR: that certificate, valid.
r=$(renew)
[ "$(tail -n1 <<<"$r")" = 201 ] || fail "retry: $r"
[ "$(sed '$d' <<<"$r" | jq -r .serial)" = "$N" ] || fail "the retry got another certificate: $r"
sed '$d' <<<"$r" | jq -r .certificate > "$WORK/n.pem"
NOW=$(( $(date -d "$AT" +%s) + 60 ))
[ "$(ocsp_at "$WORK/n.pem" "$NOW")" = good ] || fail "OCSP of the certificate the retry handed out"
[ "$(sql "SELECT count(*) FROM fee_charges WHERE request_id = '$RID' AND kind = 'renewal'")" = 1 ] ||
  fail "renewal charged more than once"
ok "the retry got $N again (201), OCSP good, one renewal charge"
finish
