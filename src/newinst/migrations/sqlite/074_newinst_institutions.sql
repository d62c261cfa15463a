-- Institutions about to open (新規開設): their 仮コード, the bureau's 受付番号 and, after
-- designation, the real code (DOMAIN.md §9, seed 003; docs/newinst.md). One row per
-- provisional code: a clinic with both 医科 and 歯科 has two rows (two score tables), each
-- with its own 受付番号 and real code. Times are Unix seconds (UTC).
--
-- state: provisional (仮コード発行済み) → presented (受付番号提示済み) → designated (指定済み:
-- the swap to real_code is done) or withdrawn (指定なし: everything on the numbers undone).
CREATE TABLE newinst_institutions (
  -- 10 digits: prefecture + score_table + "00" + serial (4) + a check digit that fails the
  -- real rule on purpose (domain::MakeProvisionalFacilityCode).
  provisional_code TEXT   NOT NULL PRIMARY KEY CHECK (length(provisional_code) = 10),
  prefecture       TEXT   NOT NULL,
  score_table      TEXT   NOT NULL,
  category         TEXT   NOT NULL,  -- 分類 (domain::Category), as the register has it
  name             TEXT   NOT NULL,
  postal_code      TEXT   NOT NULL CHECK (length(postal_code) = 7),
  address          TEXT   NOT NULL,
  billing_method   TEXT   NOT NULL DEFAULT 'deduction'
                          CHECK (billing_method IN ('deduction', 'invoice')),
  email            TEXT   NOT NULL DEFAULT '',  -- for the deadline reminders
  opening_month    TEXT   NOT NULL,  -- 診療開始月 'YYYY-MM' (JST)
  state            TEXT   NOT NULL DEFAULT 'provisional'
                          CHECK (state IN ('provisional', 'presented', 'designated', 'withdrawn')),
  -- 受付番号: the 10-digit 医療機関等コード the bureau will assign (a valid code), entered
  -- by the clinic or the operator; presented_late = 1 when entered after the deadline.
  reception_number TEXT   UNIQUE,
  presented_at     BIGINT,
  presented_late   INTEGER NOT NULL DEFAULT 0,
  -- The code of the 新規指定医療機関一覧表, set by the swap.
  real_code        TEXT   UNIQUE,
  designated_at    BIGINT,
  withdrawn_at     BIGINT,
  withdrawn_by     TEXT,
  created_at       BIGINT NOT NULL,
  created_by       TEXT   NOT NULL
);
CREATE INDEX newinst_institutions_state ON newinst_institutions (state, opening_month);
