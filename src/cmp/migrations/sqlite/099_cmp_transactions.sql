-- CMP transactions shared by every `serve` process on this database (src/cmp/transactions.h,
-- docs/renewal-and-cmp.md "Transaction state"): one row per transactionID ever accepted for a
-- new transaction. The primary key refuses a replayed transactionID on any node; an ir or
-- kur answered without implicitConfirm leaves what its certConf needs (awaiting = 1) so that
-- the certConf may land on any node. Binary values are hex; times are Unix seconds (UTC).
-- Rows are deleted after keep_until (replay refusal, 24 hours).
CREATE TABLE cmp_transactions (
  transaction_id      TEXT    NOT NULL PRIMARY KEY,  -- hex of the header's transactionID
  kind                TEXT    NOT NULL,  -- body of the first message: ir, kur, rr, genm...
  opened_at           BIGINT  NOT NULL,
  keep_until          BIGINT  NOT NULL,  -- a new transaction with this ID is refused until
  awaiting            INTEGER NOT NULL DEFAULT 0 CHECK (awaiting IN (0, 1)),  -- certConf
  expires_at          BIGINT,            -- awaiting: the certConf must arrive by then
  request_id          TEXT,              -- ir: the senderKID (リクエストID)
  sender_name         TEXT,              -- hex DER of the requester's sender Name
  issued_serial       TEXT,
  cert_req_id         INTEGER,
  sender_nonce        TEXT,              -- hex of our last senderNonce (the next recipNonce)
  implicit_confirm    INTEGER NOT NULL DEFAULT 0,  -- granted: no certConf follows
  restore_serial      TEXT,              -- kur: the renewed certificate, restored on rejection
  restore_common_name TEXT,
  restore_issued_at   BIGINT,
  restore_not_after   BIGINT,
  sealed_secret       TEXT               -- ir: the PBM secret, sealed (hex); erased when taken
);
CREATE INDEX cmp_transactions_keep ON cmp_transactions (keep_until);
