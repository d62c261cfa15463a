#pragma once

// Shared by the subsidy pages (subsidy_portal.cc, subsidy_console.cc): the receipts form
// (rows r1_… to r5_…), an application and a calculation as template data, errors as text.
// Internal to claimsca_portal.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "portal/util.h"
#include "subsidy/store.h"

namespace claimsca::portal {

inline constexpr int kSubsidyReceiptRows = 5;

// The rows of the form with their values (kind options, purchase_date, amount, vendor).
nlohmann::json SubsidyReceiptRows(const FormData& f);
// The filled rows as receipts (a row without amount and vendor is skipped); InvalidArgument
// naming the row and the field.
Result<std::vector<subsidy::Receipt>> SubsidyReceiptsFromForm(const FormData& f);
// The calculation shown before submitting.
nlohmann::json SubsidyCalculationJson(const subsidy::Calculation& c);
// An application with its receipts, state (申請中 / 承認 / 却下 / 支払済み) and amounts.
nlohmann::json SubsidyApplicationJson(const subsidy::Application& a);
// "31,000円".
std::string SubsidyYen(int64_t yen);

}  // namespace claimsca::portal
