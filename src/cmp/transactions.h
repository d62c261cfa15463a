#pragma once

// The CMP transactions of every `serve` process on one database (migration 099;
// docs/renewal-and-cmp.md "Transaction state"). A transactionID is accepted for a new
// transaction at most once across all nodes (the insert of its row, the primary key); an ir
// or kur answered without implicitConfirm leaves what its certConf needs, so that the
// certConf is continued by whichever node it lands on.

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::cmp {

// What a later message of a transaction needs, as the ir / kur left it.
struct TransactionState {
  std::string transaction_id;   // hex
  std::string kind;             // "ir" or "kur"
  Instant expires_at{};         // the certConf must arrive by then (transaction_ttl)
  std::string request_id;       // ir: the senderKID (the application's request ID)
  std::string sender_name_der;  // the requester's sender Name (DER), checked on certConf
  std::string issued_serial;
  int cert_req_id = 0;
  std::string sender_nonce;  // our last senderNonce: the certConf's recipNonce
  bool implicit_confirm = false;
  std::optional<store::RenewalResult> restore;  // kur: restored if the holder rejects
  std::string sealed_secret;                    // ir: the PBM secret, sealed (crypto::SealedBox)
};

class TransactionStore {
 public:
  virtual ~TransactionStore() = default;

  // Records `transaction_id` as started now by a message of `kind`, refused as a new
  // transaction until `keep_until`. False when any node recorded it before (a replay). Rows
  // past their keep_until are deleted first, and awaiting rows past expires_at lose their
  // state.
  virtual Result<bool> Begin(std::string_view transaction_id, std::string_view kind, Instant now,
                             Instant keep_until) = 0;

  // Records what the ir / kur issued; without implicitConfirm the row then awaits the
  // certConf (Take). The row must exist (Begin).
  virtual Status Record(const TransactionState& state) = 0;

  // Takes the state an ir / kur left, at most once across all nodes (the row no longer
  // awaits, its secret is erased). nullopt when nothing awaits. The caller refuses it when
  // expires_at has passed.
  virtual Result<std::optional<TransactionState>> Take(std::string_view transaction_id) = 0;

  // Erases the row Begin made for a message that turned out not to start a transaction (it
  // failed OpenSSL's checks). No-op when the row holds a state (Record) or is absent.
  virtual Status Forget(std::string_view transaction_id) = 0;
};

// On the store's database, either back end (store/module_sql.h).
class SqlTransactionStore : public TransactionStore {
 public:
  // `store` must outlive it.
  explicit SqlTransactionStore(store::Store& store) : store_(store) {}

  Result<bool> Begin(std::string_view transaction_id, std::string_view kind, Instant now,
                     Instant keep_until) override;
  Status Record(const TransactionState& state) override;
  Result<std::optional<TransactionState>> Take(std::string_view transaction_id) override;
  Status Forget(std::string_view transaction_id) override;

 private:
  store::Store& store_;
};

}  // namespace claimsca::cmp
