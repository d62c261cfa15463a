-- The daily reminders job (docs/notices-and-mail.md, "What a daily run reads"): besides the
-- end dates that entered a stage of a schedule since its last run, it reads the issued
-- applications written since the start of that run's day — issued, renewed, a renewal
-- reverted, downloaded, edited — whose end or download deadline lies inside the window.
-- changed_at: the writer's clock (Unix seconds) at the last write of the row through the
-- application operations (ApplicationTx::Update); NULL for a row not written since this
-- migration (or never after its insert: a pending row is never due).
ALTER TABLE applications ADD COLUMN changed_at BIGINT NULL;

CREATE INDEX applications_issued_changed ON applications (changed_at) WHERE state = 'issued';
