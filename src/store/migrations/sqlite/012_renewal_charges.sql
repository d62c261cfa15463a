-- Renewal (docs/renewal-and-cmp.md): an application is renewed again every validity
-- period, each renewal with its own fee. A fee charge is therefore keyed by the
-- certificate it pays for as well: serial is the certificate's serial ('' for charges
-- recorded before this migration, one per application and kind as before).
CREATE TABLE fee_charges_012 (
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
  serial           TEXT   NOT NULL DEFAULT '',
  PRIMARY KEY (request_id, kind, serial)
);
INSERT INTO fee_charges_012 (request_id, kind, institution_code, program, charge_date,
                             issuance_fee_yen, mailing_fee_yen, total_yen, created_at)
  SELECT request_id, kind, institution_code, program, charge_date, issuance_fee_yen,
         mailing_fee_yen, total_yen, created_at FROM fee_charges;
DROP TABLE fee_charges;
ALTER TABLE fee_charges_012 RENAME TO fee_charges;
CREATE INDEX fee_charges_date ON fee_charges (charge_date);

-- CMP initial enrollment (docs/renewal-and-cmp.md): the download password sealed a second
-- time, for verifying the PBM MAC of an ir only. Erased by the first successful ir; never
-- used after expires_at (the download deadline).
CREATE TABLE cmp_secrets (
  request_id TEXT   NOT NULL PRIMARY KEY REFERENCES applications (request_id),
  sealed     BLOB   NOT NULL,
  expires_at BIGINT NOT NULL
);
