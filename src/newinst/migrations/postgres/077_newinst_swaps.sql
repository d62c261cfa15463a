-- The imports of the bureau's 新規指定医療機関一覧表 and the swaps they made (docs/newinst.md
-- "The bureau's list and the code swap"). One newinst_imports row per import that changed
-- something (a refused or no-op import leaves none); one newinst_swaps row per provisional
-- code swapped to its real code. nicerts finds the certificates to re-issue from
-- newinst_swaps (old codes → real_code, swapped_at). Append-only. Times are Unix seconds.
CREATE TABLE newinst_imports (
  import_id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_name   TEXT   NOT NULL,
  file_sha256 TEXT   NOT NULL CHECK (length(file_sha256) = 64),
  rows_total  BIGINT NOT NULL,
  swapped     BIGINT NOT NULL,
  imported_at BIGINT NOT NULL,
  imported_by TEXT   NOT NULL CHECK (imported_by <> '')
);
CREATE TABLE newinst_swaps (
  provisional_code TEXT   NOT NULL PRIMARY KEY REFERENCES newinst_institutions (provisional_code),
  import_id        BIGINT NOT NULL REFERENCES newinst_imports (import_id),
  file_row         BIGINT NOT NULL,
  reception_number TEXT,
  real_code        TEXT   NOT NULL UNIQUE CHECK (length(real_code) = 10),
  designated_on    TEXT   NOT NULL,  -- 指定年月日 of the list, YYYY-MM-DD
  swapped_at       BIGINT NOT NULL,
  charges_moved    BIGINT NOT NULL,
  applications     BIGINT NOT NULL,
  accounts         BIGINT NOT NULL
);
CREATE INDEX newinst_swaps_at ON newinst_swaps (swapped_at);
