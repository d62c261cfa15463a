-- The second half of issue 5 (docs/notices-and-mail.md): daily jobs, on-screen reminders
-- answered to terminals, and the shipping of printed notices. Times are Unix seconds (UTC),
-- days are JST dates YYYY-MM-DD.

-- The last JST day each daily job completed (written after the job's work, so a job killed
-- half-way runs again; its work is idempotent).
CREATE TABLE job_runs (
  name         TEXT   NOT NULL PRIMARY KEY,
  last_day     TEXT   NOT NULL,
  finished_at  BIGINT NOT NULL
);

-- The expiry dialog a terminal was told to show: once per certificate and stage (90, 60,
-- 30, 15, 7 days before the end, then one stage a day), on the day first asked.
CREATE TABLE onscreen_reminders (
  serial    TEXT    NOT NULL,
  stage     INTEGER NOT NULL CHECK (stage >= 0),
  shown_on  TEXT    NOT NULL,
  PRIMARY KEY (serial, stage)
);

-- Shipping of a printed notice, from the mailing service's tracking list: printed (in the
-- batch, not yet handed to the post) → shipped (tracking number known) → delivered, or
-- undeliverable (returned: queued for a re-send, which makes it printed again).
ALTER TABLE notice_items ADD COLUMN shipping_status TEXT NOT NULL DEFAULT 'printed'
  CHECK (shipping_status IN ('printed', 'shipped', 'delivered', 'undeliverable'));
ALTER TABLE notice_items ADD COLUMN tracking_number TEXT NOT NULL DEFAULT '';
ALTER TABLE notice_items ADD COLUMN status_on TEXT NOT NULL DEFAULT '';
ALTER TABLE notice_items ADD COLUMN resend_count INTEGER NOT NULL DEFAULT 0 CHECK (resend_count >= 0);
CREATE INDEX notice_items_status ON notice_items (shipping_status);

-- Reminder scans: issued applications by the end of their certificate.
CREATE INDEX applications_issued_not_after ON applications (not_after) WHERE state = 'issued';
