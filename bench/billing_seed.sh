#!/usr/bin/env bash
# The billing data generator (bench/billing.sh, tests/integration/billing_crash_test.sh):
# INSTITUTIONS register entries (a new register version; one in ten a 職域診療所, invoice
# only, the others clinics paying by deduction) and CHARGES ledger entries spread over them
# in turn (one in three a new application with the 792 yen mailing fee, the others
# renewals), all of billing month MONTH, written straight into the tables in one
# transaction (set-based SQL: generate_series on PostgreSQL, a recursive CTE on SQLite).
# Each entry has its own issued application (request ID "B…", terminal 受付PC1–5), written
# the same way; the ledger reads the terminal name from it.
# usage: billing_seed.sh sqlite DB_FILE|postgres URL INSTITUTIONS CHARGES MONTH
set -euo pipefail
MODE=$1 DB=$2 N=$3 C=$4 MONTH=$5
CHARGE_DATE=$(date -d "${MONTH}-15 - 2 months" +%F)
if [ "$MODE" = sqlite ]; then
  sqlite3 -bail "$DB" <<SQL
BEGIN;
INSERT INTO register_versions (version, imported_at, source, row_count, imported_by)
  SELECT coalesce(max(version), 0) + 1, 0, 'billing_seed', $N, 'bench' FROM register_versions;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO register_entries (version, institution_code, name, postal_code, address, category,
                              billing_method)
  SELECT (SELECT max(version) FROM register_versions), printf('01%08d', i), '医療法人 ベンチ会 ' || i,
         '0600001', '札幌市中央区北1条西' || i || '丁目',
         CASE WHEN i % 10 = 0 THEN 's' ELSE '1' END,
         CASE WHEN i % 10 = 0 THEN 'invoice' ELSE 'deduction' END
  FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $C - 1)
INSERT INTO applications (request_id, program, channel, account_id, idempotency_key, applicant_kind, category, prefecture, score_table, facility_code, institution_code, institution_name, contact_name, phone, email, terminal_name, state, register_version, hold_reason, submitted_at, decided_at, decided_by, reject_reason, serial, common_name, issued_at, not_after, download_deadline, download_password_hash, download_failures, download_count, revoked_by, claim_holder)
  SELECT printf('B%013d', i), 'common', 'portal', '', '', 'institution',
         CASE WHEN (i % $N + 1) % 10 = 0 THEN 's' ELSE '1' END, '01',
         CASE WHEN (i % $N + 1) % 10 = 0 THEN '7' ELSE '1' END, substr(printf('01%08d', i % $N + 1), 4),
         printf('01%08d', i % $N + 1), '医療法人 ベンチ会', '事務', '011-000-0000', 'b@example.jp',
         '受付PC' || (i % 5 + 1), 'issued', 0, '', 0, 0, 'bench', '', printf('%016x', i), printf('B%013d', i),
         0, 0, 0, '', 0, 0, '', ''
  FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $C - 1)
INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, billing_month,
                         issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial)
  SELECT printf('B%013d', i), CASE WHEN i % 3 = 0 THEN 'new_application' ELSE 'renewal' END,
         printf('01%08d', i % $N + 1), 'common', '$CHARGE_DATE', '$MONTH', 1500,
         CASE WHEN i % 3 = 0 THEN 792 ELSE 0 END, CASE WHEN i % 3 = 0 THEN 2292 ELSE 1500 END, 0,
         printf('%016x', i)
  FROM n;
COMMIT;
SQL
else
  psql -qX -v ON_ERROR_STOP=1 "$DB" <<SQL >/dev/null
BEGIN;
INSERT INTO register_versions (version, imported_at, source, row_count, imported_by)
  SELECT coalesce(max(version), 0) + 1, 0, 'billing_seed', $N, 'bench' FROM register_versions;
INSERT INTO register_entries (version, institution_code, name, postal_code, address, category,
                              billing_method)
  SELECT (SELECT max(version) FROM register_versions), '01' || lpad(i::text, 8, '0'),
         '医療法人 ベンチ会 ' || i, '0600001', '札幌市中央区北1条西' || i || '丁目',
         CASE WHEN i % 10 = 0 THEN 's' ELSE '1' END,
         CASE WHEN i % 10 = 0 THEN 'invoice' ELSE 'deduction' END
  FROM generate_series(1, $N) AS i;
INSERT INTO applications (request_id, program, channel, account_id, idempotency_key, applicant_kind, category, prefecture, score_table, facility_code, institution_code, institution_name, contact_name, phone, email, terminal_name, state, register_version, hold_reason, submitted_at, decided_at, decided_by, reject_reason, serial, common_name, issued_at, not_after, download_deadline, download_password_hash, download_failures, download_count, revoked_by, claim_holder)
  SELECT 'B' || lpad(i::text, 13, '0'), 'common', 'portal', '', '', 'institution',
         CASE WHEN (i % $N + 1) % 10 = 0 THEN 's' ELSE '1' END, '01',
         CASE WHEN (i % $N + 1) % 10 = 0 THEN '7' ELSE '1' END, right('01' || lpad((i % $N + 1)::text, 8, '0'), 7),
         '01' || lpad((i % $N + 1)::text, 8, '0'), '医療法人 ベンチ会', '事務', '011-000-0000', 'b@example.jp',
         '受付PC' || (i % 5 + 1), 'issued', 0, '', 0, 0, 'bench', '', lpad(to_hex(i), 16, '0'),
         'B' || lpad(i::text, 13, '0'), 0, 0, 0, '', 0, 0, '', ''
  FROM generate_series(0, $C - 1) AS i;
INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, billing_month,
                         issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial)
  SELECT 'B' || lpad(i::text, 13, '0'), CASE WHEN i % 3 = 0 THEN 'new_application' ELSE 'renewal' END,
         '01' || lpad((i % $N + 1)::text, 8, '0'), 'common', '$CHARGE_DATE', '$MONTH', 1500,
         CASE WHEN i % 3 = 0 THEN 792 ELSE 0 END, CASE WHEN i % 3 = 0 THEN 2292 ELSE 1500 END, 0,
         lpad(to_hex(i), 16, '0')
  FROM generate_series(0, $C - 1) AS i;
COMMIT;
ANALYZE;
SQL
fi
