-- Transfers of 全銀協 振込入金通知 files seen by the 国保連 payment import (docs/kokuhoren.md,
-- section "Fees"): one row per transfer that names a 国保連 invoice, keyed by the transfer's
-- stable identity (billing::TransferKey), so importing a file again changes nothing. outcome
-- is billing's MatchOutcome name; only 'applied' settled the invoice (a ledger 'payment'
-- entry); the others wait for an operator (`claimsca kokuhoren confirm-payment`).
-- Transfers naming no 国保連 invoice are not kept (billing's import takes them).
CREATE TABLE kj_payment_imports (
  transfer_key   TEXT   PRIMARY KEY,
  file_sha256    TEXT   NOT NULL,
  record         BIGINT NOT NULL,
  booking_date   TEXT   NOT NULL,
  amount_yen     BIGINT NOT NULL,
  payer_name     TEXT   NOT NULL,
  invoice_number TEXT   NOT NULL,
  outcome        TEXT   NOT NULL,
  imported_by    TEXT   NOT NULL,
  imported_at    BIGINT NOT NULL
);
CREATE INDEX kj_payment_imports_invoice ON kj_payment_imports (invoice_number);
