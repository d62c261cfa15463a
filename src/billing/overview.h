#pragma once

// What the console's billing page lists besides the payments part's queue and unpaid
// invoices (docs/billing.md, section "web"): the recent runs with the files they produced,
// and the files imported (deduction results, payment files) with their SHA-256. Read-only,
// one store::RunRead each, over the run's and the payments part's tables.

#include <cstdint>
#include <string>
#include <vector>

#include "billing/run_store.h"
#include "common/status.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::billing {

// The `limit` latest run months, newest first.
Result<std::vector<RunRecord>> RecentRuns(store::Store& store, int limit);

struct ImportedFile {
  std::string kind;    // "deduction_result" | "payments"
  std::string sha256;  // of the file's bytes
  std::string name;  // the run month ("YYYY-MM") of a result file, the file name of a payment file
  int64_t records = 0;      // data lines / transfers
  int64_t imported_at = 0;  // Unix seconds
  std::string imported_by;
};

// The `limit` latest imports of each kind, newest first (result files, then payment files).
Result<std::vector<ImportedFile>> RecentImports(store::Store& store, int limit);

}  // namespace claimsca::billing
