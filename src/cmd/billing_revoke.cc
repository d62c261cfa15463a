#include "cmd/billing_revoke.h"

#include "common/time_util.h"

namespace claimsca::cmd {
namespace {

using billing::NonPaymentCase;
using billing::RevocationOutcome;

// The application of a bill item's request ID (or, for a serial, its certificate's).
Result<store::ApplicationRecord> ApplicationOf(store::Store& store, const std::string& ref) {
  auto a = store.GetApplication(ref);
  if (a.ok() || a.status().code() != Code::kNotFound) return a;
  auto cert = store.GetCertificate(ref);
  if (!cert.ok()) return NotFound("no application or certificate " + ref);
  if (cert->request_id.empty()) return NotFound("certificate " + ref + " has no application");
  return store.GetApplication(cert->request_id);
}

RevocationOutcome RevokeOne(App& app, const ra::Caller& caller, const NonPaymentCase& c,
                            const std::string& ref) {
  auto a = ApplicationOf(*app.store, ref);
  if (!a.ok()) return {ref, "failed", a.status().ToString()};
  if (a->state == store::ApplicationState::kRevoked) return {a->request_id, "already_revoked", ""};
  Status st =
      app.ra->RevokeForNonPayment(caller, a->request_id, c.invoice.number, c.invoice.due_date);
  if (!st.ok()) return {a->request_id, "failed", st.ToString()};
  return {a->request_id, "revoked", a->serial};
}

}  // namespace

Result<std::vector<RevocationOutcome>> RevokeUnpaidInvoice(App& app, const std::string& number,
                                                           const ra::Caller& caller) {
  const int grace = app.config.billing_grace_days;
  const Instant now = app.clock->Now();
  ASSIGN_OR_RETURN(NonPaymentCase c,
                   billing::NonPaymentOf(*app.store, number, JstDate(now), grace));
  ASSIGN_OR_RETURN(int64_t id,
                   billing::ConfirmNonPayment(*app.store, c, grace, now, caller.Actor()));
  std::vector<RevocationOutcome> outcomes;
  for (const std::string& ref : c.request_ids) outcomes.push_back(RevokeOne(app, caller, c, ref));
  RETURN_IF_ERROR(billing::RecordNonPaymentRevocations(*app.store, id, c.invoice.number, outcomes,
                                                       app.clock->Now(), caller.Actor()));
  return outcomes;
}

}  // namespace claimsca::cmd
