-- Accounts of the portal (institutions) and of the staff (operators), their roles and
-- institution codes, and their tokens (docs/accounts.md). Times are Unix seconds (UTC).
-- Booleans are 0/1. Passwords are stored only as argon2id strings (auth::HashPassword);
-- tokens only as the hex SHA-256 of the bearer value (auth::TokenHash).
CREATE TABLE accounts (
  account_id     TEXT    NOT NULL PRIMARY KEY,
  kind           TEXT    NOT NULL CHECK (kind IN ('institution', 'operator')),
  display_name   TEXT    NOT NULL,
  email          TEXT    NOT NULL,
  password_hash  TEXT    NOT NULL,
  email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until   BIGINT  NULL,
  created_at     BIGINT  NOT NULL
);

-- Operators' roles (administrator implies operator implies reviewer: auth::Allows).
CREATE TABLE account_roles (
  account_id TEXT NOT NULL REFERENCES accounts (account_id),
  role       TEXT NOT NULL CHECK (role IN ('reviewer', 'operator', 'administrator')),
  PRIMARY KEY (account_id, role)
);

-- The institution codes (10-digit 医療機関等コード or 8-digit 保険者番号) an institution
-- account may act for.
CREATE TABLE account_institutions (
  account_id       TEXT NOT NULL REFERENCES accounts (account_id),
  institution_code TEXT NOT NULL,
  PRIMARY KEY (account_id, institution_code)
);
CREATE INDEX account_institutions_code ON account_institutions (institution_code);

-- Bearer tokens, session ids and e-mail links, by the hex SHA-256 of their value.
CREATE TABLE auth_tokens (
  token_hash TEXT   NOT NULL PRIMARY KEY,
  account_id TEXT   NOT NULL REFERENCES accounts (account_id),
  kind       TEXT   NOT NULL CHECK (kind IN ('api', 'session', 'email_verify', 'password_reset')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  data       TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX auth_tokens_account ON auth_tokens (account_id, kind);
