-- Payments (docs/billing.md, section "payments"). Owned by the payments part; append-only
-- (the triggers refuse UPDATE and DELETE): a bill's paid amount, the operator queue and
-- non-payment are derived from these rows. Dates 'YYYY-MM-DD' (JST), times Unix seconds
-- (UTC), money integer yen.

-- Each imported 全銀協 file, once (by the SHA-256 of its bytes: a re-import is a no-op).
CREATE TABLE payment_files (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT   NOT NULL UNIQUE CHECK (length(sha256) = 64),
  file_name   TEXT   NOT NULL,
  transfers   BIGINT NOT NULL,
  imported_at BIGINT NOT NULL,
  imported_by TEXT   NOT NULL CHECK (imported_by <> '')
);

-- Each transfer (or cancellation) received, once by its key (account:照会番号:勘定日[:C]).
-- outcome: what matching decided at import (billing::MatchOutcome names); invoice_number:
-- the one invoice found (applied, partial, excess); candidates: the invoice-like numbers
-- seen, space-separated; record_hex: the 200 bytes as delivered (JIS X 0201), in hex.
CREATE TABLE payments (
  id               INTEGER PRIMARY KEY,
  transfer_key     TEXT   NOT NULL UNIQUE,
  file_id          BIGINT NOT NULL REFERENCES payment_files (id),
  record           BIGINT NOT NULL,
  inquiry_number   TEXT   NOT NULL,
  booking_date     TEXT   NOT NULL,
  value_date       TEXT   NOT NULL,
  amount_yen       BIGINT NOT NULL CHECK (amount_yen > 0),
  payer_code       TEXT   NOT NULL,
  payer_name       TEXT   NOT NULL,
  remitting_bank   TEXT   NOT NULL,
  remitting_branch TEXT   NOT NULL,
  edi              TEXT   NOT NULL,
  cancelled        BIGINT NOT NULL CHECK (cancelled IN (0, 1)),
  outcome          TEXT   NOT NULL CHECK (outcome IN ('applied', 'partial', 'excess',
                            'unknown_invoice', 'no_invoice_number', 'several_candidates',
                            'cancelled')),
  invoice_number   TEXT,
  candidates       TEXT   NOT NULL,
  record_hex       TEXT   NOT NULL CHECK (length(record_hex) = 400)
);
CREATE INDEX payments_invoice ON payments (invoice_number);

-- A payment applied to a bill (an invoice), whole: by the import (matched) or by an
-- operator resolving the queue. A bill's paid amount is the sum of its rows.
CREATE TABLE payment_applications (
  payment_id  BIGINT NOT NULL PRIMARY KEY REFERENCES payments (id),
  bill_number TEXT   NOT NULL REFERENCES bills (number),
  amount_yen  BIGINT NOT NULL CHECK (amount_yen > 0),
  how         TEXT   NOT NULL CHECK (how IN ('matched', 'operator')),
  applied_at  BIGINT NOT NULL,
  applied_by  TEXT   NOT NULL
);
CREATE INDEX payment_applications_bill ON payment_applications (bill_number);

-- The operator's decision on a queued payment, once: applied to an invoice, ignored or
-- to be refunded (both with a reason). The queue = payments not applied at import and
-- without a resolution.
CREATE TABLE payment_resolutions (
  payment_id  BIGINT NOT NULL PRIMARY KEY REFERENCES payments (id),
  action      TEXT   NOT NULL CHECK (action IN ('applied', 'ignored', 'refund')),
  bill_number TEXT   REFERENCES bills (number),
  reason      TEXT   NOT NULL,
  resolved_at BIGINT NOT NULL,
  resolved_by TEXT   NOT NULL,
  CHECK ((action = 'applied') = (bill_number IS NOT NULL)),
  CHECK (action = 'applied' OR reason <> '')
);

-- Revocation for non-payment: the operator's confirmation for an unpaid invoice, then the
-- outcome for each application (certificate) on it.
CREATE TABLE nonpayment_confirmations (
  id              INTEGER PRIMARY KEY,
  bill_number     TEXT   NOT NULL REFERENCES bills (number),
  due_date        TEXT   NOT NULL,
  grace_days      BIGINT NOT NULL,
  outstanding_yen BIGINT NOT NULL CHECK (outstanding_yen > 0),
  confirmed_at    BIGINT NOT NULL,
  confirmed_by    TEXT   NOT NULL
);
CREATE INDEX nonpayment_confirmations_bill ON nonpayment_confirmations (bill_number);

CREATE TABLE nonpayment_revocations (
  confirmation_id BIGINT NOT NULL REFERENCES nonpayment_confirmations (id),
  request_id      TEXT   NOT NULL,
  outcome         TEXT   NOT NULL CHECK (outcome IN ('revoked', 'already_revoked', 'failed')),
  detail          TEXT   NOT NULL,
  at              BIGINT NOT NULL,
  PRIMARY KEY (confirmation_id, request_id)
);

-- Append-only.
CREATE TRIGGER payment_files_no_update BEFORE UPDATE ON payment_files
BEGIN
  SELECT RAISE(ABORT, 'payment_files is append-only');
END;
CREATE TRIGGER payment_files_no_delete BEFORE DELETE ON payment_files
BEGIN
  SELECT RAISE(ABORT, 'payment_files is append-only');
END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
  SELECT RAISE(ABORT, 'payments is append-only');
END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
  SELECT RAISE(ABORT, 'payments is append-only');
END;
CREATE TRIGGER payment_applications_no_update BEFORE UPDATE ON payment_applications
BEGIN
  SELECT RAISE(ABORT, 'payment_applications is append-only');
END;
CREATE TRIGGER payment_applications_no_delete BEFORE DELETE ON payment_applications
BEGIN
  SELECT RAISE(ABORT, 'payment_applications is append-only');
END;
CREATE TRIGGER payment_resolutions_no_update BEFORE UPDATE ON payment_resolutions
BEGIN
  SELECT RAISE(ABORT, 'payment_resolutions is append-only');
END;
CREATE TRIGGER payment_resolutions_no_delete BEFORE DELETE ON payment_resolutions
BEGIN
  SELECT RAISE(ABORT, 'payment_resolutions is append-only');
END;
CREATE TRIGGER nonpayment_confirmations_no_update BEFORE UPDATE ON nonpayment_confirmations
BEGIN
  SELECT RAISE(ABORT, 'nonpayment_confirmations is append-only');
END;
CREATE TRIGGER nonpayment_confirmations_no_delete BEFORE DELETE ON nonpayment_confirmations
BEGIN
  SELECT RAISE(ABORT, 'nonpayment_confirmations is append-only');
END;
CREATE TRIGGER nonpayment_revocations_no_update BEFORE UPDATE ON nonpayment_revocations
BEGIN
  SELECT RAISE(ABORT, 'nonpayment_revocations is append-only');
END;
CREATE TRIGGER nonpayment_revocations_no_delete BEFORE DELETE ON nonpayment_revocations
BEGIN
  SELECT RAISE(ABORT, 'nonpayment_revocations is append-only');
END;
