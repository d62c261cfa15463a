-- Files handed over by a short-lived link (issue 22 point 2, docs/portal.md "Download
-- site", src/webstate/one_time_files.h): the PKCS#12 (or certificate) of a download or a
-- terminal renewal, kept a few minutes so that the link works on whichever `serve` process
-- it reaches. The database holds neither the link's token nor the browser's cookie, only
-- their SHA-256: the file is sealed (AES-256-GCM) under a key derived from both, so a reader
-- of this table cannot open it. Deleted when expired (on every new file and by the
-- web-state job). Times are Unix seconds (UTC).
CREATE TABLE one_time_files (
  token_hash   TEXT   NOT NULL PRIMARY KEY,  -- SHA-256 (hex) of the link's token
  owner_hash   TEXT   NOT NULL,              -- SHA-256 (hex) of the browser's CSRF cookie
  filename     TEXT   NOT NULL,
  content_type TEXT   NOT NULL,
  sealed       TEXT   NOT NULL,              -- hex of crypto::SealedBox's sealed bytes
  expires_at   BIGINT NOT NULL
);
CREATE INDEX one_time_files_expires ON one_time_files (expires_at);
