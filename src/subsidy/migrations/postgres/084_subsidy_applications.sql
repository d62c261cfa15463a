-- Subsidy applications of the 資格確認限定型 (docs/qualcheck.md "Subsidy"): one row per
-- application, with the schedule entry in force when it was made (so a later change of the
-- configuration never changes an amount already computed) and its state:
-- submitted -> approved (amount fixed) | rejected (reason) ; approved -> paid.
-- One open application per institution: a second is refused unless the first was rejected.
CREATE TABLE subsidy_applications (
  application_id    TEXT   PRIMARY KEY,
  seq               BIGINT NOT NULL UNIQUE CHECK (seq > 0),
  institution_code  TEXT   NOT NULL CHECK (length(institution_code) = 10),
  institution_name  TEXT   NOT NULL,
  channel           TEXT   NOT NULL CHECK (channel IN ('portal', 'paper')),
  state             TEXT   NOT NULL
                    CHECK (state IN ('submitted', 'approved', 'rejected', 'paid')),
  applied_date      TEXT   NOT NULL CHECK (length(applied_date) = 10),
  schedule_from     TEXT   NOT NULL CHECK (length(schedule_from) = 10),
  deadline          TEXT   NOT NULL CHECK (length(deadline) = 10),
  cap_yen           BIGINT NOT NULL CHECK (cap_yen > 0),
  rate              TEXT   NOT NULL,
  eligible_yen      BIGINT NOT NULL CHECK (eligible_yen > 0),
  amount_yen        BIGINT NOT NULL CHECK (amount_yen >= 0 AND amount_yen <= cap_yen),
  applied_by        TEXT   NOT NULL,
  applied_at        BIGINT NOT NULL,
  reviewed_by       TEXT,
  reviewed_at       BIGINT,
  approval_date     TEXT,
  reject_reason     TEXT,
  payment_file_date TEXT,
  paid_by           TEXT,
  paid_at           BIGINT
);

CREATE UNIQUE INDEX subsidy_applications_one_open ON subsidy_applications (institution_code)
  WHERE state <> 'rejected';
CREATE INDEX subsidy_applications_state ON subsidy_applications (state, seq);
