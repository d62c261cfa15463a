-- The identity check of the 資格確認限定型 form (注2): what it needs of each institution's
-- claims bank account, imported by the operator (`claimsca qualcheck bank-import`). Only a
-- keyed hash: digest = hex HMAC-SHA256(server secret, institution_code ":" last 4 digits).
-- Four digits have 10,000 values, so a plain hash would be reversed by trying them all;
-- without the secret (data directory, not in the database) the digest says nothing.
CREATE TABLE qc_bank_digits (
  institution_code TEXT   NOT NULL PRIMARY KEY CHECK (length(institution_code) = 10),
  digest           TEXT   NOT NULL,
  imported_at      BIGINT NOT NULL,
  imported_by      TEXT   NOT NULL
);
