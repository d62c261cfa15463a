#!/usr/bin/env bash
# Crash safety at the system level: `serve` is killed with SIGKILL in the middle of a burst
# of issuances. After a restart, every certificate that was answered (201) is in the
# database as issued, the database is intact, and nothing was issued twice.
# Usage: crash_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo)
use_backend "$MODE" crash
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" > "$WORK/init.out"
TOKEN=$(sed -n 's/.*shown once.*: //p' "$WORK/init.out")
new_csr t ec
python3 -c 'import json,sys;print(json.dumps({"code":"1310000001","terminal_name":"PC","csr":open(sys.argv[1]).read()}))' \
  "$WORK/t.csr" > "$WORK/body.json"

start_server "$DATA" --set key_pool.threads=0
mkdir -p "$WORK/resp"
issue_one() {  # issue_one N: one API issuance; the answer and its HTTP status in resp/N.*
  curl -s -o "$WORK/resp/$1.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data @"$WORK/body.json" "$BASE/api/v1/certificates" \
    > "$WORK/resp/$1.code" 2>/dev/null || true
}
export -f issue_one; export WORK TOKEN BASE
seq 1 400 | xargs -P 8 -I{} bash -c 'issue_one {}' &
CLIENTS=$!
# Kill the server once some certificates have been answered, mid-burst.
for _ in $(seq 1 200); do
  [ "$(grep -l 201 "$WORK"/resp/*.code 2>/dev/null | wc -l)" -ge 30 ] && break
  sleep 0.02
done
kill_server
wait "$CLIENTS" || true
ANSWERED=$(grep -l 201 "$WORK"/resp/*.code | wc -l)
[ "$ANSWERED" -ge 30 ] && [ "$ANSWERED" -lt 400 ] || fail "the kill did not land mid-burst ($ANSWERED answered)"
ok "serve killed with SIGKILL after $ANSWERED of 400 issuances were answered"

if [ "$MODE" = sqlite ]; then
  [ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "SQLite integrity check"
fi
start_server "$DATA" --set key_pool.threads=0
missing=0
for code in $(grep -l 201 "$WORK"/resp/*.code); do
  serial=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serial"])' "${code%.code}.json")
  curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/certificates/$serial" | grep -q '"state":"issued"' ||
    missing=$((missing + 1))
done
[ "$missing" = 0 ] || fail "$missing answered certificates are missing after the crash"
ok "every answered certificate is stored as issued after the restart"
[ "$(sql "SELECT count(*) FROM certificates")" = "$(sql "SELECT count(DISTINCT serial) FROM certificates")" ] ||
  fail "a serial appears twice"
[ "$(sql "SELECT count(*) FROM certificates WHERE state = 'issued'")" -ge "$ANSWERED" ] || fail "issued count"
ok "no serial issued twice; $(sql "SELECT count(*) FROM certificates WHERE state = 'intent'") intents left by the crash (never handed out)"
# The restarted server keeps issuing.
issue_one after
[ "$(cat "$WORK/resp/after.code")" = 201 ] || fail "issuance after restart"
ok "the restarted server issues again"
stop_server
finish
