-- The last points of issue 21 (docs/qualcheck.md):
-- 1. the post's tracking of the letters (ユーザー設定情報 + 補助金申請書, one envelope per
--    application), imported from the mailing service's tracking list like the notices':
--    the tracking number, the status (shipped | delivered | undeliverable) and its JST day.
-- 2. a portal application's one-time form token: a resent form (double click, back and
--    resend) finds the application made by the first one instead of making a second.
-- 3. the portal accounts made by an approved {1, 2} application, whose temporary password
--    (printed on the letter) must be changed at the first login; the row is deleted when
--    the holder sets a password of their own.
ALTER TABLE qc_applications ADD COLUMN tracking_number TEXT;
ALTER TABLE qc_applications ADD COLUMN shipping_status TEXT
  CHECK (shipping_status IN ('shipped', 'delivered', 'undeliverable'));
ALTER TABLE qc_applications ADD COLUMN shipping_status_on TEXT;
ALTER TABLE qc_applications ADD COLUMN form_token TEXT;
CREATE UNIQUE INDEX qc_applications_form_token ON qc_applications (form_token);

CREATE TABLE qc_initial_passwords (
  account_id     TEXT   NOT NULL PRIMARY KEY,
  application_id TEXT   NOT NULL REFERENCES qc_applications (id),
  required_at    BIGINT NOT NULL
);
