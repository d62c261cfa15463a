-- The subsidy payment files (docs/qualcheck.md "Subsidy"): the file of a date is made once,
-- with the applications it pays marked in the same transaction, and kept here byte for
-- byte, so a re-run hands out the same bytes. Rows are never updated or deleted.
CREATE TABLE subsidy_payment_files (
  file_date  TEXT   PRIMARY KEY CHECK (length(file_date) = 10),
  file_name  TEXT   NOT NULL,
  content    TEXT   NOT NULL,
  sha256     TEXT   NOT NULL CHECK (length(sha256) = 64),
  lines      BIGINT NOT NULL CHECK (lines >= 0),
  total_yen  BIGINT NOT NULL CHECK (total_yen >= 0),
  made_by    TEXT   NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TRIGGER subsidy_payment_files_no_update BEFORE UPDATE ON subsidy_payment_files
BEGIN
  SELECT RAISE(ABORT, 'subsidy_payment_files is append-only');
END;
CREATE TRIGGER subsidy_payment_files_no_delete BEFORE DELETE ON subsidy_payment_files
BEGIN
  SELECT RAISE(ABORT, 'subsidy_payment_files is append-only');
END;
