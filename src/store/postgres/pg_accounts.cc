// PgStore: accounts and their tokens (AccountStore).

#include <string>

#include "store/audit_chain.h"
#include "store/internal.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_store.h"

namespace claimsca::store {
namespace {

using internal::FromUnix;
using internal::ToUnix;
using pg::Params;
using pg::PgResult;

constexpr Oid kT[] = {pg::kTextOid};
constexpr Oid kTT[] = {pg::kTextOid, pg::kTextOid};
constexpr Oid kTI[] = {pg::kTextOid, pg::kInt8Oid};
constexpr Oid kTII[] = {pg::kTextOid, pg::kInt8Oid, pg::kInt8Oid};
constexpr Oid kAccountTypes[] = {pg::kTextOid, pg::kTextOid, pg::kTextOid, pg::kTextOid,
                                 pg::kTextOid, pg::kInt8Oid, pg::kInt8Oid, pg::kInt8Oid,
                                 pg::kInt8Oid, pg::kInt8Oid};
constexpr Oid kTokenTypes[] = {pg::kTextOid, pg::kTextOid, pg::kTextOid,
                               pg::kInt8Oid, pg::kInt8Oid, pg::kTextOid};

// Columns of a full account row, in the order AccountAt expects; roles and codes are
// comma-joined (neither can hold a comma: ValidateAccount).
#define CLAIMSCA_ACCOUNT_SELECT                                                             \
  "SELECT a.account_id, a.kind, a.display_name, a.email, a.password_hash, "                 \
  "a.email_verified::int, a.disabled::int, a.failed_logins, a.locked_until, a.created_at, " \
  "coalesce((SELECT string_agg(r.role, ',') FROM account_roles r "                          \
  "WHERE r.account_id = a.account_id), ''), "                                               \
  "coalesce((SELECT string_agg(i.institution_code, ',') FROM account_institutions i "       \
  "WHERE i.account_id = a.account_id), '') FROM accounts a "

constexpr pg::Query kSelectAccount{"claimsca_acct_select",
                                   CLAIMSCA_ACCOUNT_SELECT "WHERE a.account_id = $1", kT};
constexpr pg::Query kListAccounts{
    "claimsca_acct_list",
    CLAIMSCA_ACCOUNT_SELECT "WHERE $1 = '' OR a.kind = $1 ORDER BY a.account_id", kT};
#undef CLAIMSCA_ACCOUNT_SELECT

constexpr pg::Query kInsertAccount{
    "claimsca_acct_insert",
    "INSERT INTO accounts (account_id, kind, display_name, email, password_hash, "
    "email_verified, disabled, failed_logins, locked_until, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6 <> 0, $7 <> 0, $8, $9, $10)",
    kAccountTypes};
constexpr pg::Query kInsertRole{"claimsca_acct_insert_role",
                                "INSERT INTO account_roles (account_id, role) VALUES ($1, $2)",
                                kTT};
constexpr pg::Query kInsertCode{
    "claimsca_acct_insert_code",
    "INSERT INTO account_institutions (account_id, institution_code) VALUES ($1, $2)", kTT};
constexpr pg::Query kSetPasswordHash{
    "claimsca_acct_set_password",
    "UPDATE accounts SET password_hash = $2, failed_logins = 0, locked_until = NULL "
    "WHERE account_id = $1",
    kTT};
constexpr pg::Query kSetEmailVerified{
    "claimsca_acct_set_verified", "UPDATE accounts SET email_verified = true WHERE account_id = $1",
    kT};
constexpr pg::Query kSetDisabled{"claimsca_acct_set_disabled",
                                 "UPDATE accounts SET disabled = $2 <> 0 WHERE account_id = $1",
                                 kTI};
// $2 = max_failures, $3 = the instant the lock ends if this failure reaches it.
constexpr pg::Query kLoginFailure{
    "claimsca_acct_login_failure",
    "UPDATE accounts SET "
    "failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END, "
    "locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END "
    "WHERE account_id = $1",
    kTII};
constexpr pg::Query kLoginSuccess{
    "claimsca_acct_login_success",
    "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE account_id = $1", kT};

// FOR SHARE: the account cannot disappear or change kind before the token row is in.
constexpr pg::Query kAccountExists{"claimsca_acct_exists",
                                   "SELECT 1 FROM accounts WHERE account_id = $1 FOR SHARE", kT};
constexpr pg::Query kInsertToken{
    "claimsca_token_insert",
    "INSERT INTO auth_tokens (token_hash, account_id, kind, created_at, expires_at, data) "
    "VALUES ($1, $2, $3, $4, $5, $6)",
    kTokenTypes};
constexpr pg::Query kSelectToken{
    "claimsca_token_select",
    "SELECT token_hash, account_id, kind, created_at, expires_at, data FROM auth_tokens "
    "WHERE token_hash = $1 AND expires_at > $2",
    kTI};
constexpr pg::Query kDeleteToken{"claimsca_token_delete",
                                 "DELETE FROM auth_tokens WHERE token_hash = $1", kT};
constexpr pg::Query kDeleteTokens{
    "claimsca_token_delete_all",
    "DELETE FROM auth_tokens WHERE account_id = $1 AND ($2 = '' OR kind = $2)", kTT};

Result<AccountRecord> AccountAt(const PgResult& r, int row) {
  AccountRecord a;
  a.account_id = r.Bytes(row, 0);
  a.kind = r.Bytes(row, 1);
  a.display_name = r.Bytes(row, 2);
  a.email = r.Bytes(row, 3);
  a.password_hash = r.Bytes(row, 4);
  ASSIGN_OR_RETURN(int64_t verified, r.Int(row, 5));
  a.email_verified = verified != 0;
  ASSIGN_OR_RETURN(int64_t disabled, r.Int(row, 6));
  a.disabled = disabled != 0;
  ASSIGN_OR_RETURN(int64_t failed, r.Int(row, 7));
  a.failed_logins = static_cast<int>(failed);
  ASSIGN_OR_RETURN(auto locked, r.OptInt(row, 8));
  if (locked) a.locked_until = FromUnix(*locked);
  ASSIGN_OR_RETURN(int64_t created, r.Int(row, 9));
  a.created_at = FromUnix(created);
  a.roles = internal::SplitSorted(r.Bytes(row, 10));
  a.institution_codes = internal::SplitSorted(r.Bytes(row, 11));
  return a;
}

Result<AccountRecord> SelectAccount(pg::PgConn& conn, std::string_view account_id) {
  ASSIGN_OR_RETURN(PgResult res,
                   conn.Exec(kSelectAccount, Params().Text(account_id), "get account"));
  if (res.Rows() == 0) return NotFound("account " + std::string(account_id) + " not found");
  return AccountAt(res, 0);
}

// Runs an UPDATE of one account row; NotFound if no row changed.
Status UpdateOne(pg::PgConn& conn, const pg::Query& q, const Params& p, std::string_view account_id,
                 std::string_view context) {
  ASSIGN_OR_RETURN(PgResult res, conn.Exec(q, p, context));
  if (res.Affected() != 1) {
    return NotFound(std::string(context) + ": account " + std::string(account_id) + " not found");
  }
  return Status::Ok();
}

}  // namespace

Status PgStore::CreateAccount(const AccountRecord& a, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateAccount(a));
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "create account", [&]() -> Status {
    Params p;
    p.Text(a.account_id).Text(a.kind).Text(a.display_name).Text(a.email).Text(a.password_hash);
    p.Int8(a.email_verified ? 1 : 0).Int8(a.disabled ? 1 : 0).Int8(a.failed_logins);
    p.OptInt8(ToUnix(a.locked_until)).Int8(ToUnix(a.created_at));
    Status st = conn->Exec(kInsertAccount, p, "create account").status();
    if (st.code() == Code::kConflict) return Conflict("account " + a.account_id + " exists");
    RETURN_IF_ERROR(st);
    for (const std::string& role : a.roles) {
      RETURN_IF_ERROR(
          conn->Exec(kInsertRole, Params().Text(a.account_id).Text(role), "create account: role")
              .status());
    }
    for (const std::string& code : a.institution_codes) {
      RETURN_IF_ERROR(
          conn->Exec(kInsertCode, Params().Text(a.account_id).Text(code), "create account: code")
              .status());
    }
    return pg::AppendAuditIn(*conn, audit);
  });
}

Result<AccountRecord> PgStore::GetAccount(std::string_view account_id) {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return SelectAccount(*conn, account_id);
}

Result<std::vector<AccountRecord>> PgStore::ListAccounts(std::string_view kind) {
  ASSIGN_OR_RETURN(PgResult res, Run(kListAccounts, Params().Text(kind), "list accounts"));
  std::vector<AccountRecord> out;
  out.reserve(res.Rows());
  for (int i = 0; i < res.Rows(); ++i) {
    ASSIGN_OR_RETURN(AccountRecord a, AccountAt(res, i));
    out.push_back(std::move(a));
  }
  return out;
}

Status PgStore::SetPasswordHash(std::string_view account_id, std::string_view hash,
                                const AuditEvent& audit) {
  if (hash.empty()) return InvalidArgument("set password: empty hash");
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "set password", [&]() -> Status {
    RETURN_IF_ERROR(UpdateOne(*conn, kSetPasswordHash, Params().Text(account_id).Text(hash),
                              account_id, "set password"));
    return pg::AppendAuditIn(*conn, audit);
  });
}

Status PgStore::SetEmailVerified(std::string_view account_id, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "set email verified", [&]() -> Status {
    RETURN_IF_ERROR(UpdateOne(*conn, kSetEmailVerified, Params().Text(account_id), account_id,
                              "set email verified"));
    return pg::AppendAuditIn(*conn, audit);
  });
}

Status PgStore::SetDisabled(std::string_view account_id, bool disabled, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(audit));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "set disabled", [&]() -> Status {
    RETURN_IF_ERROR(UpdateOne(*conn, kSetDisabled, Params().Text(account_id).Int8(disabled ? 1 : 0),
                              account_id, "set disabled"));
    return pg::AppendAuditIn(*conn, audit);
  });
}

Result<AccountRecord> PgStore::RecordLoginFailure(std::string_view account_id, Instant at,
                                                  int max_failures, std::chrono::seconds lock_for) {
  RETURN_IF_ERROR(internal::ValidateLoginFailure(max_failures, lock_for));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  AccountRecord out;
  Status st = pg::InTransaction(*conn, "BEGIN", "login failure", [&]() -> Status {
    RETURN_IF_ERROR(
        UpdateOne(*conn, kLoginFailure,
                  Params().Text(account_id).Int8(max_failures).Int8(ToUnix(at + lock_for)),
                  account_id, "login failure"));
    ASSIGN_OR_RETURN(out, SelectAccount(*conn, account_id));
    return pg::AppendAuditIn(*conn, internal::LoginFailureEvent(out, at));
  });
  if (!st.ok()) return st;
  return out;
}

Status PgStore::RecordLoginSuccess(std::string_view account_id, Instant at) {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "login success", [&]() -> Status {
    RETURN_IF_ERROR(
        UpdateOne(*conn, kLoginSuccess, Params().Text(account_id), account_id, "login success"));
    return pg::AppendAuditIn(*conn, internal::LoginSuccessEvent(account_id, at));
  });
}

Status PgStore::PutToken(const TokenRecord& t) {
  RETURN_IF_ERROR(internal::ValidateToken(t));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "put token", [&]() -> Status {
    ASSIGN_OR_RETURN(PgResult acct,
                     conn->Exec(kAccountExists, Params().Text(t.account_id), "put token: account"));
    if (acct.Rows() == 0) return NotFound("put token: account " + t.account_id + " not found");
    Params p;
    p.Text(t.token_hash).Text(t.account_id).Text(t.kind);
    p.Int8(ToUnix(t.created_at)).Int8(ToUnix(t.expires_at)).Text(t.data);
    return conn->Exec(kInsertToken, p, "put token").status();
  });
}

Result<TokenRecord> PgStore::GetToken(std::string_view token_hash, Instant now) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kSelectToken, Params().Text(token_hash).Int8(ToUnix(now)), "get token"));
  // The hash is not echoed: it identifies a live credential.
  if (res.Rows() == 0) return NotFound("token not found or expired");
  TokenRecord t;
  t.token_hash = res.Bytes(0, 0);
  t.account_id = res.Bytes(0, 1);
  t.kind = res.Bytes(0, 2);
  ASSIGN_OR_RETURN(int64_t created, res.Int(0, 3));
  t.created_at = FromUnix(created);
  ASSIGN_OR_RETURN(int64_t expires, res.Int(0, 4));
  t.expires_at = FromUnix(expires);
  t.data = res.Bytes(0, 5);
  return t;
}

Status PgStore::DeleteToken(std::string_view token_hash) {
  return Run(kDeleteToken, Params().Text(token_hash), "delete token").status();
}

Status PgStore::DeleteTokens(std::string_view account_id, std::string_view kind) {
  return Run(kDeleteTokens, Params().Text(account_id).Text(kind), "delete tokens").status();
}

}  // namespace claimsca::store
