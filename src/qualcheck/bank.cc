#include "qualcheck/bank.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace claimsca::qualcheck {
namespace {

constexpr char kUpsert[] =
    "INSERT INTO qc_bank_digits (institution_code, digest, imported_at, imported_by) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (institution_code) DO UPDATE SET "
    "digest = excluded.digest, imported_at = excluded.imported_at, "
    "imported_by = excluded.imported_by";
constexpr char kFind[] = "SELECT digest FROM qc_bank_digits WHERE institution_code = $1";

bool Digits(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string_view Name(BankCheck c) {
  switch (c) {
    case BankCheck::kMatch:
      return "match";
    case BankCheck::kMismatch:
      return "mismatch";
    case BankCheck::kUnregistered:
      return "unregistered";
  }
  return "unregistered";
}

std::string_view NameJa(BankCheck c) {
  switch (c) {
    case BankCheck::kMatch:
      return "一致";
    case BankCheck::kMismatch:
      return "不一致";
    case BankCheck::kUnregistered:
      return "登録なし";
  }
  return "登録なし";
}

std::string BankDigits::Digest(std::string_view institution_code, std::string_view digits) const {
  const std::string msg = std::string(institution_code) + ":" + std::string(digits);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xf];
  }
  return hex;
}

Result<int64_t> BankDigits::Import(store::Store& store, std::string_view csv,
                                   std::string_view actor, Instant at) const {
  if (key_.size() < 16) return InvalidArgument("bank digits: HMAC key shorter than 16 bytes");
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  std::vector<std::pair<std::string, std::string>> rows;
  int line_no = 0;
  while (!csv.empty()) {
    const size_t nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv = nl == std::string_view::npos ? std::string_view() : csv.substr(nl + 1);
    ++line_no;
    line = Trim(line);
    if (line.empty()) continue;
    if (line_no == 1 && (line[0] < '0' || line[0] > '9') && line[0] != '"') continue;
    const size_t comma = line.find(',');
    if (comma == std::string_view::npos) {
      return InvalidArgument("line " + std::to_string(line_no) +
                             ": expected two columns: institution_code,last4");
    }
    const std::string_view code = Trim(line.substr(0, comma));
    const std::string_view digits = Trim(line.substr(comma + 1));
    if (!Digits(code, 10)) {
      return InvalidArgument("line " + std::to_string(line_no) +
                             ": institution_code is not 10 digits");
    }
    if (!Digits(digits, 4)) {
      return InvalidArgument("line " + std::to_string(line_no) + " (" + std::string(code) +
                             "): the last digits are not 4 digits");
    }
    for (const auto& r : rows) {
      if (r.first == code) {
        return InvalidArgument("line " + std::to_string(line_no) + ": " + std::string(code) +
                               " appears twice");
      }
    }
    rows.emplace_back(std::string(code), Digest(code, digits));
  }
  if (rows.empty()) return InvalidArgument("bank digits: the file has no rows");
  const int64_t at_s = at.time_since_epoch().count();
  const Status tx_st = store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    for (const auto& [code, digest] : rows) {
      RETURN_IF_ERROR(tx.Exec(kUpsert, {code, digest, at_s, std::string(actor)}).status());
    }
    nlohmann::json d = {{"rows", rows.size()}};
    return tx.AppendAudit(store::AuditEvent{at, std::string(actor), "qualcheck.bank_import",
                                            "qc_bank_digits", d.dump()});
  });
  if (!tx_st.ok()) return tx_st;
  return static_cast<int64_t>(rows.size());
}

Result<BankCheck> BankDigits::Check(store::SqlTx& tx, std::string_view institution_code,
                                    std::string_view digits) const {
  ASSIGN_OR_RETURN(auto row, tx.QueryFirst(kFind, {institution_code}));
  if (!row) return BankCheck::kUnregistered;
  ASSIGN_OR_RETURN(std::string stored, row->Text(0));
  const std::string mine = Digest(institution_code, digits);
  if (stored.size() == mine.size() && CRYPTO_memcmp(stored.data(), mine.data(), mine.size()) == 0) {
    return BankCheck::kMatch;
  }
  return BankCheck::kMismatch;
}

}  // namespace claimsca::qualcheck
