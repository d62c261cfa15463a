// RenewalStore's rules (renewal_store.h), written once over ApplicationTx for both back
// ends, like applications.cc.

#include <string>

#include "store/applications_internal.h"

namespace claimsca::store::internal {
namespace {

constexpr int kReasonSuperseded = 4;

std::string What(std::string_view op, std::string_view request_id) {
  return std::string(op) + ": application " + std::string(request_id);
}

}  // namespace

Status ReplaceUnconfirmedRenewalIn(ApplicationTx& tx, std::string_view request_id,
                                   std::string_view unconfirmed_serial, const RenewalResult& result,
                                   const FeeCharge& charge, const AuditEvent& audit) {
  const std::string op = What("replace unconfirmed renewal", request_id);
  if (result.serial.empty() || result.previous_serial.empty() || unconfirmed_serial.empty() ||
      result.serial == result.previous_serial || result.serial == unconfirmed_serial) {
    return InvalidArgument(op + ": serials must be set and differ");
  }
  if (charge.kind.empty() || (!charge.request_id.empty() && charge.request_id != request_id)) {
    return InvalidArgument(op + ": a fee charge of this application is required");
  }
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  if (a.state != ApplicationState::kIssued) {
    return FailedPrecondition(op + " is " + std::string(ApplicationStateName(a.state)) +
                              ", not issued");
  }
  ASSIGN_OR_RETURN(std::optional<PendingRenewal> p, tx.GetPendingRenewal(request_id));
  if (a.serial != unconfirmed_serial || !p.has_value() || p->serial != unconfirmed_serial ||
      p->previous_serial != result.previous_serial) {
    return Conflict(
        op + ": the current certificate is " + a.serial +
        (p.has_value() ? ", renewed from " + p->previous_serial + " unconfirmed" : ", confirmed"));
  }
  RETURN_IF_ERROR(
      tx.RevokeCertificate(unconfirmed_serial, result.issued_at, kReasonSuperseded, std::nullopt));
  RETURN_IF_ERROR(SetCurrentCertificate(tx, a, result));
  RETURN_IF_ERROR(CreditCharges(tx, a.request_id, unconfirmed_serial, audit.at,
                                "renewal retried: unconfirmed certificate " +
                                    std::string(unconfirmed_serial) + " replaced by " +
                                    result.serial));
  RETURN_IF_ERROR(InsertChargeFor(tx, a, charge, result.serial));
  RETURN_IF_ERROR(tx.PutPendingRenewal(
      {a.request_id, result.previous_serial, result.serial, result.issued_at}));
  return tx.AppendAudit(audit);
}

Result<bool> ConfirmRenewalIn(ApplicationTx& tx, std::string_view request_id,
                              std::string_view serial, const AuditEvent& audit) {
  // The row lock orders this against a concurrent ReplaceUnconfirmedRenewalIn.
  RETURN_IF_ERROR(tx.Lock(request_id).status());
  ASSIGN_OR_RETURN(std::optional<PendingRenewal> p, tx.GetPendingRenewal(request_id));
  if (!p.has_value() || p->serial != serial) return false;
  RETURN_IF_ERROR(tx.DeletePendingRenewal(request_id));
  RETURN_IF_ERROR(tx.AppendAudit(audit));
  return true;
}

Result<bool> RevokeUnrecordedIn(ApplicationTx& tx, std::string_view request_id,
                                std::string_view serial, Instant at, const AuditEvent& audit) {
  // The row lock orders this after a write of the same application still committing. A
  // certificate the application ever held was recorded, whatever happened to it since: by
  // the time this runs (late, after a failover) the holder may have renewed past it.
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  if (a.serial == serial) return false;
  ASSIGN_OR_RETURN(bool recorded, tx.WasRecorded(request_id, serial));
  if (recorded) return false;
  Status s = tx.RevokeCertificate(serial, at, kReasonSuperseded, std::nullopt);
  if (s.code() == Code::kConflict) return false;  // already revoked
  RETURN_IF_ERROR(s);
  RETURN_IF_ERROR(tx.AppendAudit(audit));
  return true;
}

}  // namespace claimsca::store::internal
