#include "kokuhoren/inbox.h"

#include "crypto/ossl.h"
#include "store/store.h"

namespace claimsca::kokuhoren {
namespace {

constexpr char kAccountExists[] = "SELECT kind FROM accounts WHERE account_id = $1";
constexpr char kInsert[] =
    "INSERT INTO kj_inbox (account_id, dedupe_key, title, body, attachment_name, "
    "attachment_hex, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (dedupe_key) DO NOTHING";
constexpr char kList[] =
    "SELECT message_id, account_id, dedupe_key, title, body, attachment_name, '', "
    "created_at, read_at FROM kj_inbox WHERE account_id = $1 "
    "ORDER BY created_at DESC, message_id DESC";
constexpr char kGet[] =
    "SELECT message_id, account_id, dedupe_key, title, body, attachment_name, "
    "attachment_hex, created_at, read_at FROM kj_inbox WHERE account_id = $1 AND message_id = $2";
constexpr char kMarkRead[] =
    "UPDATE kj_inbox SET read_at = $3 WHERE account_id = $1 AND message_id = $2 "
    "AND read_at IS NULL";
constexpr char kExists[] =
    "SELECT message_id FROM kj_inbox WHERE account_id = $1 AND message_id = $2";
constexpr char kUnread[] =
    "SELECT count(*) FROM kj_inbox WHERE account_id = $1 AND read_at IS NULL";

int64_t Seconds(Instant t) { return t.time_since_epoch().count(); }
Instant FromSeconds(int64_t s) { return Instant(std::chrono::seconds(s)); }

Result<InboxMessage> FromRow(const store::SqlRow& r) {
  InboxMessage m;
  ASSIGN_OR_RETURN(m.message_id, r.Int(0));
  ASSIGN_OR_RETURN(m.account_id, r.Text(1));
  ASSIGN_OR_RETURN(m.dedupe_key, r.Text(2));
  ASSIGN_OR_RETURN(m.title, r.Text(3));
  ASSIGN_OR_RETURN(m.body, r.Text(4));
  ASSIGN_OR_RETURN(std::optional<std::string> name, r.OptText(5));
  m.attachment_name = name.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> hex, r.OptText(6));
  if (hex && !hex->empty()) {
    ASSIGN_OR_RETURN(m.attachment, crypto::HexDecode(*hex));
  }
  ASSIGN_OR_RETURN(int64_t created, r.Int(7));
  m.created_at = FromSeconds(created);
  ASSIGN_OR_RETURN(std::optional<int64_t> read, r.OptInt(8));
  if (read) m.read_at = FromSeconds(*read);
  return m;
}

Status NotFoundMessage(int64_t id) {
  return NotFound("inbox message " + std::to_string(id) + " not found");
}

}  // namespace

Result<bool> PostMessageIn(store::SqlTx& tx, const InboxMessage& m, Instant now) {
  if (m.account_id.empty()) return InvalidArgument("inbox message: account_id required");
  if (m.dedupe_key.empty()) return InvalidArgument("inbox message: dedupe_key required");
  if (m.title.empty()) return InvalidArgument("inbox message: title required");
  if (!m.attachment.empty() && m.attachment_name.empty()) {
    return InvalidArgument("inbox message: attachment_name required with an attachment");
  }
  ASSIGN_OR_RETURN(std::optional<store::SqlRow> account,
                   tx.QueryFirst(kAccountExists, {m.account_id}));
  if (!account) return NotFound("account " + m.account_id + " not found");
  const store::SqlValue name =
      m.attachment_name.empty() ? store::SqlValue() : store::SqlValue(m.attachment_name);
  const store::SqlValue bytes = m.attachment_name.empty()
                                    ? store::SqlValue()
                                    : store::SqlValue(crypto::HexEncode(m.attachment));
  ASSIGN_OR_RETURN(int64_t n, tx.Exec(kInsert, {m.account_id, m.dedupe_key, m.title, m.body, name,
                                                bytes, Seconds(now)}));
  return n == 1;
}

Result<bool> PostMessage(store::Store& store, const InboxMessage& m, Instant now) {
  bool posted = false;
  RETURN_IF_ERROR(store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(posted, PostMessageIn(tx, m, now));
    return Status::Ok();
  }));
  return posted;
}

Result<std::vector<InboxMessage>> ListMessages(store::Store& store, std::string_view account_id) {
  std::vector<InboxMessage> out;
  RETURN_IF_ERROR(store::RunRead(store, [&](store::SqlTx& tx) -> Status {
    return tx.QueryEach(kList, {account_id}, [&](const store::SqlRow& r) -> Status {
      ASSIGN_OR_RETURN(InboxMessage m, FromRow(r));
      out.push_back(std::move(m));
      return Status::Ok();
    });
  }));
  return out;
}

Result<InboxMessage> GetMessage(store::Store& store, std::string_view account_id,
                                int64_t message_id) {
  std::optional<InboxMessage> found;
  RETURN_IF_ERROR(store::RunRead(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kGet, {account_id, message_id}));
    if (!r) return NotFoundMessage(message_id);
    ASSIGN_OR_RETURN(found, FromRow(*r));
    return Status::Ok();
  }));
  return std::move(*found);
}

Status MarkRead(store::Store& store, std::string_view account_id, int64_t message_id, Instant now) {
  return store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r,
                     tx.QueryFirst(kExists, {account_id, message_id}));
    if (!r) return NotFoundMessage(message_id);
    return tx.Exec(kMarkRead, {account_id, message_id, Seconds(now)}).status();
  });
}

Result<int64_t> UnreadCount(store::Store& store, std::string_view account_id) {
  int64_t n = 0;
  RETURN_IF_ERROR(store::RunRead(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kUnread, {account_id}));
    if (!r) return Internal("unread count: no row");
    ASSIGN_OR_RETURN(n, r->Int(0));
    return Status::Ok();
  }));
  return n;
}

}  // namespace claimsca::kokuhoren
