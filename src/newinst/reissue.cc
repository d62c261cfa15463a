// CodeSwaps (reissue.h) over the newinst table.

#include "newinst/reissue.h"

#include "store/module_sql.h"

namespace claimsca::newinst {
namespace {

constexpr char kReplaced[] =
    "SELECT 1 FROM newinst_institutions WHERE state = 'designated' AND real_code = $1 AND "
    "(provisional_code = $2 OR reception_number = $2)";

}  // namespace

Result<bool> CodeSwaps::Replaced(std::string_view old_code, std::string_view new_code) {
  bool found = false;
  RETURN_IF_ERROR(store::RunRead(store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> row,
                     tx.QueryFirst(kReplaced, {new_code, old_code}));
    found = row.has_value();
    return Status::Ok();
  }));
  return found;
}

}  // namespace claimsca::newinst
