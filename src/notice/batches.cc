#include "notice/batches.h"

#include "notice/shipping.h"
#include "store/module_sql.h"

namespace claimsca::notice {
namespace {

constexpr char kRecentBatches[] =
    "SELECT b.batch_id, b.printed_on, b.dispatch_on, b.pdf_file, b.csv_file, b.created_by, "
    "b.created_at, b.pages, "
    "(SELECT COUNT(*) FROM notice_items i WHERE i.batch_id = b.batch_id AND "
    "i.shipping_status = 'printed'), "
    "(SELECT COUNT(*) FROM notice_items i WHERE i.batch_id = b.batch_id AND "
    "i.shipping_status = 'shipped'), "
    "(SELECT COUNT(*) FROM notice_items i WHERE i.batch_id = b.batch_id AND "
    "i.shipping_status = 'delivered'), "
    "(SELECT COUNT(*) FROM notice_items i WHERE i.batch_id = b.batch_id AND "
    "i.shipping_status = 'undeliverable') "
    "FROM notice_batches b ORDER BY b.batch_id DESC LIMIT $1";

}  // namespace

Result<std::vector<BatchSummary>> RecentBatches(store::Store& store, int limit) {
  if (limit < 1 || limit > 500) return InvalidArgument("limit must be 1..500");
  std::vector<BatchSummary> out;
  Status st = store::RunRead(store, [&](store::SqlTx& tx) -> Status {
    out.clear();
    ASSIGN_OR_RETURN(std::vector<store::SqlRow> rows, tx.Query(kRecentBatches, {limit}));
    for (const store::SqlRow& r : rows) {
      BatchSummary b;
      ASSIGN_OR_RETURN(b.batch_id, r.Int(0));
      ASSIGN_OR_RETURN(b.printed_on, r.Text(1));
      ASSIGN_OR_RETURN(b.dispatch_on, r.Text(2));
      ASSIGN_OR_RETURN(b.pdf_file, r.Text(3));
      ASSIGN_OR_RETURN(b.csv_file, r.Text(4));
      ASSIGN_OR_RETURN(b.created_by, r.Text(5));
      ASSIGN_OR_RETURN(int64_t at, r.Int(6));
      b.created_at = Instant(std::chrono::seconds(at));
      ASSIGN_OR_RETURN(b.pages, r.Int(7));
      ASSIGN_OR_RETURN(b.printed, r.Int(8));
      ASSIGN_OR_RETURN(b.shipped, r.Int(9));
      ASSIGN_OR_RETURN(b.delivered, r.Int(10));
      ASSIGN_OR_RETURN(b.undeliverable, r.Int(11));
      out.push_back(std::move(b));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<size_t> ImportTrackingFile(store::Store& store, std::string_view text,
                                  std::string_view actor, Instant now) {
  ASSIGN_OR_RETURN(std::vector<store::ShippingUpdate> updates, ParseTrackingCsv(text));
  RETURN_IF_ERROR(ImportTracking(store, updates, actor, now));
  return updates.size();
}

}  // namespace claimsca::notice
