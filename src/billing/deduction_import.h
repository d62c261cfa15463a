#pragma once

// `claimsca billing import-deduction-result FILE` (docs/billing.md, section "run"): the
// payment system's result file applied all or nothing, once.

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::billing {

struct DeductionImportReport {
  std::string month;  // the file's billing month, "YYYY-MM"
  int lines = 0;      // data lines of the file
  int deducted = 0;   // results recorded now
  int not_deducted = 0;
  int already_recorded = 0;       // lines whose same result an earlier file recorded
  bool already_imported = false;  // this very file (same SHA-256) was imported before
};

// Parses `file` (ParseDeductionResult) and checks every line against the bills of its
// month: the bill exists, is a deduction bill of that institution and month, and the amount
// is the bill's. In one transaction it records the import, each result and the audit event
// "billing.deduction_result.import". A bad line refuses the whole file
// (InvalidArgument "line N, field F: …"), as does a line contradicting a result recorded
// before (Conflict); nothing is written then. The same file again, or a file repeating
// recorded results, changes nothing. FailedPrecondition when the month's run is not done.
Result<DeductionImportReport> ImportDeductionResult(store::Store& store, std::string_view file,
                                                    const std::string& actor, Instant now);

}  // namespace claimsca::billing
