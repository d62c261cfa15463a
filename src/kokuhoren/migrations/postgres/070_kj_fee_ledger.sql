-- The 国保連 fee ledger (docs/kokuhoren.md, section "Fees"): append-only, like billing's
-- fee_charges. One charge per application (kind 'charge', amount > 0), made when the
-- application is made, on the office whose balance it is: for 相殺 the offset office, for
-- 振込 the office the certificate is for. A charge is settled by ONE later entry with the
-- negated amount: 'offset' (the monthly offset file, reference = its month), 'payment' (a
-- confirmed transfer, reference = the transfer or the operator's note) or 'cancel' (the
-- application was cancelled before it was settled). 発行手数料残高 = the sum of an office's
-- entries. Rows are never updated, deleted or truncated: the triggers refuse it.
CREATE TABLE kj_fee_ledger (
  entry_id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id    TEXT   NOT NULL CHECK (application_id <> ''),
  kind              TEXT   NOT NULL CHECK (kind IN ('charge', 'offset', 'payment', 'cancel')),
  method            TEXT   NOT NULL CHECK (method IN ('offset', 'transfer')),
  fee_kind          TEXT   NOT NULL CHECK (fee_kind IN ('issuance', 'renewal')),
  office_number     TEXT   NOT NULL CHECK (office_number <> ''),
  account_id        TEXT   NOT NULL,
  applicant_account TEXT   NOT NULL,
  entry_date        TEXT   NOT NULL CHECK (entry_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  amount_yen        BIGINT NOT NULL,
  reference         TEXT   NOT NULL DEFAULT '',
  actor             TEXT   NOT NULL CHECK (actor <> ''),
  created_at        BIGINT NOT NULL,
  CHECK ((kind = 'charge' AND amount_yen > 0) OR (kind <> 'charge' AND amount_yen < 0))
);
-- One charge per application, at most one settlement per application.
CREATE UNIQUE INDEX kj_fee_ledger_charge ON kj_fee_ledger (application_id)
  WHERE kind = 'charge';
CREATE UNIQUE INDEX kj_fee_ledger_settlement ON kj_fee_ledger (application_id)
  WHERE kind <> 'charge';
-- The balance and the statement of one office.
CREATE INDEX kj_fee_ledger_office ON kj_fee_ledger (office_number, entry_id);
-- The offset file: the open offset charges by date.
CREATE INDEX kj_fee_ledger_open ON kj_fee_ledger (method, kind, entry_date);

CREATE TRIGGER kj_fee_ledger_no_update BEFORE UPDATE OR DELETE ON kj_fee_ledger
  FOR EACH ROW EXECUTE FUNCTION claimsca_append_only();
CREATE TRIGGER kj_fee_ledger_no_truncate BEFORE TRUNCATE ON kj_fee_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION claimsca_append_only();
