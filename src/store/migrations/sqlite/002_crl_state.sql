-- Per issuing CA: the latest CRL and the revocation counter it covers. A row is created by
-- the first revocation or the first published CRL, whichever comes first.
CREATE TABLE crl_state (
  issuer_id          TEXT   NOT NULL PRIMARY KEY,
  crl_number         BIGINT NOT NULL DEFAULT 0 CHECK (crl_number >= 0),
  this_update        BIGINT NOT NULL DEFAULT 0,
  next_update        BIGINT NOT NULL DEFAULT 0,
  revocation_counter BIGINT NOT NULL DEFAULT 0 CHECK (revocation_counter >= 0),
  covered_counter    BIGINT NOT NULL DEFAULT 0 CHECK (covered_counter >= 0),
  last_revocation_at BIGINT NULL,
  crl_der            BLOB  NULL
);
