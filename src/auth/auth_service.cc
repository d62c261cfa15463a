#include "auth/auth_service.h"

#include <algorithm>
#include <set>

#include "auth/token.h"
#include "common/time_util.h"
#include "domain/codes.h"

namespace claimsca::auth {
namespace {

constexpr char kInstitution[] = "institution";
constexpr char kOperator[] = "operator";
constexpr char kWrongCredentials[] = "account ID or password is wrong";
constexpr char kBadToken[] = "the token is unknown or expired";
constexpr size_t kMaxAccountIdBytes = 254;
constexpr size_t kMaxOperatorIdBytes = 64;

// reviewer = 1, operator = 2, administrator = 3; 0 for anything else.
int RoleLevel(std::string_view role) {
  if (role == "reviewer") return 1;
  if (role == "operator") return 2;
  if (role == "administrator") return 3;
  return 0;
}

int OperatorLevel(const Principal& p) {
  int level = 0;
  for (const std::string& r : p.roles) level = std::max(level, RoleLevel(r));
  return level;
}

bool IsEmailLike(std::string_view id) {
  const size_t at = id.find('@');
  if (at == std::string_view::npos || at == 0 || id.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = id.substr(at + 1);
  const size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot != 0 && domain.back() != '.';
}

// "kj" + 8 ASCII digits (kokuhoren::IsUserId in its stored, lower-case form).
bool IsKjAccountId(std::string_view id) {
  return id.size() == 10 && id.starts_with("kj") &&
         std::all_of(id.begin() + 2, id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsOperatorId(std::string_view id) {
  return id.size() <= kMaxOperatorIdBytes && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
         });
}

std::string JsonList(const std::vector<std::string>& items) {
  // Only validated role names and digit codes reach here: nothing to escape.
  std::string out = "[";
  for (const std::string& s : items) {
    if (out.size() > 1) out += ',';
    out += '"' + s + '"';
  }
  return out + "]";
}

Status ValidateNewAccount(const store::AccountRecord& a) {
  const auto bad = [](std::string_view field, std::string_view rule) {
    return InvalidArgument("account " + std::string(field) + ": " + std::string(rule));
  };
  if (a.account_id.empty()) return bad("account_id", "required");
  if (a.account_id.size() > kMaxAccountIdBytes) return bad("account_id", "too_long");
  if (std::any_of(a.account_id.begin(), a.account_id.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == ',';
      })) {
    return bad("account_id", "invalid_char");
  }
  if (a.kind == kInstitution) {
    if (!IsEmailLike(a.account_id)) return bad("account_id", "not_email");
    if (!a.roles.empty()) return bad("roles", "institution_has_roles");
    if (a.institution_codes.empty()) return bad("institution_codes", "required");
    std::set<std::string_view> seen;
    for (const std::string& c : a.institution_codes) {
      if (!IsInstitutionCodeSyntax(c)) return bad("institution_codes", "format");
      if (!seen.insert(c).second) return bad("institution_codes", "duplicate");
    }
  } else if (a.kind == kOperator) {
    if (!IsOperatorId(a.account_id)) return bad("account_id", "invalid_char");
    if (a.roles.empty()) return bad("roles", "required");
    std::set<std::string_view> seen;
    for (const std::string& r : a.roles) {
      if (RoleLevel(r) == 0) return bad("roles", "unknown");
      if (!seen.insert(r).second) return bad("roles", "duplicate");
    }
    if (!a.institution_codes.empty()) return bad("institution_codes", "operator_has_codes");
  } else if (IsKjKind(a.kind)) {
    if (!IsKjAccountId(a.account_id)) return bad("account_id", "not_kj_user_id");
    if (!a.roles.empty()) return bad("roles", "kj_account_has_roles");
    if (a.institution_codes.empty()) return bad("institution_codes", "required");
    if (a.kind == kKjOfficeKind && a.institution_codes.size() != 1) {
      return bad("institution_codes", "office_has_one_code");
    }
    std::set<std::string_view> seen;
    for (const std::string& c : a.institution_codes) {
      if (!domain::CareOfficeNumberOk(c)) return bad("institution_codes", "care_office_number");
      if (!seen.insert(c).second) return bad("institution_codes", "duplicate");
    }
  } else {
    return bad("kind", "unknown");
  }
  return Status::Ok();
}

}  // namespace

std::string_view PermissionName(Permission p) {
  switch (p) {
    case Permission::kApply:
      return "apply";
    case Permission::kRead:
      return "read";
    case Permission::kReview:
      return "review";
    case Permission::kCancel:
      return "cancel";
    case Permission::kRevoke:
      return "revoke";
    case Permission::kEdit:
      return "edit";
    case Permission::kHandOverPassword:
      return "hand_over_password";
    case Permission::kImportRegister:
      return "import_register";
    case Permission::kManageAccounts:
      return "manage_accounts";
    case Permission::kBilling:
      return "billing";
    case Permission::kKjApply:
      return "kj_apply";
    case Permission::kKjRead:
      return "kj_read";
    case Permission::kKjDownload:
      return "kj_download";
    case Permission::kKjPassword:
      return "kj_password";
    case Permission::kKjReview:
      return "kj_review";
    case Permission::kKjManage:
      return "kj_manage";
    case Permission::kNewinstPresent:
      return "newinst_present";
    case Permission::kNewinstManage:
      return "newinst_manage";
    case Permission::kQcApply:
      return "qc_apply";
    case Permission::kQcReview:
      return "qc_review";
    case Permission::kSubsidyApply:
      return "subsidy_apply";
    case Permission::kSubsidyReview:
      return "subsidy_review";
    case Permission::kSubsidyPay:
      return "subsidy_pay";
  }
  return "unknown";
}

bool IsKjKind(std::string_view kind) { return kind == kKjOfficeKind || kind == kKjAgentKind; }

namespace {

// Accounts that act for their own codes only (institutions, kj offices and agents): the
// permission within that scope.
bool AllowsOwnCodes(const Principal& p, std::string_view institution_code) {
  if (institution_code == kEveryInstitution) return false;
  const auto& codes = p.institution_codes;
  if (institution_code == kAnyInstitution) return !codes.empty();
  return std::find(codes.begin(), codes.end(), institution_code) != codes.end();
}

}  // namespace

bool Allows(const Principal& p, Permission perm, std::string_view institution_code) {
  if (p.account_id.empty()) return false;
  if (p.kind == kInstitution) {
    switch (perm) {
      case Permission::kApply:
      case Permission::kRead:
      case Permission::kCancel:
      case Permission::kRevoke:
      case Permission::kEdit:
      case Permission::kNewinstPresent:
      case Permission::kQcApply:
      case Permission::kSubsidyApply:
        return AllowsOwnCodes(p, institution_code);
      default:
        return false;
    }
  }
  if (IsKjKind(p.kind)) {
    switch (perm) {
      case Permission::kKjApply:
      case Permission::kKjRead:
      case Permission::kKjDownload:
      case Permission::kKjPassword:
        return AllowsOwnCodes(p, institution_code);
      default:
        return false;
    }
  }
  if (p.kind != kOperator) return false;
  // The columns reviewer (1), operator (2), administrator (3) of the table.
  const int level = OperatorLevel(p);
  switch (perm) {
    case Permission::kRead:
    case Permission::kReview:
    case Permission::kKjRead:
    case Permission::kKjReview:
    case Permission::kQcApply:
    case Permission::kQcReview:
    case Permission::kSubsidyApply:
    case Permission::kSubsidyReview:
      return level >= 1;
    case Permission::kApply:
    case Permission::kCancel:
    case Permission::kRevoke:
    case Permission::kEdit:
    case Permission::kHandOverPassword:
    case Permission::kImportRegister:
    case Permission::kBilling:
    case Permission::kKjApply:
    case Permission::kKjManage:
    case Permission::kNewinstPresent:
    case Permission::kNewinstManage:
    case Permission::kSubsidyPay:
      return level >= 2;
    case Permission::kManageAccounts:
      return level >= 3;
    case Permission::kKjDownload:  // the office's own PKCS#12 and issuance password only
    case Permission::kKjPassword:
      return false;
  }
  return false;
}

bool IsInstitutionCodeSyntax(std::string_view code) {
  return (code.size() == 10 || code.size() == 8) &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

AuthService::AuthService(store::AccountStore& store, const Clock& clock, AuthOptions options)
    : store_(store), clock_(clock), options_(options) {}

std::string AuthService::NormalizeAccountId(std::string_view account_id) {
  while (!account_id.empty() && account_id.front() == ' ') account_id.remove_prefix(1);
  while (!account_id.empty() && account_id.back() == ' ') account_id.remove_suffix(1);
  std::string out(account_id);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Principal AuthService::PrincipalOf(const store::AccountRecord& a) {
  return Principal{a.account_id, a.kind, a.roles, a.institution_codes};
}

const std::string& AuthService::DummyHash() {
  std::call_once(dummy_once_, [this] {
    auto secret = NewToken();
    if (!secret.ok()) return;
    auto hash = HashPassword(*secret, options_.kdf);
    if (hash.ok()) dummy_hash_ = std::move(hash).value();
  });
  return dummy_hash_;
}

Result<store::AccountRecord> AuthService::PrepareAccount(store::AccountRecord account,
                                                         std::string_view password) const {
  account.account_id = NormalizeAccountId(account.account_id);
  RETURN_IF_ERROR(ValidateNewAccount(account));
  const auto policy = CheckPasswordPolicy(password, account.account_id);
  if (!policy.empty()) {
    std::string rules;
    for (const auto& e : policy) rules += (rules.empty() ? "" : ", ") + e.rule;
    return InvalidArgument("account password: " + rules);
  }
  if (account.kind == kInstitution && account.email.empty()) account.email = account.account_id;
  ASSIGN_OR_RETURN(account.password_hash, HashPassword(password, options_.kdf));
  account.failed_logins = 0;
  account.locked_until.reset();
  account.created_at = clock_.Now();
  return account;
}

std::string AuthService::CreationDetails(const store::AccountRecord& account) {
  return R"({"kind":")" + account.kind + R"(","roles":)" + JsonList(account.roles) +
         R"(,"institution_codes":)" + JsonList(account.institution_codes) + "}";
}

Status AuthService::CreateAccount(store::AccountRecord account, std::string_view password,
                                  std::string_view actor) {
  ASSIGN_OR_RETURN(store::AccountRecord a, PrepareAccount(std::move(account), password));
  return store_.CreateAccount(
      a, store::AuditEvent{a.created_at, std::string(actor), "account.create", a.account_id,
                           CreationDetails(a)});
}

Result<Principal> AuthService::Login(std::string_view account_id, std::string_view password,
                                     Instant* locked_until) {
  const std::string id = NormalizeAccountId(account_id);
  const Instant now = clock_.Now();
  auto found = id.empty() ? Result<store::AccountRecord>(NotFound("empty account id"))
                          : store_.GetAccount(id);
  if (!found.ok()) {
    if (found.status().code() != Code::kNotFound) return found.status();
    // Spend what a real check spends, so response time does not tell who exists.
    (void)VerifyPassword(DummyHash(), password);
    return Status(Code::kUnauthorized, kWrongCredentials);
  }
  const store::AccountRecord& a = *found;
  const auto locked = [&](Instant until) {
    if (locked_until != nullptr) *locked_until = until;
    return Status(Code::kRateLimited, "account locked until " + FormatJst(until));
  };
  if (a.locked_until && *a.locked_until > now) return locked(*a.locked_until);
  if (!VerifyPassword(a.password_hash, password)) {
    const bool kj = IsKjKind(a.kind);
    ASSIGN_OR_RETURN(
        store::AccountRecord after,
        store_.RecordLoginFailure(a.account_id, now,
                                  kj ? options_.kj_max_failed_logins : options_.max_failed_logins,
                                  kj ? options_.kj_lock_for : options_.lock_for));
    if (after.locked_until && *after.locked_until > now) return locked(*after.locked_until);
    return Status(Code::kUnauthorized, kWrongCredentials);
  }
  if (a.disabled) return Status(Code::kForbidden, "account " + a.account_id + " is disabled");
  RETURN_IF_ERROR(store_.RecordLoginSuccess(a.account_id, now));
  if (NeedsRehash(a.password_hash, options_.kdf)) {
    auto fresh = HashPassword(password, options_.kdf);
    if (fresh.ok()) {
      // Best effort: the login stands even if the upgrade is not stored this time.
      (void)store_.SetPasswordHash(
          a.account_id, *fresh,
          store::AuditEvent{now, "system:auth", "account.rehash", a.account_id, "{}"});
    }
  }
  return PrincipalOf(a);
}

Result<std::string> AuthService::IssueToken(std::string_view account_id, std::string_view kind,
                                            std::chrono::seconds ttl, std::string_view data) {
  if (ttl.count() <= 0) return InvalidArgument("issue token: ttl must be positive");
  ASSIGN_OR_RETURN(std::string token, NewToken());
  const Instant now = clock_.Now();
  store::TokenRecord t;
  t.token_hash = TokenHash(token);
  t.account_id = NormalizeAccountId(account_id);
  t.kind = std::string(kind);
  t.created_at = now;
  t.expires_at = now + ttl;
  t.data = std::string(data);
  RETURN_IF_ERROR(store_.PutToken(t));
  return token;
}

Result<Principal> AuthService::Authenticate(std::string_view bearer_token) {
  if (bearer_token.empty()) return Status(Code::kUnauthorized, kBadToken);
  auto t = store_.GetToken(TokenHash(bearer_token), clock_.Now());
  if (!t.ok()) {
    if (t.status().code() == Code::kNotFound) return Status(Code::kUnauthorized, kBadToken);
    return t.status();
  }
  if (t->kind != "api" && t->kind != "session") return Status(Code::kUnauthorized, kBadToken);
  auto a = store_.GetAccount(t->account_id);
  if (!a.ok()) {
    if (a.status().code() == Code::kNotFound) return Status(Code::kUnauthorized, kBadToken);
    return a.status();
  }
  if (a->disabled) return Status(Code::kForbidden, "account " + a->account_id + " is disabled");
  return PrincipalOf(*a);
}

Status AuthService::RevokeToken(std::string_view bearer_token) {
  if (bearer_token.empty()) return Status::Ok();
  return store_.DeleteToken(TokenHash(bearer_token));
}

}  // namespace claimsca::auth
