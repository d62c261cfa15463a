// Revocation for non-payment (docs/billing.md, "payments"): the billing module decides
// which applications (the certificates on an unpaid invoice, after the operator's
// confirmation); the RA revokes each through the usual path — the application and its
// certificate revoked in one transaction with the audit row and the applicant's e-mail —
// with a reason and a mail that say why.

#include "common/iso_date.h"
#include "common/time_util.h"
#include "ra/ra_internal.h"
#include "ra/registration_authority.h"

namespace claimsca::ra {

Status RegistrationAuthority::RevokeForNonPayment(const Caller& caller, std::string_view request_id,
                                                  std::string_view invoice_number, Date due_date) {
  RETURN_IF_ERROR(Require(caller, auth::Permission::kRevoke, auth::kEveryInstitution));
  ASSIGN_OR_RETURN(store::ApplicationRecord a, store_.GetApplication(request_id));
  if (a.state != store::ApplicationState::kIssued) {
    return FailedPrecondition("application " + a.request_id + " is " +
                              std::string(store::ApplicationStateName(a.state)) + ", not issued");
  }
  const Instant now = clock_.Now();
  const int reason = store::kReasonCessationOfOperation;
  store::AuditEvent ev{now, caller.Actor(), "application.revoke", a.request_id,
                       internal::Dump({{"serial", a.serial},
                                       {"reason", reason},
                                       {"cause", "unpaid"},
                                       {"invoice", std::string(invoice_number)},
                                       {"due_date", IsoDate(due_date)}})};
  RETURN_IF_ERROR(AttachMail(ev, "revoked_unpaid", a,
                             {{"revoked_at", FormatJstMinute(now)},
                              {"invoice_number", std::string(invoice_number)},
                              {"due_date", FormatDateJa(due_date)}}));
  return Logged(
      ev, store_.RevokeApplication(a.request_id, now, reason, std::nullopt, caller.Actor(), ev));
}

}  // namespace claimsca::ra
