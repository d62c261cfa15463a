-- A renewal whose new certificate is not confirmed yet (docs/renewal-and-cmp.md, "A lost
-- answer"): until the holder confirms it (CMP certConf, or the new certificate's first use),
-- previous_serial may still renew — a retry after a lost answer gets serial again, or a
-- fresh certificate that replaces it, and the fee is charged once. At most one per
-- application: the latest renewal.
CREATE TABLE renewal_pending (
  request_id      TEXT   NOT NULL PRIMARY KEY REFERENCES applications (request_id),
  previous_serial TEXT   NOT NULL,
  serial          TEXT   NOT NULL,
  created_at      BIGINT NOT NULL
);
