#pragma once

// `claimsca billing report --month YYYY-MM [--out FILE]`: the monthly accounting report
// (docs/billing.md, section "report") as CSV, UTF-8 with BOM and CRLF, on stdout or into
// FILE (written whole and atomically).

#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

// Exit code of the command (0, or ExitWithError's).
int RunBillingReportCommand(App& app, const std::string& month, const std::string& out);

}  // namespace claimsca::cmd
