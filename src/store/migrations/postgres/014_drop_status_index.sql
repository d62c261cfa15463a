-- The covering index certificates_status (serial, issuer_id, state, not_after, revoked_at,
-- revocation_reason) made the OCSP status read answer from one b-tree, but every issuance
-- paid for it twice: one more random index page written with the intent, and the entry
-- rewritten when the state changes to issued. Measured (bench/run.sh issue, RSA-2048 CA,
-- 200,000 certificates on SQLite): CPU per issued certificate 0.61 → 0.56 ms without it. The status
-- read now seeks the primary-key index and reads the row: a few microseconds more per OCSP
-- answer, which the OCSP targets absorb (docs/benchmarks.md).
DROP INDEX IF EXISTS certificates_status;
