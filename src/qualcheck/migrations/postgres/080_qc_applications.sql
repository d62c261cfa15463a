-- 資格確認限定型 (マイナ資格確認アプリ) applications (DOMAIN.md §10, seed 004;
-- docs/qualcheck.md). One row per application, keyed from a paper form (channel paper,
-- paper_ref = the 受付番号 of the post, unique) or entered on the portal (channel portal).
-- Times are Unix seconds (UTC); dates 'YYYY-MM-DD' (JST).
--
-- state: keying (one keying so far) → differs (two keyings disagree; a correction round
-- follows) → agreed (the last two keyings, by two different people, agree; a portal
-- application starts here) → approved | rejected.
-- kinds: the 申請区分 checked: '1', '2', '12' or '3' (docs/qualcheck.md).
-- form_json: the agreed fields except the secrets (password, bank digits).
-- password_hash: argon2id of the form's password (never the password), NULL when not
-- asked; cleared once the application is decided. bank_check: the outcome of the identity
-- check of 注2 (match | mismatch | unregistered), never the digits.
-- use_start_date: 運用開始（予定）日 = the approval date (JST) for kinds with 2.
CREATE TABLE qc_applications (
  id               TEXT   NOT NULL PRIMARY KEY,
  channel          TEXT   NOT NULL CHECK (channel IN ('paper', 'portal')),
  paper_ref        TEXT   UNIQUE,
  institution_code TEXT   NOT NULL CHECK (length(institution_code) = 10),
  kinds            TEXT   NOT NULL CHECK (kinds IN ('1', '2', '12', '3')),
  state            TEXT   NOT NULL CHECK (state IN ('keying', 'differs', 'agreed', 'approved',
                                                    'rejected')),
  form_json        TEXT   NOT NULL,
  password_hash    TEXT,
  bank_check       TEXT   CHECK (bank_check IN ('match', 'mismatch', 'unregistered')),
  devices          BIGINT,
  use_start_date   TEXT,
  end_date         TEXT,
  end_action       TEXT   CHECK (end_action IN ('end', 'cancel', 'change')),
  account_id       TEXT,
  reason           TEXT,
  letters_batch    TEXT,
  created_at       BIGINT NOT NULL,
  created_by       TEXT   NOT NULL,
  decided_at       BIGINT,
  decided_by       TEXT
);
CREATE INDEX qc_applications_code ON qc_applications (institution_code, state);

-- Every keying of a paper form, in order (seq 1, 2, ...): who keyed what. The secrets are
-- kept as argon2id hashes only while the keyings are being compared (the next keyer's
-- clear values are verified against them) and set to NULL once the application agrees.
CREATE TABLE qc_keyings (
  application_id TEXT   NOT NULL REFERENCES qc_applications (id),
  seq            BIGINT NOT NULL,
  keyer          TEXT   NOT NULL,
  fields_json    TEXT   NOT NULL,
  password_hash  TEXT,
  bank_hash      TEXT,
  differs_json   TEXT   NOT NULL DEFAULT '[]',
  keyed_at       BIGINT NOT NULL,
  PRIMARY KEY (application_id, seq)
);
