#include "billing/overview.h"

#include "billing/month.h"
#include "store/module_sql.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;

constexpr char kRunMonths[] = "SELECT month FROM billing_runs ORDER BY month DESC LIMIT $1";

constexpr char kDeductionImports[] =
    "SELECT file_sha256, run_month, lines, imported_at, imported_by FROM deduction_imports "
    "ORDER BY id DESC LIMIT $1";

constexpr char kPaymentFiles[] =
    "SELECT sha256, file_name, transfers, imported_at, imported_by FROM payment_files "
    "ORDER BY id DESC LIMIT $1";

Status Imports(SqlTx& tx, const char* sql, const char* kind, int limit,
               std::vector<ImportedFile>* out) {
  return tx.QueryEach(sql, {limit}, [&](const SqlRow& row) -> Status {
    ImportedFile f;
    f.kind = kind;
    ASSIGN_OR_RETURN(f.sha256, row.Text(0));
    ASSIGN_OR_RETURN(f.name, row.Text(1));
    ASSIGN_OR_RETURN(f.records, row.Int(2));
    ASSIGN_OR_RETURN(f.imported_at, row.Int(3));
    ASSIGN_OR_RETURN(f.imported_by, row.Text(4));
    out->push_back(std::move(f));
    return Status::Ok();
  });
}

}  // namespace

Result<std::vector<RunRecord>> RecentRuns(store::Store& store, int limit) {
  std::vector<RunRecord> out;
  Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    out.clear();
    ASSIGN_OR_RETURN(std::vector<SqlRow> months, tx.Query(kRunMonths, {limit}));
    for (const SqlRow& row : months) {
      ASSIGN_OR_RETURN(std::string m, row.Text(0));
      ASSIGN_OR_RETURN(YearMonth month, ParseMonth(m));
      ASSIGN_OR_RETURN(std::optional<RunRecord> run, LoadRun(tx, month));
      if (run) out.push_back(std::move(*run));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<ImportedFile>> RecentImports(store::Store& store, int limit) {
  std::vector<ImportedFile> out;
  Status st = store::RunRead(store, [&](SqlTx& tx) -> Status {
    out.clear();
    RETURN_IF_ERROR(Imports(tx, kDeductionImports, "deduction_result", limit, &out));
    return Imports(tx, kPaymentFiles, "payments", limit, &out);
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace claimsca::billing
