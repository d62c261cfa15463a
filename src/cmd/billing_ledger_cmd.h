#pragma once

// `claimsca billing methods set|import` and `claimsca billing ledger` (docs/billing.md,
// section "ledger"). Each returns the process exit code.

#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

int RunBillingMethodsSet(App& app, const std::string& code, const std::string& method,
                         const std::string& by);
int RunBillingMethodsImport(App& app, const std::string& file, const std::string& by);
// One line per entry, tab-separated, oldest first; "" = any month / institution.
int RunBillingLedger(App& app, const std::string& month, const std::string& institution);

}  // namespace claimsca::cmd
