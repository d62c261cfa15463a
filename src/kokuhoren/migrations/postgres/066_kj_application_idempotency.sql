-- A resent 送信 form (the same idempotency key of the same account) answers with the
-- application it made the first time instead of a second one (docs/kokuhoren.md).
ALTER TABLE kj_applications ADD COLUMN idempotency_key TEXT NULL;
CREATE UNIQUE INDEX kj_applications_idempotency ON kj_applications (account_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
