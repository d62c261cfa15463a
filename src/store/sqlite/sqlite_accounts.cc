// SqliteStore: accounts and their tokens (AccountStore).

#include <functional>
#include <string>

#include "store/audit_chain.h"
#include "store/internal.h"
#include "store/sqlite/sqlite_audit.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::FromUnix;
using internal::ToUnix;
using sqlite::Stmt;

// Columns of a full account row, in the order ReadAccount expects; roles and codes are
// comma-joined (neither can hold a comma: ValidateAccount).
#define CLAIMSCA_ACCOUNT_SELECT                                                               \
  "SELECT a.account_id, a.kind, a.display_name, a.email, a.password_hash, a.email_verified, " \
  "a.disabled, a.failed_logins, a.locked_until, a.created_at, "                               \
  "coalesce((SELECT group_concat(r.role, ',') FROM account_roles r "                          \
  "WHERE r.account_id = a.account_id), ''), "                                                 \
  "coalesce((SELECT group_concat(i.institution_code, ',') FROM account_institutions i "       \
  "WHERE i.account_id = a.account_id), '') FROM accounts a "

constexpr char kSelectAccount[] = CLAIMSCA_ACCOUNT_SELECT "WHERE a.account_id = ?1";
constexpr char kListAccounts[] =
    CLAIMSCA_ACCOUNT_SELECT "WHERE ?1 = '' OR a.kind = ?1 ORDER BY a.account_id";
#undef CLAIMSCA_ACCOUNT_SELECT

constexpr char kInsertAccount[] =
    "INSERT INTO accounts (account_id, kind, display_name, email, password_hash, "
    "email_verified, disabled, failed_logins, locked_until, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr char kInsertRole[] = "INSERT INTO account_roles (account_id, role) VALUES (?1, ?2)";
constexpr char kInsertCode[] =
    "INSERT INTO account_institutions (account_id, institution_code) VALUES (?1, ?2)";
constexpr char kSetPasswordHash[] =
    "UPDATE accounts SET password_hash = ?2, failed_logins = 0, locked_until = NULL "
    "WHERE account_id = ?1";
constexpr char kSetEmailVerified[] = "UPDATE accounts SET email_verified = 1 WHERE account_id = ?1";
constexpr char kSetDisabled[] = "UPDATE accounts SET disabled = ?2 WHERE account_id = ?1";
// ?2 = max_failures, ?3 = the instant the lock ends if this failure reaches it.
constexpr char kLoginFailure[] =
    "UPDATE accounts SET "
    "failed_logins = CASE WHEN failed_logins + 1 >= ?2 THEN 0 ELSE failed_logins + 1 END, "
    "locked_until = CASE WHEN failed_logins + 1 >= ?2 THEN ?3 ELSE locked_until END "
    "WHERE account_id = ?1";
constexpr char kLoginSuccess[] =
    "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE account_id = ?1";

constexpr char kAccountExists[] = "SELECT 1 FROM accounts WHERE account_id = ?1";
constexpr char kInsertToken[] =
    "INSERT INTO auth_tokens (token_hash, account_id, kind, created_at, expires_at, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr char kSelectToken[] =
    "SELECT token_hash, account_id, kind, created_at, expires_at, data FROM auth_tokens "
    "WHERE token_hash = ?1 AND expires_at > ?2";
constexpr char kDeleteToken[] = "DELETE FROM auth_tokens WHERE token_hash = ?1";
constexpr char kDeleteTokens[] =
    "DELETE FROM auth_tokens WHERE account_id = ?1 AND (?2 = '' OR kind = ?2)";

AccountRecord ReadAccount(const Stmt& s) {
  AccountRecord a;
  a.account_id = s.ColText(0);
  a.kind = s.ColText(1);
  a.display_name = s.ColText(2);
  a.email = s.ColText(3);
  a.password_hash = s.ColText(4);
  a.email_verified = s.ColInt(5) != 0;
  a.disabled = s.ColInt(6) != 0;
  a.failed_logins = static_cast<int>(s.ColInt(7));
  if (auto v = s.ColOptInt(8)) a.locked_until = FromUnix(*v);
  a.created_at = FromUnix(s.ColInt(9));
  a.roles = internal::SplitSorted(s.ColText(10));
  a.institution_codes = internal::SplitSorted(s.ColText(11));
  return a;
}

Result<AccountRecord> SelectAccount(sqlite::SqliteConn& c, std::string_view account_id) {
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kSelectAccount, "get account"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, account_id).Step());
  if (!row) return NotFound("account " + std::string(account_id) + " not found");
  return ReadAccount(s);
}

// Runs an UPDATE of one account row (bound by `bind`); NotFound if no row changed.
Status UpdateOne(sqlite::SqliteConn& c, const char* sql, std::string_view account_id,
                 std::string_view context, const std::function<void(Stmt&)>& bind) {
  {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql, context));
    s.Text(1, account_id);
    bind(s);
    RETURN_IF_ERROR(s.Run());
  }
  if (c.Changes() != 1) {
    return NotFound(std::string(context) + ": account " + std::string(account_id) + " not found");
  }
  return Status::Ok();
}

}  // namespace

Status SqliteStore::CreateAccount(const AccountRecord& a, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateAccount(a));
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  return group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsertAccount, "create account"));
      s.Text(1, a.account_id).Text(2, a.kind).Text(3, a.display_name).Text(4, a.email);
      s.Text(5, a.password_hash).Int(6, a.email_verified ? 1 : 0).Int(7, a.disabled ? 1 : 0);
      s.Int(8, a.failed_logins).OptInt(9, ToUnix(a.locked_until)).Int(10, ToUnix(a.created_at));
      Status st = s.Run();
      if (st.code() == Code::kConflict) return Conflict("account " + a.account_id + " exists");
      RETURN_IF_ERROR(st);
    }
    for (const std::string& role : a.roles) {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsertRole, "create account: role"));
      RETURN_IF_ERROR(s.Text(1, a.account_id).Text(2, role).Run());
    }
    for (const std::string& code : a.institution_codes) {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsertCode, "create account: code"));
      RETURN_IF_ERROR(s.Text(1, a.account_id).Text(2, code).Run());
    }
    return sqlite::AppendAuditIn(c, audit);
  });
}

Result<AccountRecord> SqliteStore::GetAccount(std::string_view account_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  return SelectAccount(*reader, account_id);
}

Result<std::vector<AccountRecord>> SqliteStore::ListAccounts(std::string_view kind) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kListAccounts, "list accounts"));
  s.Text(1, kind);
  std::vector<AccountRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    out.push_back(ReadAccount(s));
  }
}

Status SqliteStore::SetPasswordHash(std::string_view account_id, std::string_view hash,
                                    const AuditEvent& audit) {
  if (hash.empty()) return InvalidArgument("set password: empty hash");
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  return group_.Run([&](Conn& c) -> Status {
    RETURN_IF_ERROR(UpdateOne(c, kSetPasswordHash, account_id, "set password",
                              [&](Stmt& s) { s.Text(2, hash); }));
    return sqlite::AppendAuditIn(c, audit);
  });
}

Status SqliteStore::SetEmailVerified(std::string_view account_id, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  return group_.Run([&](Conn& c) -> Status {
    RETURN_IF_ERROR(
        UpdateOne(c, kSetEmailVerified, account_id, "set email verified", [](Stmt&) {}));
    return sqlite::AppendAuditIn(c, audit);
  });
}

Status SqliteStore::SetDisabled(std::string_view account_id, bool disabled,
                                const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  return group_.Run([&](Conn& c) -> Status {
    RETURN_IF_ERROR(UpdateOne(c, kSetDisabled, account_id, "set disabled",
                              [&](Stmt& s) { s.Int(2, disabled ? 1 : 0); }));
    return sqlite::AppendAuditIn(c, audit);
  });
}

Result<AccountRecord> SqliteStore::RecordLoginFailure(std::string_view account_id, Instant at,
                                                      int max_failures,
                                                      std::chrono::seconds lock_for) {
  RETURN_IF_ERROR(internal::ValidateLoginFailure(max_failures, lock_for));
  AccountRecord out;
  Status st = group_.Run([&](Conn& c) -> Status {
    RETURN_IF_ERROR(UpdateOne(c, kLoginFailure, account_id, "login failure", [&](Stmt& s) {
      s.Int(2, max_failures).Int(3, ToUnix(at + lock_for));
    }));
    ASSIGN_OR_RETURN(out, SelectAccount(c, account_id));
    return sqlite::AppendAuditIn(c, internal::LoginFailureEvent(out, at));
  });
  if (!st.ok()) return st;
  return out;
}

Status SqliteStore::RecordLoginSuccess(std::string_view account_id, Instant at) {
  return group_.Run([&](Conn& c) -> Status {
    RETURN_IF_ERROR(UpdateOne(c, kLoginSuccess, account_id, "login success", [](Stmt&) {}));
    return sqlite::AppendAuditIn(c, internal::LoginSuccessEvent(account_id, at));
  });
}

Status SqliteStore::PutToken(const TokenRecord& t) {
  RETURN_IF_ERROR(internal::ValidateToken(t));
  return group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kAccountExists, "put token: account"));
      ASSIGN_OR_RETURN(bool row, s.Text(1, t.account_id).Step());
      if (!row) return NotFound("put token: account " + t.account_id + " not found");
    }
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsertToken, "put token"));
    s.Text(1, t.token_hash).Text(2, t.account_id).Text(3, t.kind);
    s.Int(4, ToUnix(t.created_at)).Int(5, ToUnix(t.expires_at)).Text(6, t.data);
    return s.Run();
  });
}

Result<TokenRecord> SqliteStore::GetToken(std::string_view token_hash, Instant now) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectToken, "get token"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, token_hash).Int(2, ToUnix(now)).Step());
  // The hash is not echoed: it identifies a live credential.
  if (!row) return NotFound("token not found or expired");
  TokenRecord t;
  t.token_hash = s.ColText(0);
  t.account_id = s.ColText(1);
  t.kind = s.ColText(2);
  t.created_at = FromUnix(s.ColInt(3));
  t.expires_at = FromUnix(s.ColInt(4));
  t.data = s.ColText(5);
  return t;
}

Status SqliteStore::DeleteToken(std::string_view token_hash) {
  return group_.Run([&](Conn& c) -> Status {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kDeleteToken, "delete token"));
    return s.Text(1, token_hash).Run();
  });
}

Status SqliteStore::DeleteTokens(std::string_view account_id, std::string_view kind) {
  return group_.Run([&](Conn& c) -> Status {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kDeleteTokens, "delete tokens"));
    return s.Text(1, account_id).Text(2, kind).Run();
  });
}

}  // namespace claimsca::store
