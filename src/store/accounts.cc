// Account and token checks shared by both back ends (AccountStore).

#include <algorithm>
#include <set>
#include <string>

#include "store/internal.h"

namespace claimsca::store::internal {
namespace {

bool IsCode(std::string_view code) {
  return (code.size() == 8 || code.size() == 10) &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The 国保連 program's kinds (migration 060; auth::IsKjKind): their codes are 介護保険事業所番号,
// 10 characters of digits and upper-case letters (the check is auth's, domain::CareOfficeNumberOk).
bool IsKjKind(std::string_view kind) { return kind == "kj_office" || kind == "kj_agent"; }

bool IsCareOfficeNumber(std::string_view code) {
  return code.size() == 10 && std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
         });
}

}  // namespace

Status ValidateAccount(const AccountRecord& a) {
  const std::string what = "account \"" + a.account_id + "\"";
  if (a.account_id.empty()) return InvalidArgument("account: empty account_id");
  if (a.kind != "institution" && a.kind != "operator" && !IsKjKind(a.kind)) {
    return InvalidArgument(what + ": kind must be institution, operator, kj_office or kj_agent");
  }
  if (a.password_hash.empty()) return InvalidArgument(what + ": empty password_hash");
  if (a.failed_logins < 0) return InvalidArgument(what + ": negative failed_logins");
  std::set<std::string_view> seen;
  for (const std::string& r : a.roles) {
    if (r != "reviewer" && r != "operator" && r != "administrator") {
      return InvalidArgument(what + ": unknown role \"" + r + "\"");
    }
    if (!seen.insert(r).second) return InvalidArgument(what + ": role " + r + " given twice");
  }
  seen.clear();
  for (const std::string& c : a.institution_codes) {
    if (IsKjKind(a.kind) ? !IsCareOfficeNumber(c) : !IsCode(c)) {
      return InvalidArgument(what + ": institution code must be 8 or 10 digits");
    }
    if (!seen.insert(c).second) return InvalidArgument(what + ": code " + c + " given twice");
  }
  return Status::Ok();
}

Status ValidateToken(const TokenRecord& t) {
  if (t.token_hash.empty()) return InvalidArgument("put token: empty token_hash");
  if (t.account_id.empty()) return InvalidArgument("put token: empty account_id");
  if (t.kind != "api" && t.kind != "session" && t.kind != "email_verify" &&
      t.kind != "password_reset") {
    return InvalidArgument("put token: unknown kind \"" + t.kind + "\"");
  }
  if (t.expires_at < t.created_at) return InvalidArgument("put token: expires before created");
  return Status::Ok();
}

Status ValidateLoginFailure(int max_failures, std::chrono::seconds lock_for) {
  if (max_failures < 1) return InvalidArgument("login failure: max_failures must be >= 1");
  if (lock_for.count() < 0) return InvalidArgument("login failure: negative lock_for");
  return Status::Ok();
}

std::vector<std::string> SplitSorted(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const size_t comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace claimsca::store::internal
