-- The 国保連 program's account kinds (docs/accounts.md, docs/kokuhoren.md): "kj_office" (an
-- office, 事業所) and "kj_agent" (代理人請求), rows of the same accounts table. SQLite cannot
-- change a CHECK constraint in place, so the table is rebuilt: the rows are copied aside,
-- the table dropped and created again with the wider CHECK, and the rows put back, in the
-- migration's one transaction. The foreign keys of account_roles, account_institutions
-- and auth_tokens name the table, so they hold again once it is back; they are checked at
-- COMMIT (defer_foreign_keys), when every row has its account again.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE kj_accounts_copy AS SELECT * FROM accounts;
DROP TABLE accounts;
CREATE TABLE accounts (
  account_id     TEXT    NOT NULL PRIMARY KEY,
  kind           TEXT    NOT NULL CHECK (kind IN ('institution', 'operator', 'kj_office', 'kj_agent')),
  display_name   TEXT    NOT NULL,
  email          TEXT    NOT NULL,
  password_hash  TEXT    NOT NULL,
  email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
  disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until   BIGINT  NULL,
  created_at     BIGINT  NOT NULL
);
INSERT INTO accounts (account_id, kind, display_name, email, password_hash, email_verified,
                      disabled, failed_logins, locked_until, created_at)
  SELECT account_id, kind, display_name, email, password_hash, email_verified, disabled,
         failed_logins, locked_until, created_at
  FROM kj_accounts_copy;
DROP TABLE kj_accounts_copy;
