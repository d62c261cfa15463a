#include "webstate/one_time_files.h"

#include <openssl/crypto.h>

#include "crypto/ossl.h"
#include "crypto/random.h"
#include "crypto/sealed_box.h"
#include "store/module_sql.h"

namespace claimsca::webstate {
namespace {

int64_t Seconds(Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

constexpr char kPurge[] = "DELETE FROM one_time_files WHERE expires_at <= $1";
constexpr char kInsert[] =
    "INSERT INTO one_time_files (token_hash, owner_hash, filename, content_type, sealed, "
    "expires_at) VALUES ($1, $2, $3, $4, $5, $6)";
constexpr char kGet[] =
    "SELECT owner_hash, filename, content_type, sealed FROM one_time_files "
    "WHERE token_hash = $1 AND expires_at > $2";

std::string Hash(std::string_view what, std::string_view value) {
  std::string in(what);
  in += '\0';
  in += value;
  return crypto::Sha256Hex(in);
}

// The sealing key of one file: neither input is stored.
Result<crypto::SealedBox> BoxFor(std::string_view token, std::string_view owner) {
  std::string in = "claimsca one-time file";
  in += '\0';
  in += token;
  in += '\0';
  in += owner;
  ASSIGN_OR_RETURN(std::string key, crypto::HexDecode(crypto::Sha256Hex(in)));
  OPENSSL_cleanse(in.data(), in.size());
  return crypto::SealedBox::Create(std::move(key));
}

void Wipe(std::string& s) {
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

Result<std::string> OneTimeFiles::Put(std::string_view owner, OneTimeFile file) {
  struct WipeOnReturn {
    std::string& s;
    ~WipeOnReturn() { Wipe(s); }
  } wipe{file.bytes};
  if (owner.empty()) return InvalidArgument("owner: a one-time file needs the browser's cookie");
  ASSIGN_OR_RETURN(std::string raw, crypto::RandomBytes(16));
  const std::string token = crypto::HexEncode(raw);
  ASSIGN_OR_RETURN(crypto::SealedBox box, BoxFor(token, owner));
  const std::string token_hash = Hash("token", token);
  ASSIGN_OR_RETURN(std::string sealed, box.Seal(file.bytes, token_hash));
  const Instant now = clock_.Now();
  Status st = store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kPurge, {Seconds(now)}).status());
    return tx
        .Exec(kInsert, {token_hash, Hash("owner", owner), file.filename, file.content_type,
                        crypto::HexEncode(sealed), Seconds(now + ttl_)})
        .status();
  });
  if (!st.ok()) return st;
  return token;
}

Result<std::optional<OneTimeFile>> OneTimeFiles::Get(std::string_view token,
                                                     std::string_view owner) {
  if (token.empty() || owner.empty()) return std::optional<OneTimeFile>();
  const std::string token_hash = Hash("token", token);
  std::optional<store::SqlRow> row;
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(row, tx.QueryFirst(kGet, {token_hash, Seconds(clock_.Now())}));
    return Status::Ok();
  }));
  if (!row) return std::optional<OneTimeFile>();
  ASSIGN_OR_RETURN(std::string owner_hash, row->Text(0));
  if (owner_hash != Hash("owner", owner)) return std::optional<OneTimeFile>();
  OneTimeFile f;
  ASSIGN_OR_RETURN(f.filename, row->Text(1));
  ASSIGN_OR_RETURN(f.content_type, row->Text(2));
  ASSIGN_OR_RETURN(std::string sealed_hex, row->Text(3));
  ASSIGN_OR_RETURN(std::string sealed, crypto::HexDecode(sealed_hex));
  ASSIGN_OR_RETURN(crypto::SealedBox box, BoxFor(token, owner));
  Result<std::string> bytes = box.Open(sealed, token_hash);
  if (!bytes.ok()) return std::optional<OneTimeFile>();  // not this owner's (or altered)
  f.bytes = std::move(*bytes);
  return std::optional<OneTimeFile>(std::move(f));
}

Result<int64_t> PurgeOneTimeFiles(store::Store& store, Instant now) {
  int64_t n = 0;
  RETURN_IF_ERROR(store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(n, tx.Exec(kPurge, {Seconds(now)}));
    return Status::Ok();
  }));
  return n;
}

}  // namespace claimsca::webstate
