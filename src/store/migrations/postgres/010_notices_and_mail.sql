-- Issuance notices (発行通知書) printed in daily batches, and the e-mail outbox
-- (docs/notices-and-mail.md). Times are Unix seconds (UTC).

-- One printed batch: one PDF (one page per notice) and its mailing list. Recorded in the
-- same transaction that erases the sealed download passwords of its applications, after
-- both files are on disk.
CREATE TABLE notice_batches (
  batch_id      BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  printed_on    TEXT    NOT NULL,  -- JST date printed on the notices, YYYY-MM-DD
  dispatch_on   TEXT    NOT NULL,  -- JST date the batch goes to the post, YYYY-MM-DD
  pdf_file      TEXT    NOT NULL,  -- file name in the output directory
  csv_file      TEXT    NOT NULL,
  pdf_sha256    TEXT    NOT NULL,  -- hex
  pages         INTEGER NOT NULL CHECK (pages > 0),
  created_by    TEXT    NOT NULL,
  created_at    BIGINT  NOT NULL
);

-- Which application is on which page of which batch. An application is printed once
-- (its password exists only on that page).
CREATE TABLE notice_items (
  request_id  TEXT    NOT NULL PRIMARY KEY REFERENCES applications (request_id),
  batch_id    BIGINT  NOT NULL REFERENCES notice_batches (batch_id),
  page        INTEGER NOT NULL CHECK (page > 0),
  UNIQUE (batch_id, page)
);

-- Every e-mail, written once per dedup_key ("<subject>|<kind>|<YYYY-MM-DD>"), then sent
-- by the outbox sender with retries. mime is the whole RFC 5322 message as sent.
CREATE TABLE mail_outbox (
  id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedup_key       TEXT    NOT NULL UNIQUE,
  kind            TEXT    NOT NULL,
  subject_ref     TEXT    NOT NULL,  -- request_id or serial the message is about
  recipient       TEXT    NOT NULL,
  mime            BYTEA   NOT NULL,
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at BIGINT  NOT NULL,
  last_error      TEXT    NOT NULL DEFAULT '',
  created_at      BIGINT  NOT NULL,
  sent_at         BIGINT  NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at, id);
