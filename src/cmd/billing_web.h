#pragma once

// The portal's billing pages wired to the billing module and the RA (docs/portal.md,
// docs/billing.md section "web"): the institution's statement and invoice PDFs, the
// console's overview, and the operator's actions, each done by the billing part that owns
// it (the run, the deduction result import, the payment import, the confirmed revocation
// for non-payment).

#include "cmd/app.h"
#include "portal/billing_pages.h"

namespace claimsca::cmd {

// `app` must outlive the returned functions.
portal::BillingPages MakeBillingPages(App& app);

}  // namespace claimsca::cmd
