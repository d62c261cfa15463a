-- CRL shards (docs/revocation.md, "Sharded CRLs"): the shard of a certificate, chosen at
-- issuance and never changed; NULL for a certificate issued without shards (it stays on
-- the full CRL only, which its CRL distribution point names).
ALTER TABLE certificates ADD COLUMN crl_shard INTEGER NULL CHECK (crl_shard >= 0);

-- A shard's CRL lists its revoked certificates: one range of this index, index only.
CREATE INDEX certificates_revoked_shard
  ON certificates (issuer_id, crl_shard, serial, revoked_at, revocation_reason, invalidity_date,
                   not_after)
  WHERE revoked_at IS NOT NULL AND crl_shard IS NOT NULL;

-- Each shard's CRL has its own row in crl_state, keyed "<issuer_id>/<shard>", with its own
-- CRL numbers and revocation counter. Every revocation of a sharded certificate bumps its
-- shard's counter in the same transaction, whichever statement revoked it (the issuer's own
-- counter is bumped by the revoking statement itself, as before).
CREATE TRIGGER certificates_revoked_shard AFTER UPDATE OF revoked_at ON certificates
  WHEN new.revoked_at IS NOT NULL AND old.revoked_at IS NULL AND new.crl_shard IS NOT NULL
BEGIN
  INSERT INTO crl_state (issuer_id, revocation_counter, last_revocation_at)
    VALUES (new.issuer_id || '/' || new.crl_shard, 1, new.revoked_at)
    ON CONFLICT (issuer_id) DO UPDATE SET
      revocation_counter = crl_state.revocation_counter + 1,
      last_revocation_at = max(coalesce(crl_state.last_revocation_at,
                                        excluded.last_revocation_at),
                               excluded.last_revocation_at);
END;
