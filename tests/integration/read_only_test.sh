#!/usr/bin/env bash
# `serve --read-only` (docs/operations.md "Cluster"): beside a read-write serve on the same
# database, it answers OCSP (a revocation through the other within the status cache's
# interval, ocsp.read_only_status_cache_ms = 100 ms: docs/revocation.md), the CRL and the CA
# certificates, refuses everything else with 503 read_only, and writes nothing: on
# PostgreSQL it runs under a role that may only SELECT. It refuses a database without
# schema, and needs no issuing CA key.
# Usage: read_only_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" ro
TOKEN=$("$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" | sed -n 's/^Operator API token.*: //p')
start_server "$DATA" --set crl.debounce_seconds=1
RW=$BASE

# The read-only node's copy of the data directory: no key but the OCSP responders'.
RO_DATA=$WORK/ro
cp -a "$DATA" "$RO_DATA"
find "$RO_DATA/keys" -type f ! -name 'ocsp*' -delete
RO_SETS=()
if [ "$MODE" = postgres ]; then
  # A role that may only read: any write of the read-only node would fail.
  role="ro_$$"
  sql "CREATE ROLE $role LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO $role" > /dev/null
  RO_URL=$(sed "s|postgres@|$role@|" <<<"$PG_URL")
  RO_SETS=(--set "database.url=$RO_URL")
else
  RO_SETS=(--set "database.url=sqlite:$DATA/claimsca.db")  # the same file as the other node
fi
"$CLAIMSCA" serve --read-only --data "$RO_DATA" --listen 127.0.0.1:0 "${RO_SETS[@]}" \
  > "$WORK/ro.out" 2> "$WORK/ro.log" &
EXTRA_PIDS+=($!)
for _ in $(seq 1 200); do grep -q "Press Ctrl-C" "$WORK/ro.out" 2>/dev/null && break; sleep 0.05; done
RO=$(sed -n 's|.*CA certificates, thumbprints \(http://[^/]*\)/ca/.*|\1|p' "$WORK/ro.out")
[ -n "$RO" ] || fail "the read-only node did not start: $(cat "$WORK/ro.log")"
grep -q "serving read-only" "$WORK/ro.out" || fail "banner: $(cat "$WORK/ro.out")"
ok "serve --read-only started on a copy without the issuing CA key ($MODE)"

new_csr t0 ec
jq -Rs '{code: "1310000001", terminal_name: "t0", csr: .}' "$WORK/t0.csr" > "$WORK/issue.json"
curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data @"$WORK/issue.json" "$RW/api/v1/certificates" | jq -r .certificate_pem > "$WORK/t0.pem"
status_via() {
  openssl ocsp -issuer "$DATA/ca/issuing-1.pem" -cert "$WORK/t0.pem" -url "$1/ocsp" \
    -CAfile "$DATA/ca/root.pem" 2>&1 | sed -n "s|^$WORK/t0.pem: *||p" | head -1
}
for _ in 1 2 3; do
  [ "$(status_via "$RO")" = good ] || fail "read-only OCSP: $(status_via "$RO")"
done
hits=$(curl -fsS "$RO/metrics" | sed -n 's/^claimsca_ocsp_status_cache_total{result="hit"} //p')
[ "${hits:-0}" -gt 0 ] || fail "the read-only node's status cache was not used: $(curl -fsS "$RO/metrics" | grep status_cache)"
curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data '{"reason":"keyCompromise"}' "$RW/api/v1/certificates/$(serial_of "$WORK/t0.pem")/revoke" > /dev/null
revoked_ns=$(date +%s%N)
# The read-write node: revoked at once (it reads the status on every request).
[ "$(status_via "$RW")" = revoked ] || fail "read-write OCSP after the revocation: $(status_via "$RW")"
# The read-only node: from its status cache until its next epoch read (every 100 ms), so
# within 100 ms + the lag (here none: the same database); 5 s is the test's deadline.
deadline=$((revoked_ns + 5000000000))
while ro_status=$(status_via "$RO"); [ "$ro_status" != revoked ]; do
  [ "$ro_status" = good ] || fail "read-only OCSP after the revocation: $ro_status"
  [ "$(date +%s%N)" -lt "$deadline" ] || fail "the read-only node still says good 5 s after the revocation"
  sleep 0.01
done
ms=$(( ($(date +%s%N) - revoked_ns) / 1000000 ))
ok "OCSP from the read-only node: good, then revoked ${ms} ms after a revocation through the other (status cache: 100 ms)"

for _ in $(seq 1 100); do
  curl -fsS "$RO/crl/issuing-1.crl" | openssl crl -inform DER -noout -text 2>/dev/null |
    grep -qi "$(serial_of "$WORK/t0.pem")" && break
  sleep 0.1
done
curl -fsS "$RO/crl/issuing-1.crl" | openssl crl -inform DER -noout -text | grep -qi "$(serial_of "$WORK/t0.pem")" ||
  fail "the read-only node's CRL does not list the revoked certificate"
# Its CRL shard (docs/revocation.md, "Sharded CRLs"), by the path in its CRL DP.
SHARD_PATH=$(openssl x509 -in "$WORK/t0.pem" -noout -ext crlDistributionPoints | sed -n 's|^ *URI:http://[^/]*||p')
for _ in $(seq 1 100); do
  curl -fsS "$RO$SHARD_PATH" | openssl crl -inform DER -noout -text 2>/dev/null |
    grep -qi "$(serial_of "$WORK/t0.pem")" && break
  sleep 0.1
done
curl -fsS "$RO$SHARD_PATH" | openssl crl -inform DER -noout -text | grep -qi "$(serial_of "$WORK/t0.pem")" ||
  fail "the read-only node's CRL shard $SHARD_PATH does not list the revoked certificate"
cmp <(curl -fsS "$RO/ca/root.der") "$DATA/ca/root.der" 2>/dev/null ||
  [ "$(curl -fsS "$RO/ca/root.pem")" = "$(cat "$DATA/ca/root.pem")" ] || fail "CA certificate"
[ "$(curl -fsS "$RO/healthz")" = ok ] || fail "healthz"
ok "the CRL and CRL shard published by the read-write node, the CA certificates and /healthz from the read-only node"

# Everything else: 503 read_only, and nothing written.
before=$(sql "SELECT count(*) FROM certificates")
code=$(command curl -s -o "$WORK/r.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' --data @"$WORK/issue.json" "$RO/api/v1/certificates")
[ "$code" = 503 ] && [ "$(jq -r .error.code "$WORK/r.json")" = read_only ] || fail "issuance on the read-only node: $code $(cat "$WORK/r.json")"
for path in /portal/ /console/ /api/v1/applications /download/; do
  code=$(command curl -s -o "$WORK/r.json" -w '%{http_code}' "$RO$path")
  [ "$code" = 503 ] || fail "GET $path on the read-only node: $code"
done
[ "$(sql "SELECT count(*) FROM certificates")" = "$before" ] || fail "the read-only node stored a certificate"
# server.read_only = true (the setting instead of the flag) is the same node.
"$CLAIMSCA" serve --data "$RO_DATA" "${RO_SETS[@]}" --set server.read_only=true --list-routes > "$WORK/routes"
grep -q "POST /ocsp" "$WORK/routes" && ! grep -q "/api/v1/certificates" "$WORK/routes" ||
  fail "read-only routes: $(cat "$WORK/routes")"
ok "issuance, portal, console, API, download refused with 503 read_only; nothing stored"
if [ "$MODE" = postgres ]; then
  grep -qi "permission denied" "$WORK/ro.log" && fail "the read-only node tried to write: $(grep -i 'permission denied' "$WORK/ro.log" | head -3)"
  sql "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM $role; DROP ROLE $role" > /dev/null
fi

# A database without schema: refused (the primary migrates it, never a read-only node).
EMPTY=$WORK/empty
cp -a "$RO_DATA" "$EMPTY"
if [ "$MODE" = postgres ]; then
  db="ro_empty_$(date +%s)_$$"
  psql "$CLAIMSCA_TEST_PG_URL" -qc "CREATE DATABASE $db" > /dev/null
  EMPTY_SETS=(--set "database.url=${CLAIMSCA_TEST_PG_URL%/*}/$db")
else
  EMPTY_SETS=(--set "database.url=sqlite:$WORK/empty.db")
fi
expect_fail "serve --read-only on a database without schema" \
  "$CLAIMSCA" serve --read-only --data "$EMPTY" --listen 127.0.0.1:0 "${EMPTY_SETS[@]}"
grep -q "no schema" "$WORK/expect_fail.out" || fail "the refusal says why: $(cat "$WORK/expect_fail.out")"
finish
