#pragma once

// The inbox of a 国保連 account (お知らせ / 連絡文書; docs/kokuhoren.md "Offices, agents and
// accounts"): messages the system posts to an office's or an agent's account — the
// 証明書発行用パスワード re-issue notice (a ZIP attachment), the 証明書有効期限切れ事前通知
// (kjcert), ... Each message has a dedupe key, unique over all messages: posting the same
// key again posts nothing, so a job that runs twice delivers each notice once.
// Table kj_inbox (migration 062), through store::SqlTx on either back end.
//
// Thread-safety: free functions over the store; safe from any number of threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/module_sql.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::kokuhoren {

struct InboxMessage {
  int64_t message_id = 0;       // assigned by the store
  std::string account_id;       // the kj account ("kj12345678")
  std::string dedupe_key;       // e.g. "reissue:kj12345678:2", "expiry:<serial>"
  std::string title;            // 件名
  std::string body;             // 本文 (plain text)
  std::string attachment_name;  // empty: no attachment
  std::string attachment;       // its bytes (List leaves them empty)
  Instant created_at{};
  std::optional<Instant> read_at;
};

// Posts `m` (message_id, created_at and read_at are ignored: created_at = now, unread).
// Returns true when posted, false when a message with its dedupe key exists (nothing
// written). InvalidArgument without account ID, dedupe key or title, or with attachment
// bytes but no name; NotFound for an unknown account.
Result<bool> PostMessage(store::Store& store, const InboxMessage& m, Instant now);
// The same inside the caller's transaction (so a notice and what it announces are written
// together). Does not append audit.
Result<bool> PostMessageIn(store::SqlTx& tx, const InboxMessage& m, Instant now);

// The account's messages, newest first, without attachment bytes (attachment_name set).
Result<std::vector<InboxMessage>> ListMessages(store::Store& store, std::string_view account_id);
// One message with its attachment. NotFound when unknown or of another account (the
// same answer: never say another account's message exists).
Result<InboxMessage> GetMessage(store::Store& store, std::string_view account_id,
                                int64_t message_id);
// Marks it read at `now` (kept if already read). NotFound as GetMessage.
Status MarkRead(store::Store& store, std::string_view account_id, int64_t message_id, Instant now);
// Unread messages of the account.
Result<int64_t> UnreadCount(store::Store& store, std::string_view account_id);

}  // namespace claimsca::kokuhoren
