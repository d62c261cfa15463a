-- The institution register (医療機関等マスタ), versioned: each import makes a new version
-- holding every row; the latest version is the current one. Times are Unix seconds (UTC).
CREATE TABLE register_versions (
  version     BIGINT NOT NULL PRIMARY KEY,
  imported_at BIGINT NOT NULL,
  source      TEXT   NOT NULL,
  row_count   BIGINT NOT NULL,
  imported_by TEXT   NOT NULL
);

-- institution_code: 10-digit 医療機関等コード, 8-digit insurer_number or 10-digit
-- checkup_body_number.
CREATE TABLE register_entries (
  version          BIGINT NOT NULL REFERENCES register_versions (version),
  institution_code TEXT   NOT NULL,
  name             TEXT   NOT NULL,
  postal_code      TEXT   NOT NULL CHECK (length(postal_code) = 7),
  address          TEXT   NOT NULL,
  category         TEXT   NOT NULL,
  billing_method   TEXT   NOT NULL CHECK (billing_method IN ('deduction', 'invoice')),
  PRIMARY KEY (version, institution_code)
);
