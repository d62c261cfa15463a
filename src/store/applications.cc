// ApplicationStore: state names, argument checks and the state rules shared by both back
// ends (see applications_internal.h).

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "domain/billing.h"
#include "store/applications_internal.h"
#include "store/store.h"

namespace claimsca::store {

namespace {

constexpr ApplicationState kAllStates[] = {
    ApplicationState::kPending, ApplicationState::kIssued, ApplicationState::kRejected,
    ApplicationState::kCancelled, ApplicationState::kRevoked};

}  // namespace

std::string_view ApplicationStateName(ApplicationState s) {
  switch (s) {
    case ApplicationState::kPending:
      return "pending";
    case ApplicationState::kIssued:
      return "issued";
    case ApplicationState::kRejected:
      return "rejected";
    case ApplicationState::kCancelled:
      return "cancelled";
    case ApplicationState::kRevoked:
      return "revoked";
  }
  return "unknown";
}

Result<ApplicationState> ParseApplicationState(std::string_view name) {
  for (ApplicationState s : kAllStates) {
    if (ApplicationStateName(s) == name) return s;
  }
  return InvalidArgument("unknown application state \"" + std::string(name) + "\"");
}

namespace internal {
namespace {

constexpr int kMaxListLimit = 500;

bool IsDigits(std::string_view s, size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsDate(std::string_view d) {
  return d.size() == 10 && d[4] == '-' && d[7] == '-' && IsDigits(d.substr(0, 4), 4) &&
         IsDigits(d.substr(5, 2), 2) && IsDigits(d.substr(8, 2), 2);
}

std::string What(std::string_view op, std::string_view request_id) {
  return std::string(op) + ": application " + std::string(request_id);
}

// FailedPrecondition unless `a` is in state `want`; the message names the current state.
Status RequireState(const ApplicationRecord& a, ApplicationState want, std::string_view op) {
  if (a.state == want) return Status::Ok();
  return FailedPrecondition(What(op, a.request_id) + " is " +
                            std::string(ApplicationStateName(a.state)) + ", not " +
                            std::string(ApplicationStateName(want)));
}

bool ClaimValid(const ApplicationRecord& a, Instant now) {
  return !a.claim_holder.empty() && a.claim_until.has_value() && *a.claim_until > now;
}

Status ClaimedByOther(const ApplicationRecord& a, std::string_view op) {
  return Conflict(What(op, a.request_id) + " is being approved by " + a.claim_holder +
                  " (claim until " + std::to_string(ToUnix(*a.claim_until)) + ")");
}

void ClearClaim(ApplicationRecord& a) {
  a.claim_holder.clear();
  a.claim_until.reset();
}

// The pending application, locked, with no valid claim at `at` (an expired one cleared):
// what rejecting or cancelling needs.
Result<ApplicationRecord> LockUnclaimedPending(ApplicationTx& tx, std::string_view request_id,
                                               Instant at, std::string_view op) {
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kPending, op));
  if (ClaimValid(a, at)) return ClaimedByOther(a, op);
  ClearClaim(a);
  return a;
}

Status RequireNonEmpty(std::string_view value, std::string_view what) {
  if (value.empty()) return InvalidArgument(std::string(what) + " is empty");
  return Status::Ok();
}

// The contact field of an issued application that EditApplication may change; nullptr for
// any other name.
std::string* EditableField(ApplicationRecord& a, std::string_view field) {
  if (field == "contact_name") return &a.contact_name;
  if (field == "terminal_name") return &a.terminal_name;
  if (field == "email") return &a.email;
  if (field == "phone") return &a.phone;
  return nullptr;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

Status ValidateNewApplication(const ApplicationRecord& a) {
  if (a.state != ApplicationState::kPending) {
    return InvalidArgument("insert application: state must be pending, not " +
                           std::string(ApplicationStateName(a.state)));
  }
  if (!IsDigits(a.request_id, 14)) {
    return InvalidArgument("insert application: request_id must be 14 ASCII digits");
  }
  RETURN_IF_ERROR(RequireNonEmpty(a.program, "insert application: program"));
  RETURN_IF_ERROR(RequireNonEmpty(a.channel, "insert application: channel"));
  RETURN_IF_ERROR(RequireNonEmpty(a.applicant_kind, "insert application: applicant_kind"));
  RETURN_IF_ERROR(RequireNonEmpty(a.institution_code, "insert application: institution_code"));
  if (a.register_version < 0) {
    return InvalidArgument("insert application: negative register_version");
  }
  const bool decided = a.decided_at || !a.decided_by.empty() || !a.reject_reason.empty();
  const bool issued = !a.serial.empty() || !a.common_name.empty() || a.issued_at || a.not_after ||
                      a.download_deadline || !a.download_password_hash.empty() ||
                      !a.pkcs12_der.empty() || !a.sealed_password.empty();
  const bool downloaded = a.download_failures != 0 || a.download_locked_until ||
                          a.download_count != 0 || a.last_downloaded_at;
  const bool ended = a.cancelled_at || a.revoked_at || a.revocation_reason != -1 ||
                     !a.revoked_by.empty() || !a.claim_holder.empty() || a.claim_until;
  if (decided || issued || downloaded || ended) {
    return InvalidArgument(
        "insert application: a new application carries no decision, issuance, download, "
        "cancellation, revocation or claim data");
  }
  return Status::Ok();
}

Status ValidateClaim(std::string_view holder, std::chrono::seconds ttl) {
  RETURN_IF_ERROR(RequireNonEmpty(holder, "claim: holder"));
  if (ttl.count() <= 0) return InvalidArgument("claim: ttl must be positive");
  return Status::Ok();
}

Status ValidateIssuance(std::string_view holder, const IssuanceResult& r, const FeeCharge& c) {
  RETURN_IF_ERROR(RequireNonEmpty(holder, "record issued: holder"));
  RETURN_IF_ERROR(RequireNonEmpty(r.serial, "record issued: serial"));
  RETURN_IF_ERROR(RequireNonEmpty(r.common_name, "record issued: common_name"));
  RETURN_IF_ERROR(RequireNonEmpty(r.download_password_hash, "record issued: password hash"));
  RETURN_IF_ERROR(RequireNonEmpty(c.kind, "record issued: fee kind"));
  if (!IsDate(c.charge_date)) {
    return InvalidArgument("record issued: charge_date must be YYYY-MM-DD");
  }
  if (c.issuance_fee_yen < 0 || c.mailing_fee_yen < 0 || c.total_yen < 0) {
    return InvalidArgument("record issued: negative fee");
  }
  return Status::Ok();
}

Status ValidateEdits(const std::vector<std::pair<std::string, std::string>>& changes) {
  ApplicationRecord probe;
  std::vector<std::string_view> seen;
  for (const auto& [field, value] : changes) {
    if (EditableField(probe, field) == nullptr) {
      return InvalidArgument("edit application: field \"" + field + "\" cannot be edited");
    }
    if (std::find(seen.begin(), seen.end(), field) != seen.end()) {
      return InvalidArgument("edit application: field \"" + field + "\" given twice");
    }
    seen.push_back(field);
  }
  return Status::Ok();
}

Status ValidateDownloadFailure(int max_failures, std::chrono::seconds lock_for) {
  if (max_failures < 1) return InvalidArgument("download failure: max_failures must be >= 1");
  if (lock_for.count() < 0) return InvalidArgument("download failure: negative lock_for");
  return Status::Ok();
}

Status ValidateDateRange(std::string_view from_date, std::string_view to_date) {
  if (!IsDate(from_date) || !IsDate(to_date)) {
    return InvalidArgument("fee charges: dates must be YYYY-MM-DD");
  }
  return Status::Ok();
}

Result<ListParams> MakeListParams(const ApplicationFilter& f) {
  if (f.limit < 1 || f.limit > kMaxListLimit) {
    return InvalidArgument("list applications: limit must be 1.." + std::to_string(kMaxListLimit));
  }
  if (f.before_seq < 0) return InvalidArgument("list applications: negative before_seq");
  ListParams p;
  p.before_seq = f.before_seq;
  if (f.state) p.state = ApplicationStateName(*f.state);
  p.account_id = f.account_id;
  p.request_id = f.request_id;
  p.serial = f.serial;
  p.only_held = f.only_held ? 1 : 0;
  if (!f.institution_codes.empty()) {
    p.institution_codes_json = "[";
    for (size_t i = 0; i < f.institution_codes.size(); ++i) {
      if (i > 0) p.institution_codes_json += ',';
      AppendJsonString(p.institution_codes_json, f.institution_codes[i]);
    }
    p.institution_codes_json += ']';
  }
  p.fetch = f.limit + 1;
  return p;
}

ApplicationPage MakePage(std::vector<ApplicationRecord> rows, const ApplicationFilter& f) {
  ApplicationPage page;
  if (rows.size() > static_cast<size_t>(f.limit)) {
    rows.resize(static_cast<size_t>(f.limit));
    page.next_before_seq = rows.back().seq;
  }
  page.items = std::move(rows);
  return page;
}

Result<std::vector<std::pair<ApplicationState, int64_t>>> MakeStateCounts(
    const std::vector<std::pair<std::string, int64_t>>& rows) {
  std::vector<std::pair<ApplicationState, int64_t>> out;
  for (const auto& [name, n] : rows) {
    ASSIGN_OR_RETURN(ApplicationState s, ParseApplicationState(name));
    out.emplace_back(s, n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<ApplicationRecord> InsertApplicationIn(ApplicationTx& tx, const ApplicationRecord& a,
                                              const AuditEvent& audit, bool* created) {
  if (created != nullptr) *created = false;
  if (!a.idempotency_key.empty()) {
    ASSIGN_OR_RETURN(auto existing,
                     tx.FindByIdempotencyKey(a.channel, a.account_id, a.idempotency_key));
    if (existing) return *std::move(existing);
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> seq, tx.Insert(a));
  if (!seq) {
    // Another transaction inserted the same key after our look-up (PostgreSQL).
    ASSIGN_OR_RETURN(auto existing,
                     tx.FindByIdempotencyKey(a.channel, a.account_id, a.idempotency_key));
    if (existing) return *std::move(existing);
    return Internal(What("insert", a.request_id) + ": idempotency key clash without a row");
  }
  RETURN_IF_ERROR(tx.AppendAudit(audit));
  ApplicationRecord out = a;
  out.seq = *seq;
  if (created != nullptr) *created = true;
  return out;
}

Status ClaimApplicationIn(ApplicationTx& tx, std::string_view request_id, std::string_view holder,
                          Instant now, std::chrono::seconds ttl) {
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kPending, "claim"));
  if (ClaimValid(a, now) && a.claim_holder != holder) return ClaimedByOther(a, "claim");
  a.claim_holder = holder;
  a.claim_until = now + ttl;
  return tx.Update(a, now);
}

Status ReleaseClaimIn(ApplicationTx& tx, std::string_view request_id, std::string_view holder) {
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  if (holder.empty() || a.claim_holder != holder) return Status::Ok();
  ClearClaim(a);
  return tx.Update(a, std::nullopt);
}

Status RecordIssuedIn(ApplicationTx& tx, std::string_view request_id, std::string_view holder,
                      std::string_view decided_by, Instant at, const IssuanceResult& result,
                      const FeeCharge& charge, const AuditEvent& audit) {
  if (!charge.request_id.empty() && charge.request_id != request_id) {
    return InvalidArgument(What("record issued", request_id) + ": fee charge is for " +
                           charge.request_id);
  }
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kPending, "record issued"));
  if (a.claim_holder != holder) {
    return Conflict(What("record issued", request_id) + ": the claim of " + std::string(holder) +
                    " was lost" +
                    (a.claim_holder.empty() ? std::string() : " to " + a.claim_holder));
  }
  ClearClaim(a);
  a.state = ApplicationState::kIssued;
  a.decided_at = at;
  a.decided_by = decided_by;
  a.serial = result.serial;
  a.common_name = result.common_name;
  a.issued_at = result.issued_at;
  a.not_after = result.not_after;
  a.download_deadline = result.download_deadline;
  a.download_password_hash = result.download_password_hash;
  a.pkcs12_der = result.pkcs12_der;
  a.sealed_password = result.sealed_password;
  RETURN_IF_ERROR(tx.Update(a, at));
  if (!result.cmp_sealed_secret.empty()) {
    RETURN_IF_ERROR(
        tx.PutCmpSecret(a.request_id, result.cmp_sealed_secret, result.download_deadline));
  }
  FeeCharge c = charge;
  c.request_id = a.request_id;
  if (c.institution_code.empty()) c.institution_code = a.institution_code;
  if (c.program.empty()) c.program = a.program;
  c.serial = result.serial;  // the certificate paid for, as for renewals
  RETURN_IF_ERROR(InsertCharge(tx, c));
  return tx.AppendAudit(audit);
}

Status RecordRenewedIn(ApplicationTx& tx, std::string_view request_id, const RenewalResult& result,
                       const FeeCharge& charge, const AuditEvent& audit) {
  if (result.serial.empty() || result.previous_serial.empty() ||
      result.serial == result.previous_serial) {
    return InvalidArgument(What("record renewed", request_id) + ": serials must be set and differ");
  }
  if (!charge.request_id.empty() && charge.request_id != request_id) {
    return InvalidArgument(What("record renewed", request_id) + ": fee charge is for " +
                           charge.request_id);
  }
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kIssued, "record renewed"));
  if (a.serial != result.previous_serial) {
    return Conflict(What("record renewed", request_id) + ": the current certificate is " +
                    a.serial + ", not " + result.previous_serial);
  }
  RETURN_IF_ERROR(SetCurrentCertificate(tx, a, result));
  if (result.supersede_previous) {
    RETURN_IF_ERROR(tx.RevokeCertificate(result.previous_serial, result.issued_at,
                                         4 /* superseded */, std::nullopt));
    RETURN_IF_ERROR(tx.DeleteCmpSecret(a.request_id));
    RETURN_IF_ERROR(tx.DeletePendingRenewal(a.request_id));
  } else {
    // Until confirmed, the renewed certificate may retry (RenewalStore).
    RETURN_IF_ERROR(tx.PutPendingRenewal(
        {a.request_id, result.previous_serial, result.serial, result.issued_at}));
  }
  if (charge.kind.empty()) return tx.AppendAudit(audit);
  RETURN_IF_ERROR(InsertChargeFor(tx, a, charge, result.serial));
  return tx.AppendAudit(audit);
}

Status SetCurrentCertificate(ApplicationTx& tx, ApplicationRecord& a, const RenewalResult& r) {
  a.serial = r.serial;
  a.common_name = r.common_name;
  a.issued_at = r.issued_at;
  a.not_after = r.not_after;
  a.pkcs12_der.clear();
  return tx.Update(a, r.issued_at);
}

Status InsertCharge(ApplicationTx& tx, const FeeCharge& c) {
  if (!IsDate(c.charge_date)) {
    return InvalidArgument("fee " + c.kind + " of " + c.request_id +
                           ": charge_date must be YYYY-MM-DD, not \"" + c.charge_date + "\"");
  }
  ASSIGN_OR_RETURN(Instant day, ParseInstant(c.charge_date));
  return tx.InsertFeeCharge(c, domain::FormatYearMonth(domain::BillingMonth(JstDate(day))));
}

Status CreditCharges(ApplicationTx& tx, std::string_view request_id, std::string_view serial,
                     Instant at, std::string reason) {
  const Date today = JstDate(at);
  FeeCredit c;
  c.request_id = std::string(request_id);
  c.serial = std::string(serial);
  c.charge_date = IsoDate(today);
  // A month already under way may have been billed: the credit goes to a later one.
  c.min_billing_month = domain::FormatYearMonth(domain::YearMonth(today.year(), today.month()) +
                                                std::chrono::months(1));
  c.created_at = at;
  c.reason = std::move(reason);
  return tx.CreditFeeCharges(c);
}

Status InsertChargeFor(ApplicationTx& tx, const ApplicationRecord& a, const FeeCharge& charge,
                       std::string_view serial) {
  FeeCharge c = charge;
  c.request_id = a.request_id;
  c.serial = std::string(serial);
  if (c.institution_code.empty()) c.institution_code = a.institution_code;
  if (c.program.empty()) c.program = a.program;
  return InsertCharge(tx, c);
}

Status RevertRenewalIn(ApplicationTx& tx, std::string_view request_id,
                       std::string_view rejected_serial, const RenewalResult& restore, int reason,
                       const AuditEvent& audit) {
  RETURN_IF_ERROR(ValidateRevocationReason(reason));
  if (rejected_serial.empty() || restore.serial.empty() || restore.serial == rejected_serial) {
    return InvalidArgument(What("revert renewal", request_id) + ": serials must be set and differ");
  }
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kIssued, "revert renewal"));
  if (a.serial != rejected_serial) {
    return Conflict(What("revert renewal", request_id) + ": the current certificate is " +
                    a.serial + ", not " + std::string(rejected_serial));
  }
  RETURN_IF_ERROR(tx.RevokeCertificate(rejected_serial, audit.at, reason, std::nullopt));
  a.serial = restore.serial;
  a.common_name = restore.common_name;
  a.issued_at = restore.issued_at;
  a.not_after = restore.not_after;
  RETURN_IF_ERROR(tx.Update(a, audit.at));
  RETURN_IF_ERROR(CreditCharges(tx, a.request_id, rejected_serial, audit.at,
                                "renewal reverted: certificate " + std::string(rejected_serial) +
                                    " rejected by the terminal"));
  RETURN_IF_ERROR(tx.DeletePendingRenewal(a.request_id));
  return tx.AppendAudit(audit);
}

Status RejectApplicationIn(ApplicationTx& tx, std::string_view request_id, std::string_view reason,
                           std::string_view by, Instant at, const AuditEvent& audit) {
  RETURN_IF_ERROR(RequireNonEmpty(reason, "reject: reason"));
  RETURN_IF_ERROR(RequireNonEmpty(by, "reject: by"));
  ASSIGN_OR_RETURN(ApplicationRecord a, LockUnclaimedPending(tx, request_id, at, "reject"));
  a.state = ApplicationState::kRejected;
  a.decided_at = at;
  a.decided_by = by;
  a.reject_reason = reason;
  RETURN_IF_ERROR(tx.Update(a, at));
  return tx.AppendAudit(audit);
}

Status CancelApplicationIn(ApplicationTx& tx, std::string_view request_id, std::string_view by,
                           Instant at, const AuditEvent& audit) {
  RETURN_IF_ERROR(RequireNonEmpty(by, "cancel: by"));
  ASSIGN_OR_RETURN(ApplicationRecord a, LockUnclaimedPending(tx, request_id, at, "cancel"));
  a.state = ApplicationState::kCancelled;
  a.cancelled_at = at;
  RETURN_IF_ERROR(tx.Update(a, at));
  return tx.AppendAudit(audit);
}

Status RevokeApplicationIn(ApplicationTx& tx, std::string_view request_id, Instant at, int reason,
                           std::optional<Instant> invalidity_date, std::string_view by,
                           const AuditEvent& audit) {
  RETURN_IF_ERROR(ValidateRevocationReason(reason));
  RETURN_IF_ERROR(RequireNonEmpty(by, "revoke: by"));
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kIssued, "revoke"));
  RETURN_IF_ERROR(tx.RevokeCertificate(a.serial, at, reason, invalidity_date)
                      .WithContext(What("revoke", request_id)));
  a.state = ApplicationState::kRevoked;
  a.revoked_at = at;
  a.revocation_reason = reason;
  a.revoked_by = by;
  RETURN_IF_ERROR(tx.Update(a, at));
  return tx.AppendAudit(audit);
}

Result<std::vector<ApplicationEdit>> EditApplicationIn(
    ApplicationTx& tx, std::string_view request_id,
    const std::vector<std::pair<std::string, std::string>>& changes, std::string_view by,
    Instant at, const AuditEvent& audit) {
  RETURN_IF_ERROR(ValidateEdits(changes));
  RETURN_IF_ERROR(RequireNonEmpty(by, "edit application: by"));
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kIssued, "edit"));
  std::vector<ApplicationEdit> edits;
  for (const auto& [field, value] : changes) {
    std::string* current = EditableField(a, field);
    if (*current == value) continue;
    edits.push_back({a.request_id, field, *current, value, std::string(by), at});
    *current = value;
  }
  if (!edits.empty()) RETURN_IF_ERROR(tx.Update(a, at));
  for (const ApplicationEdit& e : edits) RETURN_IF_ERROR(tx.InsertEdit(e));
  RETURN_IF_ERROR(tx.AppendAudit(audit));
  return edits;
}

Result<ApplicationRecord> RecordDownloadFailureIn(ApplicationTx& tx, std::string_view request_id,
                                                  Instant at, int max_failures,
                                                  std::chrono::seconds lock_for,
                                                  const AuditEvent& audit) {
  RETURN_IF_ERROR(ValidateDownloadFailure(max_failures, lock_for));
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kIssued, "download failure"));
  a.download_failures += 1;
  if (a.download_failures >= max_failures) {
    a.download_locked_until = at + lock_for;
    a.download_failures = 0;
  }
  RETURN_IF_ERROR(tx.Update(a, at));
  RETURN_IF_ERROR(tx.AppendAudit(audit));
  return a;
}

Status RecordDownloadSuccessIn(ApplicationTx& tx, std::string_view request_id, Instant at,
                               const AuditEvent& audit) {
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  RETURN_IF_ERROR(RequireState(a, ApplicationState::kIssued, "download"));
  a.download_failures = 0;
  a.download_count += 1;
  a.last_downloaded_at = at;
  RETURN_IF_ERROR(tx.Update(a, at));
  return tx.AppendAudit(audit);
}

Result<std::string> TakeSealedPasswordIn(ApplicationTx& tx, std::string_view request_id,
                                         const AuditEvent& audit) {
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  if (a.sealed_password.empty()) {
    return FailedPrecondition(What("take sealed password", request_id) + " is " +
                              std::string(ApplicationStateName(a.state)) +
                              " and holds no sealed password (already handed over, or never "
                              "issued)");
  }
  std::string sealed = std::move(a.sealed_password);
  a.sealed_password.clear();
  RETURN_IF_ERROR(tx.Update(a, audit.at));
  RETURN_IF_ERROR(tx.AppendAudit(audit));
  return sealed;
}

}  // namespace internal
}  // namespace claimsca::store
