-- The inbox of a 国保連 account (お知らせ / 連絡文書, docs/kokuhoren.md): messages posted by
-- the system (password re-issue notices, 証明書有効期限切れ事前通知...). dedupe_key is unique,
-- so a job that runs again posts each message once. The attachment (a ZIP) is stored as
-- lowercase hex, text on both back ends.
CREATE TABLE kj_inbox (
  message_id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id      TEXT   NOT NULL REFERENCES accounts (account_id),
  dedupe_key      TEXT   NOT NULL UNIQUE,
  title           TEXT   NOT NULL,
  body            TEXT   NOT NULL,
  attachment_name TEXT   NULL,
  attachment_hex  TEXT   NULL,
  created_at      BIGINT NOT NULL,
  read_at         BIGINT NULL
);
CREATE INDEX kj_inbox_account ON kj_inbox (account_id, created_at);
