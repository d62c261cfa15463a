#!/usr/bin/env bash
# The ledger's operator commands on a real data directory (docs/billing.md, section
# "ledger"): billing methods set one at a time and imported in bulk (all or nothing, the
# refusal naming line, field and rule, a repeated import changing nothing), the database
# refusing edits of the append-only tables, and `billing ledger`.
# Usage: billing_ledger_test.sh [sqlite|postgres]
source "$(dirname "$0")/lib.sh"
MODE=${1:-sqlite}
DATA=$WORK/data
ARGS=(--demo --key-algorithm ecp256)
use_backend "$MODE" bled
"$CLAIMSCA" init --data "$DATA" "${ARGS[@]}" >/dev/null
"$CLAIMSCA" admin import-register --data "$DATA" --file "${CLAIMSCA_SOURCE_DIR:?}/data/institutions-2025-08.csv" \
  --by "運用者A" >/dev/null 2>&1 || fail "register import"

AT=(--at 2027-01-20T10:00)
"$CLAIMSCA" billing methods set 0110112489 invoice --data "$DATA" "${AT[@]}" --by tanaka > "$WORK/set.out" ||
  fail "methods set: $(cat "$WORK/set.out")"
grep -q "effective_month=2027-02 rows=1 changed=1 unchanged=0" "$WORK/set.out" || fail "set: $(cat "$WORK/set.out")"
[ "$(sql "SELECT method || ' ' || effective_month || ' ' || changed_by FROM billing_method_changes")" = \
  "invoice 2027-02 operator:tanaka" ] || fail "the change is recorded"
ok "a method change applies from the next billing month"

printf 'institution_code,billing_method\r\n0110112745,invoice\r\n01101127,cash\r\n0110112745,deduction\r\n' > "$WORK/bad.csv"
expect_fail "a methods file with bad rows" "$CLAIMSCA" billing methods import "$WORK/bad.csv" --data "$DATA" "${AT[@]}"
grep -q "line 3, billing_method" "$WORK/expect_fail.out" && grep -q "line 4, institution_code: 0110112745 is given twice" "$WORK/expect_fail.out" ||
  fail "the refusal names line, field and rule: $(cat "$WORK/expect_fail.out")"
printf 'institution_code,billing_method\n0110112745,invoice\n9999999999,invoice\n' > "$WORK/unknown.csv"
expect_fail "a methods file with an unregistered code" "$CLAIMSCA" billing methods import "$WORK/unknown.csv" --data "$DATA" "${AT[@]}"
grep -q "line 3, institution_code: not_registered" "$WORK/expect_fail.out" || fail "not_registered: $(cat "$WORK/expect_fail.out")"
[ "$(sql "SELECT count(*) FROM billing_method_changes")" = 1 ] || fail "a refused file wrote changes"
ok "a bad file is refused whole, each bad row named"

printf 'institution_code,billing_method\n0110112745,invoice\n0110112489,invoice\n' > "$WORK/good.csv"
"$CLAIMSCA" billing methods import "$WORK/good.csv" --data "$DATA" "${AT[@]}" > "$WORK/import.out" ||
  fail "import: $(cat "$WORK/import.out")"
grep -q "rows=2 changed=1 unchanged=1" "$WORK/import.out" || fail "import: $(cat "$WORK/import.out")"
"$CLAIMSCA" billing methods import "$WORK/good.csv" --data "$DATA" "${AT[@]}" > "$WORK/again.out"
grep -q "rows=2 changed=0 unchanged=2" "$WORK/again.out" || fail "re-import: $(cat "$WORK/again.out")"
[ "$(sql "SELECT count(*) FROM audit_log WHERE action = 'billing.method.change'")" = 2 ] || fail "each change is audited"
ok "an import is idempotent and audited"

if sql "UPDATE billing_method_changes SET method = 'deduction'" >/dev/null 2>&1; then
  fail "billing_method_changes accepted an UPDATE"
fi
if sql "DELETE FROM billing_method_changes" >/dev/null 2>&1; then
  fail "billing_method_changes accepted a DELETE"
fi
ok "the database refuses edits of the append-only tables"

"$CLAIMSCA" billing ledger --data "$DATA" --month 2027-01 > "$WORK/ledger.out" || fail "ledger: $(cat "$WORK/ledger.out")"
head -1 "$WORK/ledger.out" | grep -q "^entry_id	billing_month	institution_code" && grep -q "^total_yen	0$" "$WORK/ledger.out" ||
  fail "ledger listing: $(cat "$WORK/ledger.out")"
expect_fail "a malformed month" "$CLAIMSCA" billing ledger --data "$DATA" --month 2027-13
ok "billing ledger lists a month"
finish
