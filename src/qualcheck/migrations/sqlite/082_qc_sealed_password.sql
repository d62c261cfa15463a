-- The temporary password of an approved {1, 2} application (docs/qualcheck.md "Approval and
-- the letters"): sealed (crypto::SealedBox with the data directory's sealing key, bound to
-- the application id, hex) from approval until the ユーザー設定情報 letter is printed, then erased.
ALTER TABLE qc_applications ADD COLUMN sealed_password TEXT;
