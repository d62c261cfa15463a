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
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
