// Withdrawal (withdrawal.h): the undoing of everything set up on a clinic's provisional
// numbers when designation does not happen.

#include "newinst/withdrawal.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "auth/auth_service.h"
#include "billing/credit_notes.h"
#include "store/module_sql.h"

namespace claimsca::newinst {
namespace {

constexpr int kReasonCessationOfOperation = 5;

constexpr char kFind[] =
    "SELECT provisional_code, coalesce(reception_number, ''), state, name, email FROM "
    "newinst_institutions WHERE provisional_code = $1 OR reception_number = $1";
constexpr char kMarkWithdrawn[] =
    "UPDATE newinst_institutions SET state = 'withdrawn', withdrawn_at = $2, withdrawn_by = $3 "
    "WHERE provisional_code = $1 AND state IN ('provisional', 'presented')";

struct Row {
  std::string provisional, reception, state, name, email;
  std::vector<std::string> Codes() const {
    std::vector<std::string> c = {provisional};
    if (!reception.empty()) c.push_back(reception);
    return c;
  }
};

Result<std::optional<Row>> Find(store::SqlTx& tx, std::string_view code) {
  ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kFind, {code}));
  if (!r) return std::optional<Row>();
  Row row;
  ASSIGN_OR_RETURN(row.provisional, r->Text(0));
  ASSIGN_OR_RETURN(row.reception, r->Text(1));
  ASSIGN_OR_RETURN(row.state, r->Text(2));
  ASSIGN_OR_RETURN(row.name, r->Text(3));
  ASSIGN_OR_RETURN(row.email, r->Text(4));
  return std::optional<Row>(std::move(row));
}

// The one acting for the withdrawal once it is authorised: the clinic may not revoke every
// certificate of its codes or close its own account by itself, the withdrawal does.
ra::Caller SystemCaller() {
  ra::Caller c;
  c.owner = true;
  c.channel = ra::Channel::kOperator;
  c.principal.account_id = "newinst-withdraw";
  c.principal.kind = "operator";
  c.principal.roles = {"administrator"};
  return c;
}

bool Allowed(const ra::Caller& caller, const Row& row) {
  if (auth::Allows(caller.principal, auth::Permission::kNewinstManage)) return true;
  for (const auto& code : row.Codes()) {
    if (auth::Allows(caller.principal, auth::Permission::kNewinstPresent, code)) return true;
  }
  return false;
}

}  // namespace

Result<WithdrawalReport> Withdrawal::Withdraw(const ra::Caller& caller, std::string_view code) {
  if (caller.principal.account_id.empty() && !caller.owner) {
    return Status(Code::kUnauthorized, "sign in first");
  }
  std::optional<Row> found;
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(found, Find(tx, code));
    return Status::Ok();
  }));
  // Someone else's code is not found, as for applications.
  if (!found || (!caller.owner && !Allowed(caller, *found))) {
    return NotFound("no provisional code or reception number " + std::string(code));
  }
  const Row row = *found;
  WithdrawalReport report;
  report.provisional_code = row.provisional;
  report.reception_number = row.reception;
  if (row.state == "withdrawn") {
    report.already = true;
    return report;
  }
  if (row.state == "designated") {
    return FailedPrecondition(row.provisional +
                              " is designated: its certificates are on the real code");
  }
  const ra::Caller system = SystemCaller();
  const std::vector<std::string> codes = row.Codes();
  // 1. Certificates.
  for (const auto& c : codes) {
    ASSIGN_OR_RETURN(std::vector<ra::BulkItem> items,
                     ra_.RevokeInstitution(system, c, kReasonCessationOfOperation));
    for (const auto& item : items) {
      if (!item.status.ok()) return item.status.WithContext("revoke " + item.serial);
      report.revoked_serials.push_back(item.serial);
    }
  }
  // 2. Pending applications.
  store::ApplicationFilter f;
  f.institution_codes = codes;
  f.state = store::ApplicationState::kPending;
  f.limit = 500;
  ASSIGN_OR_RETURN(store::ApplicationPage pending, store_.ListApplications(f));
  for (const auto& a : pending.items) {
    RETURN_IF_ERROR(ra_.Cancel(system, a.request_id));
    report.cancelled_requests.push_back(a.request_id);
  }
  // 4. Accounts that hold nothing but these codes.
  const Instant now = clock_.Now();
  const std::string actor = caller.Actor();
  ASSIGN_OR_RETURN(std::vector<store::AccountRecord> accounts, store_.ListAccounts("institution"));
  for (const auto& acc : accounts) {
    if (acc.disabled || acc.institution_codes.empty()) continue;
    const bool only_these = std::all_of(
        acc.institution_codes.begin(), acc.institution_codes.end(), [&](const std::string& c) {
          return std::find(codes.begin(), codes.end(), c) != codes.end();
        });
    if (!only_these) continue;
    const store::AuditEvent ev{
        now, actor, "account.disable", acc.account_id,
        nlohmann::json({{"why", "newinst withdrawn " + row.provisional}}).dump()};
    RETURN_IF_ERROR(store_.SetDisabled(acc.account_id, true, ev));
    report.closed_accounts.push_back(acc.account_id);
  }
  // 3 and 5. Credit notes, the row, the audit row and the mail: one transaction.
  store::AuditEvent ev{now, actor, "newinst.withdraw", row.provisional, ""};
  if (mail_ != nullptr && !row.email.empty()) {
    ASSIGN_OR_RETURN(
        store::OutboxMail m,
        mail_->Compose("newinst_withdrawn", row.provisional, row.email,
                       {{"institution_name", row.name},
                        {"provisional_code", row.provisional},
                        {"reception_number", row.reception.empty() ? "－" : row.reception},
                        {"revoked_count", std::to_string(report.revoked_serials.size())},
                        {"cancelled_count", std::to_string(report.cancelled_requests.size())}},
                       "newinst_withdrawn|" + row.provisional));
    ev.mail.push_back(std::move(m));
  }
  RETURN_IF_ERROR(store::RunInTransaction(store_, [&](store::SqlTx& tx) -> Status {
    report.credited_yen = 0;
    for (const auto& c : codes) {
      ASSIGN_OR_RETURN(int64_t yen, billing::CreditInstitution(
                                        tx, c, now, "指定なし: " + row.provisional + " withdrawn"));
      report.credited_yen += yen;
    }
    ASSIGN_OR_RETURN(
        int64_t n,
        tx.Exec(
            kMarkWithdrawn,
            {row.provisional,
             int64_t{
                 std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()},
             actor}));
    if (n != 1) return Conflict(row.provisional + " changed meanwhile; run the withdrawal again");
    ev.details = nlohmann::json({{"reception_number", row.reception},
                                 {"revoked", report.revoked_serials},
                                 {"cancelled", report.cancelled_requests},
                                 {"closed_accounts", report.closed_accounts},
                                 {"credited_yen", report.credited_yen}})
                     .dump();
    return tx.AppendAudit(ev);
  }));
  return report;
}

}  // namespace claimsca::newinst
