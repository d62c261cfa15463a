#pragma once

// What the operator console shows and does about the notices (docs/notices-and-mail.md
// "From the console"): the printed batches with their counts by shipping status, and the
// tracking list import used by both `claimsca notices import-tracking` and the console.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::notice {

struct BatchSummary {
  int64_t batch_id = 0;
  std::string printed_on;   // YYYY-MM-DD (JST)
  std::string dispatch_on;  // YYYY-MM-DD (JST)
  std::string pdf_file;     // file names in the notices directory
  std::string csv_file;
  std::string created_by;
  Instant created_at{};
  int64_t pages = 0;
  // Pages by shipping status (store::ShippingStatus), in enum order.
  int64_t printed = 0, shipped = 0, delivered = 0, undeliverable = 0;
};

// The newest `limit` (1..500) batches, newest first.
Result<std::vector<BatchSummary>> RecentBatches(store::Store& store, int limit);

// A tracking list file (ParseTrackingCsv) applied in one transaction (ImportTracking), or
// nothing at all: the parser's errors (InvalidArgument, "line N, <field>: <why>"), or the
// store's (an unknown or unprinted request ID). Returns the number of rows applied.
Result<size_t> ImportTrackingFile(store::Store& store, std::string_view text,
                                  std::string_view actor, Instant now);

}  // namespace claimsca::notice
