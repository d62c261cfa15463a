#pragma once

// What the subsidy pages call (docs/qualcheck.md "Subsidy", docs/portal.md): the clinic's
// /portal/subsidy (receipts, the amount computed before submitting, the state) and the
// console's /console/subsidy (review list and detail, keyed paper forms, the payment file).
// Each function is wired in cmd (cmd/subsidy_web.cc) to the subsidy module; the pages
// check the permissions (auth::Allows: subsidy_apply, subsidy_review, subsidy_pay).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "subsidy/payment_file.h"
#include "subsidy/store.h"

namespace claimsca::portal {

struct SubsidyPages {
  // The amounts the receipts would get today (the schedule's entry in force).
  std::function<Result<subsidy::Calculation>(const std::vector<subsidy::Receipt>&)> preview;
  // Apply (the wiring fills the institution's name from the register).
  std::function<Result<subsidy::Application>(subsidy::ApplyRequest)> apply;
  std::function<Result<std::vector<subsidy::Application>>(std::optional<subsidy::State>,
                                                          std::optional<std::string>)>
      list;
  std::function<Result<subsidy::Application>(const std::string& id)> get;
  std::function<Result<subsidy::Application>(const std::string& id, const std::string& actor)>
      approve;
  std::function<Result<subsidy::Application>(const std::string& id, const std::string& reason,
                                             const std::string& actor)>
      reject;
  // Makes (or returns the stored) payment file of "YYYY-MM-DD"; the stored one; records
  // the payment of the stored file of that date (count marked).
  std::function<Result<subsidy::PaymentFile>(const std::string& date, const std::string& actor)>
      payment_file;
  std::function<Result<subsidy::PaymentFile>(const std::string& date)> stored_payment_file;
  std::function<Result<int64_t>(const std::string& date, const std::string& actor)> mark_paid;
};

}  // namespace claimsca::portal
