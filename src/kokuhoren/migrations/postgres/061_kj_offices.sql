-- 国保連 offices (事業所) and agents (代理人), the temporary passwords still to be changed,
-- and the 証明書発行用パスワード generations (docs/kokuhoren.md "Offices, agents and
-- accounts"). Times are Unix seconds (UTC).

-- An office by its 介護保険事業所番号 (domain::CareOfficeNumberOk). account_id: its own
-- kj_office account (every registered office has one). An agent acts for offices through
-- the codes of its account (account_institutions).
CREATE TABLE kj_offices (
  care_office_number TEXT   NOT NULL PRIMARY KEY,
  name               TEXT   NOT NULL,
  postal_code        TEXT   NOT NULL DEFAULT '',
  address            TEXT   NOT NULL DEFAULT '',
  email              TEXT   NOT NULL DEFAULT '',
  account_id         TEXT   NOT NULL UNIQUE REFERENCES accounts (account_id),
  created_at         BIGINT NOT NULL
);

-- An agent (代理人請求): its name and address for the registration notice.
CREATE TABLE kj_agents (
  account_id  TEXT   NOT NULL PRIMARY KEY REFERENCES accounts (account_id),
  name        TEXT   NOT NULL,
  postal_code TEXT   NOT NULL DEFAULT '',
  address     TEXT   NOT NULL DEFAULT '',
  email       TEXT   NOT NULL DEFAULT '',
  created_at  BIGINT NOT NULL
);

-- Accounts whose password is still the temporary one of the registration notice: they
-- must change it at their next login (the row goes when they do).
CREATE TABLE kj_password_change (
  account_id     TEXT   NOT NULL PRIMARY KEY REFERENCES accounts (account_id),
  required_since BIGINT NOT NULL
);

-- 証明書発行用パスワード: only its argon2id hash, one row per generation (1 at
-- registration, +1 per re-issue). The highest generation is the current one.
CREATE TABLE kj_issuance_passwords (
  account_id    TEXT   NOT NULL REFERENCES accounts (account_id),
  generation    BIGINT NOT NULL CHECK (generation >= 1),
  password_hash TEXT   NOT NULL,
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (account_id, generation)
);
