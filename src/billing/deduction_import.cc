#include "billing/deduction_import.h"

#include <nlohmann/json.hpp>

#include "billing/deduction_file.h"
#include "billing/month.h"
#include "billing/run_store.h"
#include "crypto/ossl.h"
#include "store/module_sql.h"

namespace claimsca::billing {
namespace {

using store::SqlRow;
using store::SqlTx;

constexpr char kImportBySha[] = "SELECT id FROM deduction_imports WHERE file_sha256 = $1";
constexpr char kBill[] =
    "SELECT institution_code, run_month, method, amount_yen FROM bills WHERE number = $1";
constexpr char kResult[] =
    "SELECT outcome, amount_yen FROM deduction_results WHERE bill_number = $1";
constexpr char kInsertImport[] =
    "INSERT INTO deduction_imports (run_month, file_sha256, lines, imported_at, imported_by) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id";
constexpr char kInsertResult[] =
    "INSERT INTO deduction_results (bill_number, outcome, amount_yen, import_id) "
    "VALUES ($1, $2, $3, $4)";

Status LineError(const DeductionResultLine& l, std::string_view field, const std::string& what) {
  return InvalidArgument("line " + std::to_string(l.line) + ", field " + std::string(field) + ": " +
                         what);
}

// Checks `l` against its bill; true when the same result is already recorded.
Result<bool> CheckLine(SqlTx& tx, const DeductionResultLine& l, const std::string& month) {
  ASSIGN_OR_RETURN(std::optional<SqlRow> bill, tx.QueryFirst(kBill, {l.bill_number}));
  if (!bill) return LineError(l, "bill_number", "no bill " + l.bill_number);
  ASSIGN_OR_RETURN(std::string code, bill->Text(0));
  ASSIGN_OR_RETURN(std::string run_month, bill->Text(1));
  ASSIGN_OR_RETURN(std::string method, bill->Text(2));
  ASSIGN_OR_RETURN(int64_t amount, bill->Int(3));
  if (code != l.institution_code) {
    return LineError(l, "institution_code", "bill " + l.bill_number + " is of " + code);
  }
  if (run_month != month) {
    return LineError(l, "billing_month", "bill " + l.bill_number + " is of " + run_month);
  }
  if (method != "deduction") {
    return LineError(l, "bill_number", "bill " + l.bill_number + " is not a deduction");
  }
  if (amount != l.amount_yen) {
    return LineError(l, "amount", "bill " + l.bill_number + " asks " + std::to_string(amount));
  }
  ASSIGN_OR_RETURN(std::optional<SqlRow> prior, tx.QueryFirst(kResult, {l.bill_number}));
  if (!prior) return false;
  ASSIGN_OR_RETURN(std::string outcome, prior->Text(0));
  if (outcome != DeductionOutcomeName(l.outcome)) {
    return Status(Code::kConflict, "line " + std::to_string(l.line) + ", field result: bill " +
                                       l.bill_number + " was recorded " + outcome +
                                       " by an earlier file");
  }
  return true;
}

}  // namespace

Result<DeductionImportReport> ImportDeductionResult(store::Store& store, std::string_view file,
                                                    const std::string& actor, Instant now) {
  ASSIGN_OR_RETURN(std::vector<DeductionResultLine> lines, ParseDeductionResult(file));
  const std::string sha = crypto::Sha256Hex(file);
  DeductionImportReport report;
  report.month = FormatMonth(lines.front().billing_month);
  report.lines = static_cast<int>(lines.size());
  Status st = store::RunInTransaction(store, [&](SqlTx& tx) -> Status {
    report.deducted = report.not_deducted = report.already_recorded = 0;
    report.already_imported = false;
    ASSIGN_OR_RETURN(std::vector<SqlRow> seen, tx.Query(kImportBySha, {sha}));
    if (!seen.empty()) {
      report.already_imported = true;
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(std::optional<RunRecord> run, LoadRun(tx, lines.front().billing_month));
    if (!run || run->state != "done") {
      return FailedPrecondition("the billing run of " + report.month + " is not done");
    }
    std::vector<const DeductionResultLine*> fresh;
    for (const DeductionResultLine& l : lines) {
      ASSIGN_OR_RETURN(bool recorded, CheckLine(tx, l, report.month));
      if (recorded) {
        ++report.already_recorded;
      } else {
        fresh.push_back(&l);
      }
    }
    ASSIGN_OR_RETURN(std::optional<SqlRow> id_row,
                     tx.QueryFirst(kInsertImport,
                                   {report.month, sha, report.lines,
                                    static_cast<int64_t>(now.time_since_epoch().count()), actor}));
    if (!id_row) return Internal("deduction import: no id returned");
    ASSIGN_OR_RETURN(int64_t import_id, id_row->Int(0));
    for (const DeductionResultLine* l : fresh) {
      RETURN_IF_ERROR(tx.Exec(kInsertResult, {l->bill_number, DeductionOutcomeName(l->outcome),
                                              l->amount_yen, import_id})
                          .status());
      ++(l->outcome == DeductionOutcome::kDeducted ? report.deducted : report.not_deducted);
    }
    nlohmann::json details = {{"month", report.month},
                              {"sha256", sha},
                              {"lines", report.lines},
                              {"deducted", report.deducted},
                              {"not_deducted", report.not_deducted},
                              {"already_recorded", report.already_recorded}};
    return AppendBillingAudit(tx, now, actor, "billing.deduction_result.import", report.month,
                              details.dump());
  });
  if (!st.ok()) return st;
  return report;
}

}  // namespace claimsca::billing
