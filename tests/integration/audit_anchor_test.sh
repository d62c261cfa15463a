#!/usr/bin/env bash
# The audit trail anchored outside the database (docs/audit.md, issue 23 item 6). Signed
# checkpoints (by `claimsca audit checkpoint` and by serve's job) in an append-only file;
# then, as someone holding the database alone (sqlite3 / psql): a row rewritten with every
# later hash recomputed, and the last rows removed, are each detected by `audit verify`;
# so is an edited or forged checkpoint file. Untouched data verifies.
# Usage: audit_anchor_test.sh [sqlite|postgres|pkcs11]  (pkcs11: SQLite, the keys in SoftHSM2)
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" aud
if [ "$MODE" = pkcs11 ]; then INIT_ARGS=(); use_softhsm "$DATA"; ARGS+=("${INIT_ARGS[@]}"); fi
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
CK=$DATA/audit/checkpoints.log

account() {  # one audit row each
  echo 'operator-password-1234' | "$CLAIMSCA" admin create-account --data "$DATA" --id "$1" \
    --kind operator --role reviewer --name "$1" >/dev/null 2>&1 || fail "create-account $1"
}
head_seq() { sql "SELECT max(seq) FROM audit_log"; }
verify() { "$CLAIMSCA" audit verify --data "$DATA" >"$WORK/verify.out" 2>&1; }
expect_broken() {  # expect_broken WHAT TEXT: verify exits 5 and says TEXT
  local rc=0
  verify || rc=$?
  [ $rc = 5 ] || { cat "$WORK/verify.out"; fail "$1: audit verify exit $rc, not 5"; }
  grep -q "$2" "$WORK/verify.out" || fail "$1: $(cat "$WORK/verify.out")"
  ok "$1: audit verify fails: $(cut -c1-110 "$WORK/verify.out" | head -1)"
}
# The attacker's tools: triggers off, a copy of the rows to put back between scenarios.
triggers_off() {
  if [ "$MODE" = postgres ]; then sql "ALTER TABLE audit_log DISABLE TRIGGER USER" >/dev/null
  else sql "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete"; fi
}
restore_rows() { sql "DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM audit_copy" >/dev/null; }
# rewrite SEQ: sets row SEQ's actor to 'operator:forger' and recomputes its hash and every
# later row's (prev_hash and hash), as docs/audit.md's canonical form says.
rewrite() {
  local rows
  if [ "$MODE" = postgres ]; then
    rows=$(sql "SELECT json_agg(t ORDER BY seq) FROM (SELECT seq, at, actor, action, subject, details, prev_hash FROM audit_log) t")
  else
    rows=$(sqlite3 -json "$DATA/claimsca.db" "SELECT seq, at, actor, action, subject, details, prev_hash FROM audit_log ORDER BY seq")
  fi
  echo "$rows" | python3 -c '
import hashlib, json, sys
rows, start = json.load(sys.stdin), int(sys.argv[1])
def field(v):
    b = str(v).encode()
    return str(len(b)).encode() + b":" + b + b";"
q = lambda s: "'"'"'" + s.replace("'"'"'", "'"'"''"'"'") + "'"'"'"
prev = None
for r in rows:
    if r["seq"] < start:
        continue
    if r["seq"] == start:
        prev, r["actor"] = r["prev_hash"], "operator:forger"
    h = hashlib.sha256(b"".join(field(x) for x in (prev, r["seq"], r["at"], r["actor"], r["action"], r["subject"], r["details"]))).hexdigest()
    print("UPDATE audit_log SET actor = %s, prev_hash = %s, hash = %s WHERE seq = %d;" % (q(r["actor"]), q(prev), q(h), r["seq"]))
    prev = h
' "$1" > "$WORK/rewrite.sql"
  if [ "$MODE" = postgres ]; then psql -qAt "$PG_URL" -f "$WORK/rewrite.sql" >/dev/null
  else sqlite3 "$DATA/claimsca.db" < "$WORK/rewrite.sql"; fi
}

for i in 1 2 3 4; do account "op$i"; done
verify || fail "fresh chain: $(cat "$WORK/verify.out")"
grep -q "intact: 4 rows (no checkpoint yet" "$WORK/verify.out" || fail "$(cat "$WORK/verify.out")"
ok "before any checkpoint the chain alone is checked, and says so"

"$CLAIMSCA" audit checkpoint --data "$DATA" >"$WORK/ck.out" 2>&1 || fail "checkpoint: $(cat "$WORK/ck.out")"
grep -q "^checkpoint: seq 4," "$WORK/ck.out" || fail "$(cat "$WORK/ck.out")"
[ -f "$DATA/ca/audit.pub.pem" ] && [ "$(wc -l < "$CK")" = 1 ] || fail "audit key or checkpoint file missing"
openssl pkey -pubin -in "$DATA/ca/audit.pub.pem" -noout 2>/dev/null || fail "ca/audit.pub.pem is not a public key"
if [ "$MODE" = pkcs11 ]; then
  [ ! -e "$DATA/keys/audit.key.pem" ] || fail "pkcs11: the audit key was written to a file"
  ok "pkcs11: the audit key lives in the token (no keys/audit.key.pem)"
fi
ok "audit checkpoint signs seq 4 with the audit signer (ca/audit.pub.pem) into audit/checkpoints.log"

# serve's job writes the next checkpoints on its own once the chain grows.
start_server "$DATA" --set jobs.enabled=true --set jobs.interval_seconds=1 \
  --set audit.checkpoint_interval_seconds=1
account op5
account op6
for _ in $(seq 1 100); do
  tail -1 "$CK" | grep -q "^v1 seq=6 " && break
  sleep 0.1
done
tail -1 "$CK" | grep -q "^v1 seq=6 " || fail "serve wrote no checkpoint of seq 6: $(cat "$CK")"
grep -q '"job":"audit-checkpoint"' "$WORK/server.log" || fail "no audit-checkpoint job in the log"
stop_server
account op7  # row 7: after the newest checkpoint
verify || fail "untouched: $(cat "$WORK/verify.out")"
grep -q "intact: 7 rows; [0-9]* checkpoints verified, the newest signed .* covers seq 6; 1 rows since" \
  "$WORK/verify.out" || fail "$(cat "$WORK/verify.out")"
ok "serve's audit-checkpoint job anchored seq 6; untouched data verifies ($(cut -c1-80 "$WORK/verify.out"))"

triggers_off
sql "CREATE TABLE audit_copy AS SELECT * FROM audit_log" >/dev/null

# 1. Row 3 rewritten, every later hash recomputed: the chain alone cannot tell ...
rewrite 3
mv "$CK" "$CK.away"
verify || fail "the rewritten chain should be self-consistent: $(cat "$WORK/verify.out")"
mv "$CK.away" "$CK"
# ... the checkpoints can.
expect_broken "row 3 rewritten with every later hash recomputed" "seq 4 differs from the checkpoint signed .*rewritten"
restore_rows

# 2. The last rows removed (a checkpoint covers them).
sql "DELETE FROM audit_log WHERE seq >= 5" >/dev/null
expect_broken "rows 5..7 removed" "audit trail truncated: .* covers seq 6 but the database ends at seq 4"
restore_rows

# 3. The documented limit: row 7 (after the newest checkpoint) can still be rewritten
#    unnoticed until the next checkpoint; a checkpoint then refuses nothing (it is intact).
rewrite 7
verify || fail "row 7 is not anchored yet: $(cat "$WORK/verify.out")"
ok "limit (docs/audit.md): a row written after the newest checkpoint is protected by the chain alone"
restore_rows

# 4. The checkpoint file edited or forged.
cp "$CK" "$CK.good"
sed -i '1s/^v1 seq=4 /v1 seq=3 /' "$CK"
expect_broken "a checkpoint's seq edited" "line 1: signature does not verify"
cp "$CK.good" "$CK"
sed -i '1d' "$CK"
expect_broken "the first checkpoint removed" "line 1: does not follow the line before"
cp "$CK.good" "$CK"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/other.key" 2>/dev/null
openssl pkey -in "$WORK/other.key" -pubout -out "$DATA/ca/audit.pub.pem" 2>/dev/null
expect_broken "checkpoints checked with another public key" "line 1: signed by another key"
expect_fail "audit checkpoint with a public key that is not the audit signer's" \
  "$CLAIMSCA" audit checkpoint --data "$DATA"
grep -q "does not hold the audit signer's public key" "$WORK/expect_fail.out" || fail "$(cat "$WORK/expect_fail.out")"
finish
