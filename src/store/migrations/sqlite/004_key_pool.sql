-- Server-made keys waiting for use, encrypted at rest (PKCS#8 EncryptedPrivateKeyInfo).
CREATE TABLE key_pool (
  id            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  algorithm     TEXT    NOT NULL,
  created_at    BIGINT  NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
  encrypted_der BLOB    NOT NULL
);

CREATE INDEX key_pool_algorithm ON key_pool (algorithm, id);
