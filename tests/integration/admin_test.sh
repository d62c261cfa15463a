#!/usr/bin/env bash
# Operator commands on a real data directory: import the real institution register, look
# codes up, and check the hash-chained audit trail (intact, then tampered with).
# Usage: admin_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" adm
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
REGISTER=${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv

"$CLAIMSCA" admin import-register --data "$DATA" --file "$REGISTER" --by "運用者A" > "$WORK/import.out" 2>/dev/null
grep -q "as register version 1" "$WORK/import.out" || fail "import: $(cat "$WORK/import.out")"
ok "the real register imports ($(cut -d' ' -f2 "$WORK/import.out") institutions)"
"$CLAIMSCA" admin register-lookup --data "$DATA" --code 0110112489 > "$WORK/lookup.json" 2>/dev/null
grep -q '"name": "医療法人 愛全病院"' "$WORK/lookup.json" && grep -q '"postal_code": "0050813"' "$WORK/lookup.json" ||
  fail "lookup: $(cat "$WORK/lookup.json")"
ok "a code resolves to its registered name and address"
expect_fail "an unknown code" "$CLAIMSCA" admin register-lookup --data "$DATA" --code 0110112480

# A file with a bad check digit is refused, naming the line; the current version stays.
{ head -3 "$REGISTER"; sed -n 4p "$REGISTER" |
  awk -F, -v OFS=, '{ d = substr($3, 7, 1); $3 = substr($3, 1, 6) ((d + 1) % 10); print }'; } > "$WORK/bad.csv"
expect_fail "a register with a bad check digit" "$CLAIMSCA" admin import-register --data "$DATA" --file "$WORK/bad.csv"
grep -q "line 4" "$WORK/expect_fail.out" || fail "the refusal names the line: $(cat "$WORK/expect_fail.out")"
[ "$(sql "SELECT max(version) FROM register_versions")" = 1 ] || fail "a refused import left a version"

# Revocations and imports are in the audit chain; the chain verifies, then detects tampering.
new_csr t ec
"$CLAIMSCA" sign --data "$DATA" --csr "$WORK/t.csr" --code 0110112489 --terminal PC > "$WORK/t.pem" 2>/dev/null
"$CLAIMSCA" revoke --data "$DATA" --serial "$(serial_of "$WORK/t.pem")" --reason keyCompromise >/dev/null 2>&1
"$CLAIMSCA" audit verify --data "$DATA" > "$WORK/verify.out" || fail "audit verify: $(cat "$WORK/verify.out")"
grep -q "intact: 2 rows" "$WORK/verify.out" || fail "audit rows: $(cat "$WORK/verify.out")"
ok "audit trail intact (register import + revocation)"
if [ "$MODE" = postgres ]; then
  sql "ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"
else
  sql "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"
fi
if "$CLAIMSCA" audit verify --data "$DATA" > "$WORK/verify2.out" 2>&1; then
  fail "audit verify accepted an altered row"
fi
grep -q "seq 1" "$WORK/verify2.out" || fail "the break is named: $(cat "$WORK/verify2.out")"
ok "audit verify detects an altered row and names it"
finish
