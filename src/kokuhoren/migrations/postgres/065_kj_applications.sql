-- 国保連 certificate applications (docs/kokuhoren.md, "Certificate applications, issuance
-- and download"), kept apart from the common CA's `applications` so that its processes
-- (notice batches, billing run, reminders) never see them. Times are Unix seconds (UTC).
-- state: awaiting_payment (振込, 入金確認待ち) -> pending (発行申請中) -> issued (発行済み)
-- -> revoked (失効済み); awaiting_payment / pending -> cancelled (取消). Expired is derived.
-- password_generation: the applicant's 証明書発行用パスワード generation it was applied
-- with; sealed_password (hex, crypto::SealedBox bound to the id) holds that password from
-- application to issuance only; pkcs12_hex is the PKCS#12 protected by it, from issuance.
CREATE TABLE kj_applications (
  id                   TEXT   NOT NULL PRIMARY KEY,
  account_id           TEXT   NOT NULL,
  account_kind         TEXT   NOT NULL CHECK (account_kind IN ('kj_office', 'kj_agent')),
  office_number        TEXT   NOT NULL CHECK (length(office_number) = 10),
  usage_category       TEXT   NOT NULL CHECK (usage_category IN ('care_insurance',
                                                                 'care_and_disability')),
  payment_method       TEXT   NOT NULL CHECK (payment_method IN ('offset', 'transfer')),
  offset_office_number TEXT   NULL,
  validity_start       TEXT   NOT NULL CHECK (validity_start IN ('continue', 'from_issuance')),
  continues_id         TEXT   NULL REFERENCES kj_applications (id),
  requested_not_before BIGINT NULL,
  password_generation  BIGINT NOT NULL,
  terms_version        TEXT   NOT NULL CHECK (terms_version <> ''),
  state                TEXT   NOT NULL CHECK (state IN ('awaiting_payment', 'pending', 'issued',
                                                        'revoked', 'cancelled')),
  applied_at           BIGINT NOT NULL,
  paid_at              BIGINT NULL,
  paid_by              TEXT   NULL,
  claimed_by           TEXT   NULL,
  claimed_until        BIGINT NULL,
  issued_at            BIGINT NULL,
  issued_by            TEXT   NULL,
  serial               TEXT   NULL UNIQUE,
  not_before           BIGINT NULL,
  not_after            BIGINT NULL,
  sealed_password      TEXT   NULL,
  pkcs12_hex           TEXT   NULL,
  closed_at            BIGINT NULL,
  closed_by            TEXT   NULL,
  CHECK ((payment_method = 'offset') = (offset_office_number IS NOT NULL)),
  CHECK ((validity_start = 'continue') = (requested_not_before IS NOT NULL)),
  CHECK ((state IN ('issued', 'revoked')) = (serial IS NOT NULL))
);
-- At most one open application per office.
CREATE UNIQUE INDEX kj_applications_open ON kj_applications (office_number)
  WHERE state IN ('awaiting_payment', 'pending');
CREATE INDEX kj_applications_office ON kj_applications (office_number, applied_at);
CREATE INDEX kj_applications_account ON kj_applications (account_id, applied_at);
CREATE INDEX kj_applications_end ON kj_applications (not_after) WHERE state = 'issued';

-- 証明書有効期限切れ事前通知: one row per certificate noticed (the job's forward progress;
-- the inbox message has its own dedupe key too).
CREATE TABLE kj_expiry_notices (
  application_id TEXT   NOT NULL PRIMARY KEY REFERENCES kj_applications (id),
  account_id     TEXT   NOT NULL,
  noticed_at     BIGINT NOT NULL,
  emailed_to     TEXT   NOT NULL
);
