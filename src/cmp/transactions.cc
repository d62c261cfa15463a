#include "cmp/transactions.h"

#include <chrono>

#include "crypto/ossl.h"
#include "store/module_sql.h"

namespace claimsca::cmp {
namespace {

int64_t Seconds(Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Instant FromSeconds(int64_t s) { return Instant{std::chrono::seconds(s)}; }

constexpr char kPurge[] = "DELETE FROM cmp_transactions WHERE keep_until < $1";
constexpr char kExpire[] =
    "UPDATE cmp_transactions SET awaiting = 0, sealed_secret = NULL "
    "WHERE awaiting = 1 AND expires_at < $1";
constexpr char kBegin[] =
    "INSERT INTO cmp_transactions (transaction_id, kind, opened_at, keep_until) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (transaction_id) DO NOTHING";
constexpr char kRecord[] =
    "UPDATE cmp_transactions SET awaiting = $15, kind = $2, expires_at = $3, request_id = $4, "
    "sender_name = $5, issued_serial = $6, cert_req_id = $7, sender_nonce = $8, "
    "implicit_confirm = $9, restore_serial = $10, restore_common_name = $11, "
    "restore_issued_at = $12, restore_not_after = $13, sealed_secret = $14 "
    "WHERE transaction_id = $1";
constexpr char kSelect[] =
    "SELECT kind, expires_at, request_id, sender_name, issued_serial, cert_req_id, "
    "sender_nonce, implicit_confirm, restore_serial, restore_common_name, restore_issued_at, "
    "restore_not_after, sealed_secret FROM cmp_transactions "
    "WHERE transaction_id = $1 AND awaiting = 1";
// The claim: of two nodes taking the same row, the second updates nothing.
constexpr char kTake[] =
    "UPDATE cmp_transactions SET awaiting = 0, sealed_secret = NULL "
    "WHERE transaction_id = $1 AND awaiting = 1";

constexpr char kForget[] =
    "DELETE FROM cmp_transactions WHERE transaction_id = $1 AND issued_serial IS NULL";

std::optional<std::string> OptHex(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  return crypto::HexEncode(bytes);
}

Result<std::string> Unhex(const std::optional<std::string>& hex) {
  if (!hex) return std::string();
  return crypto::HexDecode(*hex);
}

Result<TransactionState> Read(const store::SqlRow& r, std::string_view tid) {
  TransactionState s;
  s.transaction_id = std::string(tid);
  ASSIGN_OR_RETURN(s.kind, r.Text(0));
  ASSIGN_OR_RETURN(int64_t expires, r.Int(1));
  s.expires_at = FromSeconds(expires);
  ASSIGN_OR_RETURN(std::optional<std::string> request_id, r.OptText(2));
  s.request_id = request_id.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> name, r.OptText(3));
  ASSIGN_OR_RETURN(s.sender_name_der, Unhex(name));
  ASSIGN_OR_RETURN(std::optional<std::string> serial, r.OptText(4));
  s.issued_serial = serial.value_or("");
  ASSIGN_OR_RETURN(std::optional<int64_t> req_id, r.OptInt(5));
  s.cert_req_id = static_cast<int>(req_id.value_or(0));
  ASSIGN_OR_RETURN(std::optional<std::string> nonce, r.OptText(6));
  ASSIGN_OR_RETURN(s.sender_nonce, Unhex(nonce));
  ASSIGN_OR_RETURN(int64_t implicit, r.Int(7));
  s.implicit_confirm = implicit != 0;
  ASSIGN_OR_RETURN(std::optional<std::string> restore, r.OptText(8));
  if (restore) {
    store::RenewalResult rr;
    rr.serial = *restore;
    ASSIGN_OR_RETURN(std::optional<std::string> cn, r.OptText(9));
    rr.common_name = cn.value_or("");
    ASSIGN_OR_RETURN(int64_t issued, r.Int(10));
    ASSIGN_OR_RETURN(int64_t not_after, r.Int(11));
    rr.issued_at = FromSeconds(issued);
    rr.not_after = FromSeconds(not_after);
    s.restore = rr;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> sealed, r.OptText(12));
  ASSIGN_OR_RETURN(s.sealed_secret, Unhex(sealed));
  return s;
}

}  // namespace

Result<bool> SqlTransactionStore::Begin(std::string_view tid, std::string_view kind, Instant now,
                                        Instant keep_until) {
  int64_t inserted = 0;
  Status st = store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kPurge, {Seconds(now)}).status());
    RETURN_IF_ERROR(tx.Exec(kExpire, {Seconds(now)}).status());
    ASSIGN_OR_RETURN(inserted, tx.Exec(kBegin, {std::string(tid), std::string(kind), Seconds(now),
                                                Seconds(keep_until)}));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return inserted == 1;
}

Status SqlTransactionStore::Record(const TransactionState& s) {
  const store::RenewalResult* r = s.restore ? &*s.restore : nullptr;
  std::optional<std::string> restore_serial, restore_cn;
  std::optional<int64_t> restore_issued, restore_not_after;
  if (r != nullptr) {
    restore_serial = r->serial;
    restore_cn = r->common_name;
    restore_issued = Seconds(r->issued_at);
    restore_not_after = Seconds(r->not_after);
  }
  return store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(
        int64_t n,
        tx.Exec(kRecord, {s.transaction_id, s.kind, Seconds(s.expires_at),
                          s.request_id.empty() ? std::optional<std::string>() : s.request_id,
                          OptHex(s.sender_name_der), s.issued_serial, int64_t{s.cert_req_id},
                          OptHex(s.sender_nonce), int64_t{s.implicit_confirm ? 1 : 0},
                          restore_serial, restore_cn, restore_issued, restore_not_after,
                          OptHex(s.sealed_secret), int64_t{s.implicit_confirm ? 0 : 1}}));
    if (n != 1) return NotFound("CMP transaction " + s.transaction_id + " was not begun");
    return Status::Ok();
  });
}

Result<std::optional<TransactionState>> SqlTransactionStore::Take(std::string_view tid) {
  std::optional<TransactionState> out;
  RETURN_IF_ERROR(store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    out.reset();
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> row, tx.QueryFirst(kSelect, {std::string(tid)}));
    if (!row) return Status::Ok();
    ASSIGN_OR_RETURN(TransactionState s, Read(*row, tid));
    ASSIGN_OR_RETURN(int64_t n, tx.Exec(kTake, {std::string(tid)}));
    if (n == 1) out = std::move(s);  // else another node took it first
    return Status::Ok();
  }));
  return out;
}

Status SqlTransactionStore::Forget(std::string_view tid) {
  return store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    return tx.Exec(kForget, {std::string(tid)}).status();
  });
}

}  // namespace claimsca::cmp
