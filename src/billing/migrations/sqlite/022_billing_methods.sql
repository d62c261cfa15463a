-- Billing method changes per institution (docs/billing.md, section "ledger"): the method
-- chosen on the usage application is the register's billing_method; every later change
-- by the operator (claimsca billing methods set / import) is a row here, applying from
-- effective_month ('YYYY-MM', the billing month after the change). Append-only: rows are
-- never updated or deleted (the triggers refuse it). The method in force for a billing
-- month is the latest change (by effective_month, then id) with effective_month <= that
-- month, else the register's. `at` is Unix seconds (UTC).
CREATE TABLE billing_method_changes (
  id               INTEGER PRIMARY KEY,
  institution_code TEXT   NOT NULL CHECK (length(institution_code) IN (8, 10)),
  method           TEXT   NOT NULL CHECK (method IN ('deduction', 'invoice')),
  effective_month  TEXT   NOT NULL CHECK (effective_month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
  changed_by       TEXT   NOT NULL CHECK (changed_by <> ''),
  at               BIGINT NOT NULL,
  source           TEXT   NOT NULL CHECK (source <> '')
);
CREATE INDEX billing_method_changes_code
  ON billing_method_changes (institution_code, effective_month, id);
CREATE INDEX billing_method_changes_month ON billing_method_changes (effective_month);

CREATE TRIGGER billing_method_changes_no_update BEFORE UPDATE ON billing_method_changes
BEGIN
  SELECT RAISE(ABORT, 'billing_method_changes is append-only: record a new change instead');
END;
CREATE TRIGGER billing_method_changes_no_delete BEFORE DELETE ON billing_method_changes
BEGIN
  SELECT RAISE(ABORT, 'billing_method_changes is append-only: record a new change instead');
END;
