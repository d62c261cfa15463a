#include "qualcheck/tracking.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "notice/shipping.h"
#include "store/module_sql.h"
#include "store/notices_internal.h"

namespace claimsca::qualcheck {
namespace {

constexpr char kShipping[] =
    "SELECT shipping_status, tracking_number FROM qc_applications "
    "WHERE id = $1 AND state = 'approved' AND letters_batch IS NOT NULL";
constexpr char kUpdate[] =
    "UPDATE qc_applications SET shipping_status = $2, tracking_number = $3, "
    "shipping_status_on = $4 WHERE id = $1";

}  // namespace

bool IsApplicationId(std::string_view s) {
  return s.size() == 12 && s.starts_with("QC") &&
         std::all_of(s.begin() + 2, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::vector<store::ShippingUpdate>> ParseLetterTracking(std::string_view text) {
  return notice::ParseTrackingCsv(text, IsApplicationId,
                                  "not an application ID (QC and 10 digits)");
}

Result<int64_t> ImportLetterTracking(store::Store& store,
                                     const std::vector<store::ShippingUpdate>& updates,
                                     std::string_view actor, Instant at) {
  int64_t changed = 0;
  const Status st = store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    changed = 0;
    for (const store::ShippingUpdate& u : updates) {
      ASSIGN_OR_RETURN(auto row, tx.QueryFirst(kShipping, {u.request_id}));
      if (!row) {
        return NotFound("line " + std::to_string(u.line) + ": " + u.request_id +
                        ": no approved application whose letters were printed");
      }
      store::ShippingInfo current;
      current.request_id = u.request_id;
      ASSIGN_OR_RETURN(auto status, row->OptText(0));
      if (status) {
        ASSIGN_OR_RETURN(current.status, store::ParseShippingStatus(*status));
      }
      ASSIGN_OR_RETURN(auto number, row->OptText(1));
      current.tracking_number = number.value_or("");
      ASSIGN_OR_RETURN(const bool moves, store::internal::CheckShippingMove(current, u));
      if (!moves) continue;
      const std::string& n =
          u.tracking_number.empty() ? current.tracking_number : u.tracking_number;
      RETURN_IF_ERROR(tx.Exec(kUpdate, {u.request_id, std::string(ShippingStatusName(u.status)), n,
                                        u.status_on})
                          .status());
      ++changed;
    }
    const nlohmann::json d = {{"rows", updates.size()}, {"changed", changed}};
    return tx.AppendAudit(
        store::AuditEvent{at, std::string(actor), "qualcheck.shipping", "tracking-list", d.dump()});
  });
  if (!st.ok()) return st;
  return changed;
}

}  // namespace claimsca::qualcheck
