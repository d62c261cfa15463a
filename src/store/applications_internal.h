#pragma once

// ApplicationStore, the part shared by both back ends: the row layout, argument checks and
// the state rules. A back end provides the few primitive statements of one transaction
// (ApplicationTx); the operations below are written once over them, so both back ends
// apply exactly the same rules. Internal to the store library.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/internal.h"
#include "store/store.h"

namespace claimsca::store::internal {

// The columns of an application row after seq, in the order ReadApplication and
// BindApplication use (statement parameters 1..kApplicationParams). Dialect-neutral.
#define CLAIMSCA_APPLICATION_COLUMNS                                                            \
  "request_id, program, channel, account_id, idempotency_key, applicant_kind, category, "       \
  "prefecture, score_table, facility_code, institution_code, institution_name, contact_name, "  \
  "phone, email, terminal_name, state, register_version, hold_reason, submitted_at, "           \
  "decided_at, decided_by, reject_reason, serial, common_name, issued_at, not_after, "          \
  "download_deadline, download_password_hash, pkcs12_der, sealed_password, download_failures, " \
  "download_locked_until, download_count, last_downloaded_at, cancelled_at, revoked_at, "       \
  "revocation_reason, revoked_by, claim_holder, claim_until"
inline constexpr int kApplicationParams = 41;

#define CLAIMSCA_FEE_CHARGE_COLUMNS                                              \
  "request_id, institution_code, program, kind, charge_date, issuance_fee_yen, " \
  "mailing_fee_yen, total_yen, created_at, serial"
// The ledger's credit note for the charges of (request_id $1, serial $2) not cancelled yet:
// date $3, billing month the later of the charge's and $4, created_at $5, reason $6
// (ApplicationTx::CreditFeeCharges). Parameters as $n: valid in both dialects.
#define CLAIMSCA_CREDIT_FEE_CHARGES_SQL                                                      \
  "INSERT INTO fee_charges (request_id, kind, institution_code, program, "                   \
  "charge_date, billing_month, issuance_fee_yen, mailing_fee_yen, total_yen, created_at, "   \
  "serial, cancels_entry_id, reason) SELECT f.request_id, f.kind, "                          \
  "f.institution_code, f.program, $3, "                                                      \
  "CASE WHEN f.billing_month > $4 THEN f.billing_month ELSE $4 END, -f.issuance_fee_yen, "   \
  "-f.mailing_fee_yen, -f.total_yen, $5, f.serial, f.entry_id, $6 FROM fee_charges f "       \
  "WHERE f.request_id = $1 AND f.serial = $2 AND f.cancels_entry_id IS NULL AND NOT EXISTS " \
  "(SELECT 1 FROM fee_charges c WHERE c.cancels_entry_id = f.entry_id) ORDER BY f.entry_id"
// Charges in force: neither a credit note nor cancelled by one.
#define CLAIMSCA_FEE_CHARGE_IN_FORCE                                      \
  "cancels_entry_id IS NULL AND NOT EXISTS (SELECT 1 FROM fee_charges c " \
  "WHERE c.cancels_entry_id = fee_charges.entry_id)"
#define CLAIMSCA_APPLICATION_EDIT_COLUMNS "request_id, field, before, after, edited_by, at"

inline std::optional<Instant> OptFromUnix(std::optional<int64_t> v) {
  if (!v) return std::nullopt;
  return FromUnix(*v);
}

// Reads "seq, " CLAIMSCA_APPLICATION_COLUMNS through a row accessor with
//   std::string_view Text(int col), Result<int64_t> Int(int col),
//   Result<std::optional<int64_t>> OptInt(int col)
// (NULL text and blobs read as empty).
template <class Row>
Result<ApplicationRecord> ReadApplication(const Row& r) {
  ApplicationRecord a;
  int c = 0;
  auto text = [&](std::string& out) { out = r.Text(c++); };
  auto instant = [&](Instant& out) -> Status {
    ASSIGN_OR_RETURN(int64_t v, r.Int(c++));
    out = FromUnix(v);
    return Status::Ok();
  };
  auto opt_instant = [&](std::optional<Instant>& out) -> Status {
    ASSIGN_OR_RETURN(std::optional<int64_t> v, r.OptInt(c++));
    out = OptFromUnix(v);
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(a.seq, r.Int(c++));
  for (std::string* f :
       {&a.request_id, &a.program, &a.channel, &a.account_id, &a.idempotency_key, &a.applicant_kind,
        &a.category, &a.prefecture, &a.score_table, &a.facility_code, &a.institution_code,
        &a.institution_name, &a.contact_name, &a.phone, &a.email, &a.terminal_name}) {
    text(*f);
  }
  ASSIGN_OR_RETURN(a.state, ParseApplicationState(r.Text(c++)));
  ASSIGN_OR_RETURN(a.register_version, r.Int(c++));
  text(a.hold_reason);
  RETURN_IF_ERROR(instant(a.submitted_at));
  RETURN_IF_ERROR(opt_instant(a.decided_at));
  text(a.decided_by);
  text(a.reject_reason);
  text(a.serial);
  text(a.common_name);
  RETURN_IF_ERROR(opt_instant(a.issued_at));
  RETURN_IF_ERROR(opt_instant(a.not_after));
  RETURN_IF_ERROR(opt_instant(a.download_deadline));
  text(a.download_password_hash);
  text(a.pkcs12_der);
  text(a.sealed_password);
  ASSIGN_OR_RETURN(int64_t failures, r.Int(c++));
  a.download_failures = static_cast<int>(failures);
  RETURN_IF_ERROR(opt_instant(a.download_locked_until));
  ASSIGN_OR_RETURN(a.download_count, r.Int(c++));
  RETURN_IF_ERROR(opt_instant(a.last_downloaded_at));
  RETURN_IF_ERROR(opt_instant(a.cancelled_at));
  RETURN_IF_ERROR(opt_instant(a.revoked_at));
  ASSIGN_OR_RETURN(std::optional<int64_t> reason, r.OptInt(c++));
  a.revocation_reason = static_cast<int>(reason.value_or(-1));
  text(a.revoked_by);
  text(a.claim_holder);
  RETURN_IF_ERROR(opt_instant(a.claim_until));
  return a;
}

// Binds CLAIMSCA_APPLICATION_COLUMNS, in order, through a parameter sink with
//   Text(std::string_view), Bytes(std::string_view) (binds NULL when empty), Int(int64_t),
//   OptInt(std::optional<int64_t>).
template <class Sink>
void BindApplication(Sink& s, const ApplicationRecord& a) {
  for (const std::string* f :
       {&a.request_id, &a.program, &a.channel, &a.account_id, &a.idempotency_key, &a.applicant_kind,
        &a.category, &a.prefecture, &a.score_table, &a.facility_code, &a.institution_code,
        &a.institution_name, &a.contact_name, &a.phone, &a.email, &a.terminal_name}) {
    s.Text(*f);
  }
  s.Text(ApplicationStateName(a.state));
  s.Int(a.register_version);
  s.Text(a.hold_reason);
  s.Int(ToUnix(a.submitted_at));
  s.OptInt(ToUnix(a.decided_at));
  s.Text(a.decided_by);
  s.Text(a.reject_reason);
  s.Text(a.serial);
  s.Text(a.common_name);
  s.OptInt(ToUnix(a.issued_at));
  s.OptInt(ToUnix(a.not_after));
  s.OptInt(ToUnix(a.download_deadline));
  s.Text(a.download_password_hash);
  s.Bytes(a.pkcs12_der);
  s.Bytes(a.sealed_password);
  s.Int(a.download_failures);
  s.OptInt(ToUnix(a.download_locked_until));
  s.Int(a.download_count);
  s.OptInt(ToUnix(a.last_downloaded_at));
  s.OptInt(ToUnix(a.cancelled_at));
  s.OptInt(ToUnix(a.revoked_at));
  s.OptInt(a.revocation_reason < 0 ? std::nullopt : std::optional<int64_t>(a.revocation_reason));
  s.Text(a.revoked_by);
  s.Text(a.claim_holder);
  s.OptInt(ToUnix(a.claim_until));
}

// Reads CLAIMSCA_FEE_CHARGE_COLUMNS (from column 0).
template <class Row>
Result<FeeCharge> ReadFeeCharge(const Row& r) {
  FeeCharge f;
  f.request_id = r.Text(0);
  f.institution_code = r.Text(1);
  f.program = r.Text(2);
  f.kind = r.Text(3);
  f.charge_date = r.Text(4);
  ASSIGN_OR_RETURN(f.issuance_fee_yen, r.Int(5));
  ASSIGN_OR_RETURN(f.mailing_fee_yen, r.Int(6));
  ASSIGN_OR_RETURN(f.total_yen, r.Int(7));
  ASSIGN_OR_RETURN(int64_t created, r.Int(8));
  f.created_at = FromUnix(created);
  f.serial = r.Text(9);
  return f;
}

template <class Sink>
void BindFeeCharge(Sink& s, const FeeCharge& f) {
  s.Text(f.request_id);
  s.Text(f.institution_code);
  s.Text(f.program);
  s.Text(f.kind);
  s.Text(f.charge_date);
  s.Int(f.issuance_fee_yen);
  s.Int(f.mailing_fee_yen);
  s.Int(f.total_yen);
  s.Int(ToUnix(f.created_at));
  s.Text(f.serial);
}

// Reads CLAIMSCA_APPLICATION_EDIT_COLUMNS (from column 0).
template <class Row>
Result<ApplicationEdit> ReadApplicationEdit(const Row& r) {
  ApplicationEdit e;
  e.request_id = r.Text(0);
  e.field = r.Text(1);
  e.before = r.Text(2);
  e.after = r.Text(3);
  e.edited_by = r.Text(4);
  ASSIGN_OR_RETURN(int64_t at, r.Int(5));
  e.at = FromUnix(at);
  return e;
}

template <class Sink>
void BindApplicationEdit(Sink& s, const ApplicationEdit& e) {
  s.Text(e.request_id);
  s.Text(e.field);
  s.Text(e.before);
  s.Text(e.after);
  s.Text(e.edited_by);
  s.Int(ToUnix(e.at));
}

// The filter of ListApplications as statement parameters, in this order:
//   before_seq (0 = none), state ("" = any), account_id, request_id, serial ("" = any),
//   only_held (0/1), institution codes as a JSON array text ("" = every institution),
//   limit + 1 (one more row than asked tells whether another page follows).
struct ListParams {
  int64_t before_seq = 0;
  std::string state;
  std::string account_id;
  std::string request_id;
  std::string serial;
  int64_t only_held = 0;
  std::string institution_codes_json;
  int64_t fetch = 0;
};
// InvalidArgument when the limit is outside 1..500 or before_seq is negative.
Result<ListParams> MakeListParams(const ApplicationFilter& f);
// Cuts the extra row off and sets the cursor.
ApplicationPage MakePage(std::vector<ApplicationRecord> rows, const ApplicationFilter& f);

// Orders the per-state counts (only states with rows, in enum order).
Result<std::vector<std::pair<ApplicationState, int64_t>>> MakeStateCounts(
    const std::vector<std::pair<std::string, int64_t>>& rows);

// A credit note cancelling the charges of one certificate (ApplicationTx::CreditFeeCharges).
struct FeeCredit {
  std::string request_id;
  std::string serial;
  std::string charge_date;        // JST date of the correction, "YYYY-MM-DD"
  std::string min_billing_month;  // the month after the correction's month, "YYYY-MM"
  Instant created_at{};
  std::string reason;
};

class ApplicationTx;

// The ledger entry of a charge: its billing month is its charge date's month + 2
// (domain::BillingMonth). InvalidArgument for a malformed charge date.
Status InsertCharge(ApplicationTx& tx, const FeeCharge& c);
// Cancels the charges of (request_id, serial) by credit notes dated `at` (JST).
Status CreditCharges(ApplicationTx& tx, std::string_view request_id, std::string_view serial,
                     Instant at, std::string reason);

// The statements one write transaction of an application operation needs. Each call runs
// inside the back end's open transaction; an error aborts the whole operation.
class ApplicationTx {
 public:
  virtual ~ApplicationTx() = default;
  // The row of `request_id`, locked until the end of the transaction; NotFound if absent.
  virtual Result<ApplicationRecord> Lock(std::string_view request_id) = 0;
  // The application with this idempotency key, if any (key non-empty).
  virtual Result<std::optional<ApplicationRecord>> FindByIdempotencyKey(std::string_view channel,
                                                                        std::string_view account_id,
                                                                        std::string_view key) = 0;
  // Inserts `a` (seq ignored) and returns its seq; nullopt (nothing inserted) when another
  // row holds the same non-empty (channel, account_id, idempotency_key). Conflict when the
  // request_id is taken.
  virtual Result<std::optional<int64_t>> Insert(const ApplicationRecord& a) = 0;
  // Stores every column of `a` (found by request_id), and `at` (the operation's time, the
  // writer's clock) as the row's changed_at (migration 097): the reminders job reads the
  // issued rows written since its last run (docs/notices-and-mail.md). nullopt keeps
  // changed_at: only for a write that changes nothing of an issued row (a claim released).
  virtual Status Update(const ApplicationRecord& a, std::optional<Instant> at) = 0;
  // A ledger entry for the charge `f`, billed in `billing_month` ("YYYY-MM").
  virtual Status InsertFeeCharge(const FeeCharge& f, std::string_view billing_month) = 0;
  virtual Status InsertEdit(const ApplicationEdit& e) = 0;
  // cmp_secrets: stores (replacing) / erases (no-op when absent) the sealed CMP secret.
  virtual Status PutCmpSecret(std::string_view request_id, std::string_view sealed,
                              Instant expires_at) = 0;
  virtual Status DeleteCmpSecret(std::string_view request_id) = 0;
  // fee_charges is an append-only ledger: cancels every charge of (request_id, serial) not
  // cancelled yet by a credit note (amounts negated, cancels_entry_id = the charge's entry,
  // `c`'s date, reason and time; billing month: the later of the charge's and
  // c.min_billing_month). No-op when there is none.
  virtual Status CreditFeeCharges(const FeeCredit& c) = 0;
  // renewal_pending: the row of `request_id` (nullopt when none); stores it (replacing);
  // erases it (no-op when absent).
  virtual Result<std::optional<PendingRenewal>> GetPendingRenewal(std::string_view request_id) = 0;
  virtual Status PutPendingRenewal(const PendingRenewal& p) = 0;
  virtual Status DeletePendingRenewal(std::string_view request_id) = 0;
  // recorded_certificates (migration 098, filled by the database when an application's
  // serial changes): whether `serial` was ever the certificate of `request_id`.
  virtual Result<bool> WasRecorded(std::string_view request_id, std::string_view serial) = 0;
  // CertificateWriter::Revoke inside this transaction: NotFound / FailedPrecondition /
  // Conflict exactly as Revoke, and the issuer's revocation_counter bumped.
  virtual Status RevokeCertificate(std::string_view serial, Instant at, int reason,
                                   std::optional<Instant> invalidity_date) = 0;
  virtual Status AppendAudit(const AuditEvent& e) = 0;
};

// The operations, run inside one transaction of the back end. Argument checks that need
// no data are done by the Validate* functions, before any transaction starts.
Status ValidateNewApplication(const ApplicationRecord& a);
Status ValidateClaim(std::string_view holder, std::chrono::seconds ttl);
Status ValidateIssuance(std::string_view holder, const IssuanceResult& r, const FeeCharge& c);
Status ValidateEdits(const std::vector<std::pair<std::string, std::string>>& changes);
Status ValidateDownloadFailure(int max_failures, std::chrono::seconds lock_for);
// Both "YYYY-MM-DD".
Status ValidateDateRange(std::string_view from_date, std::string_view to_date);

Result<ApplicationRecord> InsertApplicationIn(ApplicationTx& tx, const ApplicationRecord& a,
                                              const AuditEvent& audit, bool* created);
Status ClaimApplicationIn(ApplicationTx& tx, std::string_view request_id, std::string_view holder,
                          Instant now, std::chrono::seconds ttl);
Status ReleaseClaimIn(ApplicationTx& tx, std::string_view request_id, std::string_view holder);
Status RecordIssuedIn(ApplicationTx& tx, std::string_view request_id, std::string_view holder,
                      std::string_view decided_by, Instant at, const IssuanceResult& result,
                      const FeeCharge& charge, const AuditEvent& audit);
Status RevertRenewalIn(ApplicationTx& tx, std::string_view request_id,
                       std::string_view rejected_serial, const RenewalResult& restore, int reason,
                       const AuditEvent& audit);
Status RecordRenewedIn(ApplicationTx& tx, std::string_view request_id, const RenewalResult& result,
                       const FeeCharge& charge, const AuditEvent& audit);
// The application's current certificate becomes `r`'s (its download file erased), stored.
Status SetCurrentCertificate(ApplicationTx& tx, ApplicationRecord& a, const RenewalResult& r);
// `charge` recorded for the certificate `serial` of `a` (request, institution, program set).
Status InsertChargeFor(ApplicationTx& tx, const ApplicationRecord& a, const FeeCharge& charge,
                       std::string_view serial);
// RenewalStore (renewals.cc).
Status ReplaceUnconfirmedRenewalIn(ApplicationTx& tx, std::string_view request_id,
                                   std::string_view unconfirmed_serial, const RenewalResult& result,
                                   const FeeCharge& charge, const AuditEvent& audit);
Result<bool> ConfirmRenewalIn(ApplicationTx& tx, std::string_view request_id,
                              std::string_view serial, const AuditEvent& audit);
Result<bool> RevokeUnrecordedIn(ApplicationTx& tx, std::string_view request_id,
                                std::string_view serial, Instant at, const AuditEvent& audit);
Status RejectApplicationIn(ApplicationTx& tx, std::string_view request_id, std::string_view reason,
                           std::string_view by, Instant at, const AuditEvent& audit);
Status CancelApplicationIn(ApplicationTx& tx, std::string_view request_id, std::string_view by,
                           Instant at, const AuditEvent& audit);
Status RevokeApplicationIn(ApplicationTx& tx, std::string_view request_id, Instant at, int reason,
                           std::optional<Instant> invalidity_date, std::string_view by,
                           const AuditEvent& audit);
Result<std::vector<ApplicationEdit>> EditApplicationIn(
    ApplicationTx& tx, std::string_view request_id,
    const std::vector<std::pair<std::string, std::string>>& changes, std::string_view by,
    Instant at, const AuditEvent& audit);
Result<ApplicationRecord> RecordDownloadFailureIn(ApplicationTx& tx, std::string_view request_id,
                                                  Instant at, int max_failures,
                                                  std::chrono::seconds lock_for,
                                                  const AuditEvent& audit);
Status RecordDownloadSuccessIn(ApplicationTx& tx, std::string_view request_id, Instant at,
                               const AuditEvent& audit);
Result<std::string> TakeSealedPasswordIn(ApplicationTx& tx, std::string_view request_id,
                                         const AuditEvent& audit);

}  // namespace claimsca::store::internal
