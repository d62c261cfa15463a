-- Renewal failures reported by the terminals' agents (issue 24 point 11,
-- docs/notices-and-mail.md "Renewal is failing"): one row per certificate and JST day on
-- which its agent reported at least one failed renewal, through POST
-- /terminal/renewal-failures (mTLS with that certificate). The daily reminders job mails the
-- institution once (outbox dedup key "<serial>|renewal_failing") when a certificate has
-- failures on jobs.renewal_failing_days different days. Times are Unix seconds (UTC).
CREATE TABLE renewal_failures (
  serial     TEXT    NOT NULL REFERENCES certificates (serial),
  day        TEXT    NOT NULL CHECK (length(day) = 10),  -- JST date 'YYYY-MM-DD' (server clock)
  reports    INTEGER NOT NULL DEFAULT 1,                  -- failures reported that day
  reason     TEXT    NOT NULL,                            -- the last one's reason, ≤ 500 chars
  client     TEXT    NOT NULL,                            -- the address it came from
  first_at   BIGINT  NOT NULL,
  last_at    BIGINT  NOT NULL,
  PRIMARY KEY (serial, day)
);
