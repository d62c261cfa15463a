-- The monthly offset files of the 国保連 program (docs/kokuhoren.md, section "Fees"): the
-- file of a month is made once, with its settlement entries in the same transaction, and
-- kept here byte for byte, so a re-run hands out the same bytes and settles nothing more.
-- Rows are never updated or deleted.
CREATE TABLE kj_offset_files (
  month      TEXT   PRIMARY KEY CHECK (length(month) = 7),
  file_name  TEXT   NOT NULL,
  content    TEXT   NOT NULL,
  sha256     TEXT   NOT NULL CHECK (length(sha256) = 64),
  lines      BIGINT NOT NULL CHECK (lines >= 0),
  total_yen  BIGINT NOT NULL CHECK (total_yen >= 0),
  made_by    TEXT   NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TRIGGER kj_offset_files_no_update BEFORE UPDATE ON kj_offset_files
BEGIN
  SELECT RAISE(ABORT, 'kj_offset_files is append-only');
END;
CREATE TRIGGER kj_offset_files_no_delete BEFORE DELETE ON kj_offset_files
BEGIN
  SELECT RAISE(ABORT, 'kj_offset_files is append-only');
END;
