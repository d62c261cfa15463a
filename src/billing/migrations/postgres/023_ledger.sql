-- The fee ledger (docs/billing.md, section "ledger"): fee_charges becomes an append-only
-- ledger. Every charge is an entry (entry_id, in the order recorded; kind new_application,
-- renewal or reapplication, with its issuance (or renewal) fee and its mailing fee) tied
-- to the institution, the certificate (serial: now also for the first issuance; legacy
-- rows get the first certificate issued for their request) and the billing month
-- ('YYYY-MM', the issuance month + 2). A correction is a new entry, a credit note: amounts negated,
-- cancels_entry_id naming the entry it cancels (at most one credit per entry), a reason.
-- Rows are never updated, deleted or truncated: the triggers refuse it.
CREATE TABLE fee_charges_023 (
  entry_id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id       TEXT   NOT NULL REFERENCES applications (request_id),
  kind             TEXT   NOT NULL CHECK (kind <> ''),
  institution_code TEXT   NOT NULL,
  program          TEXT   NOT NULL,
  charge_date      TEXT   NOT NULL CHECK (charge_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  billing_month    TEXT   NOT NULL CHECK (billing_month ~ '^[0-9]{4}-[0-9]{2}$'),
  issuance_fee_yen BIGINT NOT NULL,
  mailing_fee_yen  BIGINT NOT NULL,
  total_yen        BIGINT NOT NULL,
  created_at       BIGINT NOT NULL,
  serial           TEXT   NOT NULL DEFAULT '',
  cancels_entry_id BIGINT UNIQUE REFERENCES fee_charges_023 (entry_id),
  reason           TEXT   NOT NULL DEFAULT '',
  CHECK ((cancels_entry_id IS NULL AND issuance_fee_yen >= 0 AND mailing_fee_yen >= 0 AND
          total_yen >= 0 AND reason = '') OR
         (cancels_entry_id IS NOT NULL AND issuance_fee_yen <= 0 AND mailing_fee_yen <= 0 AND
          total_yen <= 0 AND reason <> ''))
);
INSERT INTO fee_charges_023 (request_id, kind, institution_code, program, charge_date,
                             billing_month, issuance_fee_yen, mailing_fee_yen, total_yen,
                             created_at, serial)
  SELECT f.request_id, f.kind, f.institution_code, f.program, f.charge_date,
         to_char(to_date(f.charge_date, 'YYYY-MM-DD') + interval '2 months', 'YYYY-MM'),
         f.issuance_fee_yen, f.mailing_fee_yen, f.total_yen, f.created_at,
         CASE WHEN f.serial <> '' THEN f.serial ELSE coalesce(
           (SELECT c.serial FROM certificates c WHERE c.request_id = f.request_id
              AND c.state = 'issued' ORDER BY c.created_at, c.serial LIMIT 1), '') END
  FROM fee_charges f ORDER BY f.created_at, f.charge_date, f.request_id, f.kind, f.serial;
DROP TABLE fee_charges;
ALTER TABLE fee_charges_023 RENAME TO fee_charges;

-- One charge per certificate and kind (a retried operation cannot charge twice).
CREATE UNIQUE INDEX fee_charges_charge ON fee_charges (request_id, kind, serial)
  WHERE cancels_entry_id IS NULL;
CREATE INDEX fee_charges_date ON fee_charges (charge_date);
-- The billing run: one pass over a month's entries in institution order.
CREATE INDEX fee_charges_month ON fee_charges (billing_month, institution_code, entry_id);
-- The portal: one institution's entries, newest first.
CREATE INDEX fee_charges_institution ON fee_charges (institution_code, entry_id);

CREATE TRIGGER fee_charges_no_update BEFORE UPDATE OR DELETE ON fee_charges
  FOR EACH ROW EXECUTE FUNCTION claimsca_append_only();
CREATE TRIGGER fee_charges_no_truncate BEFORE TRUNCATE ON fee_charges
  FOR EACH STATEMENT EXECUTE FUNCTION claimsca_append_only();
