#pragma once

// The subsidy pages wired to the subsidy module (docs/qualcheck.md "Subsidy"): the clinic's
// /portal/subsidy and the console's /console/subsidy… (portal/subsidy_pages.h).

#include "cmd/app.h"
#include "portal/subsidy_pages.h"
#include "subsidy/store.h"

namespace claimsca::cmd {

// `app` and `subsidies` must outlive the returned functions.
portal::SubsidyPages MakeSubsidyPages(App& app, subsidy::SubsidyStore& subsidies);

}  // namespace claimsca::cmd
