#pragma once

// Billing months as text: "YYYY-MM" (the shared contract of docs/billing.md). Pure.

#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/billing.h"

namespace claimsca::billing {

using domain::YearMonth;

// "2026-12".
std::string FormatMonth(YearMonth m);
// Parses exactly "YYYY-MM" (4 digits, '-', month 01..12); InvalidArgument otherwise, the
// message quoting the text.
Result<YearMonth> ParseMonth(std::string_view text);
// The billing month of a charge dated `charge_date` ("YYYY-MM-DD"): issuance month + 2
// (domain::BillingMonth). InvalidArgument for a malformed date.
Result<std::string> BillingMonthOfDate(std::string_view charge_date);

}  // namespace claimsca::billing
