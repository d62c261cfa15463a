#pragma once

// The fees (kjfees, docs/kokuhoren.md "Fees") wired into the 国保連 applications and pages:
// the charge inside Apply's transaction, 発行手数料残高 from the ledger, and the operator's
// payment confirmation (the ledger's payment, then the application leaves
// awaiting_payment). Used by cmd/kokuhoren_web.cc; `app` must outlive what is returned.

#include "cmd/app.h"
#include "kokuhoren/applications.h"
#include "portal/kokuhoren_pages.h"

namespace claimsca::cmd {

// ApplicationOptions::on_apply: the fee under the app's tariff, invoices due per
// [billing] due_days.
kokuhoren::ApplyHook FeeChargeHook(const App& app);

// Sets pages.balance and pages.confirm_payment. `applications` must outlive `pages`.
void WireFeePages(App& app, kokuhoren::Applications& applications, portal::KokuhorenPages& pages);

}  // namespace claimsca::cmd
