-- Certificates: one row per serial, from the intent (before signing) to issued or failed.
-- Times are Unix seconds (UTC). Small, hot columns come first and the DER blobs last, so
-- that status reads never touch overflow pages.
CREATE TABLE certificates (
  serial            TEXT    NOT NULL PRIMARY KEY,
  issuer_id         TEXT    NOT NULL,
  state             TEXT    NOT NULL CHECK (state IN ('intent', 'issued', 'failed')),
  not_before        BIGINT  NOT NULL,
  not_after         BIGINT  NOT NULL,
  revoked_at        BIGINT  NULL,
  revocation_reason INTEGER NULL CHECK (revocation_reason BETWEEN 0 AND 10
                                        AND revocation_reason <> 7),
  invalidity_date   BIGINT  NULL,
  program           TEXT    NOT NULL,
  institution_code  TEXT    NOT NULL,
  common_name       TEXT    NOT NULL UNIQUE,
  terminal_name     TEXT    NOT NULL,
  key_algorithm     TEXT    NOT NULL,
  created_at        BIGINT  NOT NULL,
  tbs_der           BLOB    NOT NULL,
  cert_der          BLOB    NULL,
  CHECK ((state = 'issued') = (cert_der IS NOT NULL)),
  CHECK (revoked_at IS NULL OR state = 'issued'),
  CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
);

-- OCSP: GetStatus(issuer_id, serial) in one covering index seek.
CREATE INDEX certificates_status
  ON certificates (serial, issuer_id, state, not_after, revoked_at, revocation_reason);

-- CRL: ForEachRevoked(issuer_id, expired_since) scans only revoked rows, index only.
CREATE INDEX certificates_revoked
  ON certificates (issuer_id, not_after, serial, revoked_at, revocation_reason, invalidity_date)
  WHERE revoked_at IS NOT NULL;
