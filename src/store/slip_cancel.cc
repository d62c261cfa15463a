// SlipStore::CancelBeforeNotice, written once for both back ends (slip_store.h).

#include <string>

#include "store/applications_internal.h"
#include "store/slip_cancel_internal.h"
#include "store/slip_store.h"

namespace claimsca::store::internal {

Status CancelBeforeNoticeIn(ApplicationTx& tx, std::string_view request_id, std::string_view by,
                            Instant at, int reason, const AuditEvent& audit) {
  if (by.empty()) return InvalidArgument("cancel before notice: by is required");
  ASSIGN_OR_RETURN(ApplicationRecord a, tx.Lock(request_id));
  if (a.state != ApplicationState::kIssued) {
    return FailedPrecondition("cancel before notice: application " + a.request_id + " is " +
                              std::string(ApplicationStateName(a.state)) + ", not issued");
  }
  // Step 1: the notice must not have been taken (its password printed) nor the certificate
  // fetched: after that the certificate may be in use and only revocation is right.
  if (a.sealed_password.empty() || a.download_count > 0 || a.last_downloaded_at.has_value()) {
    return FailedPrecondition(std::string(kNoticeTaken));
  }
  // Step 2: the certificate nobody could have used is revoked.
  RETURN_IF_ERROR(tx.RevokeCertificate(a.serial, at, reason, std::nullopt));
  // Step 3: the application is cancelled and its secrets are gone.
  const std::string serial = a.serial;
  a.state = ApplicationState::kCancelled;
  a.cancelled_at = at;
  a.sealed_password.clear();
  a.pkcs12_der.clear();
  a.download_password_hash.clear();
  // The table keeps issuance data on issued and revoked rows only (008_applications): the
  // revoked certificate stays linked by certificates.request_id, the ledger by its serial,
  // and the audit row names it.
  a.serial.clear();
  a.common_name.clear();
  a.issued_at.reset();
  a.not_after.reset();
  a.download_deadline.reset();
  a.decided_at.reset();
  RETURN_IF_ERROR(tx.Update(a, at));
  RETURN_IF_ERROR(tx.DeleteCmpSecret(a.request_id));
  // Step 4: the fee is cancelled by credit notes (never by editing the charge).
  RETURN_IF_ERROR(CreditCharges(tx, a.request_id, serial, at,
                                "cancelled by the applicant before the notice was printed"));
  return tx.AppendAudit(audit);
}

}  // namespace claimsca::store::internal
