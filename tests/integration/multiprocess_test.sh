#!/usr/bin/env bash
# Two `serve` processes on one database: a revocation through one is seen at once by the
# other's OCSP, and a burst of revocations yields exactly one new CRL.
# Usage: multiprocess_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo)
if [ "$MODE" = postgres ]; then
  : "${CLAIMSCA_TEST_PG_URL:?PostgreSQL URL (the pg fixture sets it)}"
  db="mp_$(date +%s)_$$"
  psql "$CLAIMSCA_TEST_PG_URL" -qc "CREATE DATABASE $db" >/dev/null
  ARGS+=(--database "${CLAIMSCA_TEST_PG_URL%/*}/$db")
fi
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" > "$WORK/init.out"
TOKEN=$(sed -n 's/.*shown once.*: //p' "$WORK/init.out")
R=$DATA/ca

# Process B first (its port goes to B_BASE), then process A through start_server.
"$CLAIMSCA" serve --data "$DATA" --listen 127.0.0.1:0 --set server.mtls_listen= \
  --set crl.debounce_seconds=3 >"$WORK/b.out" 2>"$WORK/b.log" &
EXTRA_PIDS+=($!)
for _ in $(seq 1 200); do grep -q "Press Ctrl-C" "$WORK/b.out" 2>/dev/null && break; sleep 0.05; done
B_BASE=$(sed -n 's|.*CA certificates, thumbprints \(http://[^/]*\)/ca/.*|\1|p' "$WORK/b.out")
[ -n "$B_BASE" ] || fail "process B did not start: $(cat "$WORK/b.log")"
start_server "$DATA" --set crl.debounce_seconds=3
A_BASE=$BASE
ok "two serve processes on one $MODE database"

issue() {  # issue NAME: certificate PEM in $WORK/NAME.pem, through process A's API
  new_csr "$1" ec
  curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data "{\"code\":\"1310000001\",\"terminal_name\":\"$1\",\"csr\":$(python3 -c 'import json,sys;print(json.dumps(open(sys.argv[1]).read()))' "$WORK/$1.csr")}" \
    "$A_BASE/api/v1/certificates" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["certificate_pem"], end="")' > "$WORK/$1.pem"
}
status_via() {  # status_via BASE CERT
  openssl ocsp -issuer "$R/issuing-1.pem" -cert "$2" -url "$1/ocsp" -CAfile "$R/root.pem" 2>&1 |
    sed -n "s|^$2: *||p" | head -1
}

issue t0
[ "$(status_via "$B_BASE" "$WORK/t0.pem")" = good ] || fail "B answers good"
# Warm B's cache, then revoke through A: B must answer revoked on the very next request.
status_via "$B_BASE" "$WORK/t0.pem" >/dev/null
curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data '{"reason":"keyCompromise"}' "$A_BASE/api/v1/certificates/$(serial_of "$WORK/t0.pem")/revoke" >/dev/null
[ "$(status_via "$B_BASE" "$WORK/t0.pem")" = revoked ] || fail "B still serves a stale answer"
ok "revocation through A is in B's OCSP answer at once"

# Wait for the CRL that covers t0, then burst-revoke 15 more through both processes.
crl_number() { curl -fsS "$1/crl/issuing-1.crl" | openssl crl -inform DER -noout -crlnumber | cut -d= -f2; }
for _ in $(seq 1 100); do
  curl -fsS "$A_BASE/crl/issuing-1.crl" | openssl crl -inform DER -noout -text | grep -qi "$(serial_of "$WORK/t0.pem")" && break
  sleep 0.1
done
BEFORE=$(crl_number "$A_BASE")
for i in $(seq 1 15); do issue "b$i"; done
for i in $(seq 1 15); do
  base=$A_BASE; [ $((i % 2)) = 0 ] && base=$B_BASE
  curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data '{"reason":"superseded"}' "$base/api/v1/certificates/$(serial_of "$WORK/b$i.pem")/revoke" >/dev/null
done
sleep 6  # debounce (3 s) + the updaters' polling
AFTER=$(crl_number "$B_BASE")
[ $((0x$AFTER)) -eq $((0x$BEFORE + 1)) ] || fail "burst of 15 revocations gave CRL $BEFORE → $AFTER, want exactly one new CRL"
curl -fsS "$B_BASE/crl/issuing-1.crl" | openssl crl -inform DER -noout -text > "$WORK/crl.txt"
[ "$(grep -c "Serial Number" "$WORK/crl.txt")" -eq 16 ] || fail "CRL lists $(grep -c "Serial Number" "$WORK/crl.txt") entries, want 16"
ok "a burst of 15 revocations through two processes yields one new CRL with all of them"
finish
