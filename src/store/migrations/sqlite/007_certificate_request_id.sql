-- The application (リクエストID) a certificate was issued for, recorded with the intent, so
-- that a certificate signed for an application whose approval did not finish can be found
-- (and revoked) when the approval is taken over. NULL for certificates issued directly by
-- operators (`claimsca sign`, the certificates API).
ALTER TABLE certificates ADD COLUMN request_id TEXT NULL;
CREATE INDEX certificates_request ON certificates (request_id) WHERE request_id IS NOT NULL;
