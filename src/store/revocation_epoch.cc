#include "store/revocation_epoch.h"

#include "store/module_sql.h"

namespace claimsca::store {
namespace {

constexpr char kSelectEpoch[] = "SELECT COALESCE(SUM(revocation_counter), 0) FROM crl_state";

}  // namespace

Result<int64_t> ReadRevocationEpoch(Store& store) {
  int64_t epoch = 0;
  RETURN_IF_ERROR(RunRead(store, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(kSelectEpoch));
    if (!row) return Status::Ok();
    ASSIGN_OR_RETURN(epoch, row->Int(0));
    return Status::Ok();
  }));
  return epoch;
}

}  // namespace claimsca::store
