-- The purchase receipts of a subsidy application (docs/qualcheck.md "Subsidy"): one row per
-- device bought, amount in yen including tax. Written with the application, never changed.
CREATE TABLE subsidy_receipts (
  application_id TEXT   NOT NULL REFERENCES subsidy_applications (application_id),
  line_no        BIGINT NOT NULL CHECK (line_no > 0),
  kind           TEXT   NOT NULL CHECK (kind IN ('smartphone', 'tablet', 'card_reader')),
  purchase_date  TEXT   NOT NULL CHECK (length(purchase_date) = 10),
  amount_yen     BIGINT NOT NULL CHECK (amount_yen > 0),
  vendor         TEXT   NOT NULL,
  PRIMARY KEY (application_id, line_no)
);
