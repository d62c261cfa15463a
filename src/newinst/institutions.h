#pragma once

// The rows of newinst_institutions (migration 074): one per 仮コード, through
// store/module_sql.h on either back end (docs/newinst.md). Issue allocates the next serial
// of a prefecture + 点数表; Present records the bureau's 受付番号. The swap (niswap) and the
// withdrawal (nicerts) write their own SQL in their own transactions; they read rows here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "newinst/types.h"

namespace claimsca::store {
class Store;
class SqlTx;
}  // namespace claimsca::store

namespace claimsca::newinst {

struct Institution {
  std::string provisional_code;  // 10 digits (domain::ProvisionalInstitutionCodeOk)
  std::string prefecture;        // "01"–"47"
  std::string score_table;       // "1", "3", "4", "6", "7"
  std::string category;          // 分類 (domain::FindCategory)
  std::string name;
  std::string postal_code;  // 7 digits
  std::string address;
  std::string billing_method;  // "deduction" | "invoice"
  std::string email;           // for the deadline reminders; may be empty
  std::string opening_month;   // 診療開始月 "YYYY-MM"
  State state = State::kProvisional;
  std::optional<std::string> reception_number;  // 受付番号, once presented
  std::optional<Instant> presented_at;
  bool presented_late = false;           // presented after the presentation deadline
  std::optional<std::string> real_code;  // set by the swap
  std::optional<Instant> designated_at;
  std::optional<Instant> withdrawn_at;
  std::optional<std::string> withdrawn_by;
  Instant created_at{};
  std::string created_by;
};

// What the operator enters to issue a 仮コード.
struct NewInstitution {
  std::string prefecture;
  std::string score_table;
  std::string category;
  std::string name;
  std::string postal_code;  // "1000001" or "100-0001"
  std::string address;
  std::string opening_month;  // "YYYY-MM", not before the month of `now` (JST)
  std::string billing_method = "deduction";
  std::string email;
};

class InstitutionStore {
 public:
  explicit InstitutionStore(store::Store& store) : store_(store) {}

  // Validates `in` (InvalidArgument naming the field, in Japanese where people see it),
  // allocates the next serial of its prefecture + 点数表 (serialised by a lock in the
  // transaction; the primary key backs it), inserts the row and audits "newinst.issue".
  // FailedPrecondition when the 9,999 serials of the pair are used up.
  Result<Institution> Issue(const NewInstitution& in, std::string_view by, Instant now);

  // NotFound when no row has that code.
  Result<Institution> FindByProvisional(std::string_view provisional_code);
  Result<Institution> FindByReception(std::string_view reception_number);
  Result<Institution> FindByRealCode(std::string_view real_code);
  // A provisional code, a 受付番号 or a real code.
  Result<Institution> FindByAnyCode(std::string_view code);
  // All rows (state == nullopt) or those in one state, by opening month then code.
  Result<std::vector<Institution>> List(std::optional<State> state = std::nullopt);

  // Records the bureau's 受付番号 for an open 仮コード (audited "newinst.present" by `by`)
  // and adds it to the institution codes of every account that holds the 仮コード, so
  // applications can be made on it. The number must be a valid 医療機関等コード
  // (domain::InstitutionCodeOk) of the same prefecture and 点数表, not in the register and
  // not used by another row. presented_late is set when JstDate(now) is after the
  // presentation deadline (DeadlinesFor): accepted with a warning. Presenting the same
  // number again is a no-op returning the row; a different number on a presented row is
  // FailedPrecondition, as is a designated or withdrawn row.
  Result<Institution> Present(std::string_view provisional_code, std::string_view reception_number,
                              std::string_view by, Instant now);

  // For the other parts' transactions: the row of `code` (its 仮コード, 受付番号 or real
  // code) read in `tx`, or nullopt.
  static Result<std::optional<Institution>> FindIn(store::SqlTx& tx, std::string_view code);

 private:
  Result<Institution> FindOne(const char* sql, std::string_view code, std::string_view what);

  store::Store& store_;
};

}  // namespace claimsca::newinst
