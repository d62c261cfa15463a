-- Applications (申請, DOMAIN.md §2): one row per request_id, from submission (pending) to
-- issued, rejected, cancelled or revoked. Times are Unix seconds (UTC); text columns hold
-- '' when empty; the two blobs are NULL when empty (pkcs12_der once purged, sealed_password
-- once handed over). seq orders the listings (newest first); AUTOINCREMENT never reuses a
-- value, so a keyset cursor stays valid.
CREATE TABLE applications (
  seq                    INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  request_id             TEXT    NOT NULL UNIQUE,
  program                TEXT    NOT NULL,
  channel                TEXT    NOT NULL,
  account_id             TEXT    NOT NULL,
  idempotency_key        TEXT    NOT NULL,
  applicant_kind         TEXT    NOT NULL,
  category               TEXT    NOT NULL,
  prefecture             TEXT    NOT NULL,
  score_table            TEXT    NOT NULL,
  facility_code          TEXT    NOT NULL,
  institution_code       TEXT    NOT NULL,
  institution_name       TEXT    NOT NULL,
  contact_name           TEXT    NOT NULL,
  phone                  TEXT    NOT NULL,
  email                  TEXT    NOT NULL,
  terminal_name          TEXT    NOT NULL,
  state                  TEXT    NOT NULL
                         CHECK (state IN ('pending', 'issued', 'rejected', 'cancelled', 'revoked')),
  register_version       BIGINT  NOT NULL CHECK (register_version >= 0),
  hold_reason            TEXT    NOT NULL,
  submitted_at           BIGINT  NOT NULL,
  decided_at             BIGINT  NULL,
  decided_by             TEXT    NOT NULL,
  reject_reason          TEXT    NOT NULL,
  serial                 TEXT    NOT NULL,
  common_name            TEXT    NOT NULL,
  issued_at              BIGINT  NULL,
  not_after              BIGINT  NULL,
  download_deadline      BIGINT  NULL,
  download_password_hash TEXT    NOT NULL,
  pkcs12_der             BLOB    NULL,
  sealed_password        BLOB    NULL,
  download_failures      INTEGER NOT NULL CHECK (download_failures >= 0),
  download_locked_until  BIGINT  NULL,
  download_count         BIGINT  NOT NULL CHECK (download_count >= 0),
  last_downloaded_at     BIGINT  NULL,
  cancelled_at           BIGINT  NULL,
  revoked_at             BIGINT  NULL,
  revocation_reason      INTEGER NULL CHECK (revocation_reason BETWEEN 0 AND 10
                                             AND revocation_reason <> 7),
  revoked_by             TEXT    NOT NULL,
  claim_holder           TEXT    NOT NULL,
  claim_until            BIGINT  NULL,
  -- Issuance data exactly on issued (and later revoked) rows.
  CHECK ((state IN ('issued', 'revoked')) =
         (serial <> '' AND issued_at IS NOT NULL AND not_after IS NOT NULL
          AND download_deadline IS NOT NULL AND decided_at IS NOT NULL)),
  CHECK (state <> 'rejected' OR decided_at IS NOT NULL),
  CHECK ((state = 'cancelled') = (cancelled_at IS NOT NULL)),
  CHECK ((state = 'revoked') = (revoked_at IS NOT NULL)),
  CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL)),
  -- Only a pending application can be claimed for approval.
  CHECK ((claim_holder = '') = (claim_until IS NULL)),
  CHECK (claim_holder = '' OR state = 'pending')
);

-- Idempotent submission: one application per (channel, account_id, idempotency_key).
CREATE UNIQUE INDEX applications_idempotency
  ON applications (channel, account_id, idempotency_key) WHERE idempotency_key <> '';

-- Listings (newest first) of an institution, by state, of an account; lookup by serial;
-- the download purge.
CREATE INDEX applications_institution ON applications (institution_code, state, seq);
CREATE INDEX applications_state ON applications (state, seq);
CREATE INDEX applications_account ON applications (account_id, seq) WHERE account_id <> '';
CREATE INDEX applications_serial ON applications (serial) WHERE serial <> '';
CREATE INDEX applications_download_deadline
  ON applications (download_deadline) WHERE pkcs12_der IS NOT NULL;

-- Edits of the contact fields of issued applications (変更前/変更後), oldest first.
CREATE TABLE application_edits (
  id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  request_id TEXT    NOT NULL REFERENCES applications (request_id),
  field      TEXT    NOT NULL
             CHECK (field IN ('contact_name', 'terminal_name', 'email', 'phone')),
  before     TEXT    NOT NULL,
  after      TEXT    NOT NULL,
  edited_by  TEXT    NOT NULL,
  at         BIGINT  NOT NULL
);
CREATE INDEX application_edits_request ON application_edits (request_id, id);

-- Fees arising on approval (DOMAIN.md §7), one per application and kind; charge_date is
-- the JST date of issuance, 'YYYY-MM-DD'.
CREATE TABLE fee_charges (
  request_id       TEXT   NOT NULL REFERENCES applications (request_id),
  kind             TEXT   NOT NULL CHECK (kind <> ''),
  institution_code TEXT   NOT NULL,
  program          TEXT   NOT NULL,
  charge_date      TEXT   NOT NULL CHECK (charge_date GLOB
                                           '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  issuance_fee_yen BIGINT NOT NULL CHECK (issuance_fee_yen >= 0),
  mailing_fee_yen  BIGINT NOT NULL CHECK (mailing_fee_yen >= 0),
  total_yen        BIGINT NOT NULL CHECK (total_yen >= 0),
  created_at       BIGINT NOT NULL,
  PRIMARY KEY (request_id, kind)
);
CREATE INDEX fee_charges_date ON fee_charges (charge_date);
