-- Per-client rate limits of the portal's forms (issue 22 point 2, docs/portal.md "Rate
-- limits", src/webstate/rate_limit.h): one row per (scope, client address), shared by every
-- `serve` process on this database, so a client is counted the same on whichever node its
-- request lands. A sliding window of one minute: the tries of the current minute and of the
-- minute before it. Rows whose minute has passed are purged by the web-state job. Times are
-- Unix seconds (UTC).
CREATE TABLE rate_limits (
  scope        TEXT    NOT NULL,  -- "login", "download", "kj_login", "register"...
  client       TEXT    NOT NULL,  -- the client's address
  window_start BIGINT  NOT NULL,  -- the current minute (a multiple of 60)
  tries        INTEGER NOT NULL CHECK (tries >= 0),       -- in that minute
  prev_tries   INTEGER NOT NULL CHECK (prev_tries >= 0),  -- in the minute before it
  PRIMARY KEY (scope, client)
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
