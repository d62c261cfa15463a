-- Renewal (docs/renewal-and-cmp.md): an application is renewed again every validity
-- period, each renewal with its own fee. A fee charge is therefore keyed by the
-- certificate it pays for as well: serial is the certificate's serial ('' for charges
-- recorded before this migration, one per application and kind as before).
ALTER TABLE fee_charges ADD COLUMN serial TEXT NOT NULL DEFAULT '';
ALTER TABLE fee_charges DROP CONSTRAINT fee_charges_pkey;
ALTER TABLE fee_charges ADD PRIMARY KEY (request_id, kind, serial);

-- CMP initial enrollment (docs/renewal-and-cmp.md): the download password sealed a second
-- time, for verifying the PBM MAC of an ir only. Erased by the first successful ir; never
-- used after expires_at (the download deadline).
CREATE TABLE cmp_secrets (
  request_id TEXT   NOT NULL PRIMARY KEY REFERENCES applications (request_id),
  sealed     BYTEA  NOT NULL,
  expires_at BIGINT NOT NULL
);
