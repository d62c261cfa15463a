-- Every certificate an application has ever held (docs/renewal-and-cmp.md, "A write that
-- failed"): written by the database itself whenever an application's serial changes, in the
-- transaction that records it (approval, renewal, a retried renewal's replacement, CMP).
-- RevokeUnrecorded, run after a write whose COMMIT may or may not have happened, revokes a
-- signed certificate only when it is not here: "held now" was not enough, because the
-- application may have renewed past it by the time the revocation runs.
-- Rows from before this migration: the certificates applications hold now (current, and
-- both sides of a pending renewal).
CREATE TABLE recorded_certificates (
  serial     TEXT NOT NULL PRIMARY KEY,
  request_id TEXT NOT NULL
);

INSERT INTO recorded_certificates (serial, request_id)
  SELECT serial, request_id FROM applications WHERE serial <> ''
  UNION SELECT serial, request_id FROM renewal_pending
  UNION SELECT previous_serial, request_id FROM renewal_pending
  ON CONFLICT (serial) DO NOTHING;

CREATE FUNCTION claimsca_application_serial_recorded() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO recorded_certificates (serial, request_id) VALUES (NEW.serial, NEW.request_id)
    ON CONFLICT (serial) DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER applications_serial_inserted AFTER INSERT ON applications
  FOR EACH ROW WHEN (NEW.serial <> '')
  EXECUTE FUNCTION claimsca_application_serial_recorded();
CREATE TRIGGER applications_serial_changed AFTER UPDATE OF serial ON applications
  FOR EACH ROW WHEN (NEW.serial <> '' AND NEW.serial IS DISTINCT FROM OLD.serial)
  EXECUTE FUNCTION claimsca_application_serial_recorded();
