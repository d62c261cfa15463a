-- Server-made keys waiting for use, encrypted at rest (PKCS#8 EncryptedPrivateKeyInfo).
CREATE TABLE key_pool (
  id            BIGINT NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  algorithm     TEXT   NOT NULL,
  created_at    BIGINT NOT NULL DEFAULT (CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)),
  encrypted_der BYTEA  NOT NULL
);

CREATE INDEX key_pool_algorithm ON key_pool (algorithm, id);
