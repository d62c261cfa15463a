-- The audit trail: append-only, hash-chained. seq counts 1, 2, 3, ... without gaps; hash =
-- hex(SHA-256(prev_hash || canonical fields)), prev_hash of seq 1 is 64 zeros (see
-- src/store/audit.cc). Times are Unix seconds (UTC); details is a JSON text.
CREATE TABLE audit_log (
  seq       BIGINT NOT NULL PRIMARY KEY,
  at        BIGINT NOT NULL,
  actor     TEXT   NOT NULL,
  action    TEXT   NOT NULL,
  subject   TEXT   NOT NULL,
  details   TEXT   NOT NULL,
  prev_hash TEXT   NOT NULL,
  hash      TEXT   NOT NULL
);

-- Defence in depth: the store never updates or deletes audit rows. (Whoever can drop a
-- trigger can still alter rows: the hash chain is what detects that.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
