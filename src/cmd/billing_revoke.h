#pragma once

// Revocation for non-payment, confirmed (docs/billing.md "payments"): shared by the CLI's
// `billing revoke-unpaid --confirm` (billing_payments.cc) and the console's confirmed
// revocation (billing_web.cc).

#include <string>
#include <vector>

#include "billing/payment_store.h"
#include "cmd/app.h"

namespace claimsca::cmd {

// Confirms the non-payment of invoice `number` (unpaid past its due date + billing.grace_days
// at the app's clock; NonPaymentOf's errors otherwise) as `caller`, then revokes each
// certificate on it through RegistrationAuthority::RevokeForNonPayment and records the
// outcomes, all audited as `caller`.
Result<std::vector<billing::RevocationOutcome>> RevokeUnpaidInvoice(App& app,
                                                                    const std::string& number,
                                                                    const ra::Caller& caller);

}  // namespace claimsca::cmd
