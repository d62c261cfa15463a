-- The 振込 invoices of the 国保連 program (docs/kokuhoren.md, section "Fees"): one per
-- application paid by transfer, made with its charge, addressed to the applying account.
-- The invoice number (請求番号 = お客様番号 the payer types before its name) is "9" and the
-- invoice_id on 9 digits: billing's numbers start with the run's year (YYMM...), so the two
-- never meet in one bank file. Paid or not is the ledger's word (a settlement entry of the
-- application), never a column here. Rows are never updated, deleted or truncated.
CREATE TABLE kj_invoices (
  invoice_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id TEXT   NOT NULL UNIQUE CHECK (application_id <> ''),
  account_id     TEXT   NOT NULL CHECK (account_id <> ''),
  addressee_name TEXT   NOT NULL,
  office_number  TEXT   NOT NULL CHECK (office_number <> ''),
  fee_kind       TEXT   NOT NULL CHECK (fee_kind IN ('issuance', 'renewal')),
  amount_yen     BIGINT NOT NULL CHECK (amount_yen > 0),
  issue_date     TEXT   NOT NULL,
  due_date       TEXT   NOT NULL CHECK (due_date >= issue_date),
  created_at     BIGINT NOT NULL
);
CREATE INDEX kj_invoices_account ON kj_invoices (account_id, invoice_id);

CREATE TRIGGER kj_invoices_no_update BEFORE UPDATE OR DELETE ON kj_invoices
  FOR EACH ROW EXECUTE FUNCTION claimsca_append_only();
CREATE TRIGGER kj_invoices_no_truncate BEFORE TRUNCATE ON kj_invoices
  FOR EACH STATEMENT EXECUTE FUNCTION claimsca_append_only();
