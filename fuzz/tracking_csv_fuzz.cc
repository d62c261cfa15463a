// The shipping/tracking list import (src/notice/shipping.h: ParseTrackingCsv) on arbitrary
// text. Invariants: an accepted list has 14-digit request IDs, each once, a tracking number
// for every shipped notice, ISO dates; written back as CSV (English status names, ISO dates)
// it parses to the same updates.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "check.h"
#include "csv_roundtrip.h"
#include "notice/shipping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace store = claimsca::store;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto updates = claimsca::notice::ParseTrackingCsv(in);
  if (!updates.ok()) {
    FUZZ_CHECK(updates.status().code() == claimsca::Code::kInvalidArgument, "InvalidArgument");
    return 0;
  }
  std::string csv = std::string(claimsca::notice::kTrackingCsvHeader) + "\n";
  std::set<std::string> ids;
  for (const auto& u : *updates) {
    FUZZ_CHECK(u.request_id.size() == 14 && ids.insert(u.request_id).second, "request IDs once");
    FUZZ_CHECK(u.status != store::ShippingStatus::kShipped || !u.tracking_number.empty(),
               "a shipped notice has a tracking number");
    FUZZ_CHECK(u.status_on.size() == 10 && u.status_on[4] == '-' && u.status_on[7] == '-',
               "an ISO date");
    csv += CsvLine(
        {u.request_id, u.tracking_number, store::ShippingStatusName(u.status), u.status_on});
  }
  auto again = claimsca::notice::ParseTrackingCsv(csv);
  FUZZ_CHECK(again.ok() && again->size() == updates->size(), "the list written back parses");
  for (size_t i = 0; i < updates->size(); ++i) {
    const auto &a = (*again)[i], &b = (*updates)[i];
    FUZZ_CHECK(a.request_id == b.request_id && a.tracking_number == b.tracking_number &&
                   a.status == b.status && a.status_on == b.status_on,
               "tracking list round trip");
  }
  return 0;
}
