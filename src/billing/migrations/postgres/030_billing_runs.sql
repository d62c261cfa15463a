-- The monthly billing run (docs/billing.md, section "run"). Owned by the run: the other
-- parts of billing read these tables and never write them. Months are 'YYYY-MM', dates
-- 'YYYY-MM-DD' (JST), times Unix seconds (UTC), money integer yen.

-- One row per run month. state: 'planned' (bills recorded, files not yet confirmed) →
-- 'done' (files written and their SHA-256 recorded). A file column is '' when the run has
-- no such file (no deduction bill, no invoice).
CREATE TABLE billing_runs (
  month             TEXT   NOT NULL PRIMARY KEY
                           CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
  state             TEXT   NOT NULL CHECK (state IN ('planned', 'done')),
  issue_date        TEXT   NOT NULL,
  started_at        BIGINT NOT NULL,
  finished_at       BIGINT,
  started_by        TEXT   NOT NULL,
  deduction_file    TEXT   NOT NULL DEFAULT '',
  deduction_sha256  TEXT   NOT NULL DEFAULT '',
  invoice_file      TEXT   NOT NULL DEFAULT '',
  invoice_sha256    TEXT   NOT NULL DEFAULT '',
  mailing_file      TEXT   NOT NULL DEFAULT '',
  mailing_sha256    TEXT   NOT NULL DEFAULT ''
);

-- One bill per institution, method and run month. number: 請求番号 = YYMM + 6-digit
-- sequence (TEAM.md). The recipient (name, postal code, address) is the register's at
-- planning time, kept so that a re-run writes the same files. due_date: invoices only.
CREATE TABLE bills (
  number           TEXT   NOT NULL PRIMARY KEY CHECK (length(number) = 10),
  run_month        TEXT   NOT NULL REFERENCES billing_runs (month),
  institution_code TEXT   NOT NULL,
  method           TEXT   NOT NULL CHECK (method IN ('deduction', 'invoice')),
  kind             TEXT   NOT NULL CHECK (kind IN ('regular', 'fallback')),
  amount_yen       BIGINT NOT NULL CHECK (amount_yen > 0),
  certificates     BIGINT NOT NULL CHECK (certificates >= 0),
  issue_date       TEXT   NOT NULL,
  due_date         TEXT,
  name             TEXT   NOT NULL,
  postal_code      TEXT   NOT NULL,
  address          TEXT   NOT NULL,
  UNIQUE (run_month, institution_code, method),
  CHECK ((method = 'invoice') = (due_date IS NOT NULL))
);
CREATE INDEX bills_institution ON bills (institution_code, run_month);

-- The ledger entries a bill holds. origin: 'new' (first billed), 'carried' (on a
-- deduction again after one was not made), 'fallback' (on an invoice after a deduction
-- was not made). An entry is on one bill per run month at most. certificate_ref (the
-- serial), charge_date, request_id, terminal_name, kind and mailing_yen (the mailing fee
-- within amount_yen) are the entry's, copied so that a failed deduction is carried, and an
-- invoice printed again, from these tables alone.
CREATE TABLE bill_items (
  bill_number     TEXT   NOT NULL REFERENCES bills (number),
  entry_id        BIGINT NOT NULL,
  origin          TEXT   NOT NULL CHECK (origin IN ('new', 'carried', 'fallback')),
  amount_yen      BIGINT NOT NULL,
  certificate_ref TEXT   NOT NULL,
  charge_date     TEXT   NOT NULL,
  request_id      TEXT   NOT NULL,
  terminal_name   TEXT   NOT NULL,
  kind            TEXT   NOT NULL,
  mailing_yen     BIGINT NOT NULL,
  PRIMARY KEY (bill_number, entry_id)
);
CREATE INDEX bill_items_entry ON bill_items (entry_id);

-- Ledger entries of a run month that got no bill (credit notes cancelling the charges).
CREATE TABLE billing_run_unbilled (
  run_month  TEXT   NOT NULL REFERENCES billing_runs (month),
  entry_id   BIGINT NOT NULL,
  amount_yen BIGINT NOT NULL,
  PRIMARY KEY (run_month, entry_id)
);

-- Each imported result file of the payment system, once (by its SHA-256).
CREATE TABLE deduction_imports (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_month   TEXT   NOT NULL REFERENCES billing_runs (month),
  file_sha256 TEXT   NOT NULL UNIQUE,
  lines       BIGINT NOT NULL,
  imported_at BIGINT NOT NULL,
  imported_by TEXT   NOT NULL
);

-- The outcome of a deduction bill, from the result file: deducted in full or not at all.
CREATE TABLE deduction_results (
  bill_number TEXT   NOT NULL PRIMARY KEY REFERENCES bills (number),
  outcome     TEXT   NOT NULL CHECK (outcome IN ('deducted', 'not_deducted')),
  amount_yen  BIGINT NOT NULL,
  import_id   BIGINT NOT NULL REFERENCES deduction_imports (id)
);
