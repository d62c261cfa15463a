#pragma once

// The run's tables (migrations 030, docs/billing.md section "run"): billing runs, bills and
// their items, deduction result imports. Functions over one store::SqlTx, so the caller
// decides what one transaction holds. Only the run writes these tables.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/plan.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/module_sql.h"

namespace claimsca::billing {

struct RunFiles {
  std::string deduction_file, deduction_sha256;
  std::string invoice_file, invoice_sha256;
  std::string mailing_file, mailing_sha256;

  bool operator==(const RunFiles&) const = default;
};

struct RunRecord {
  std::string month;  // "YYYY-MM"
  std::string state;  // "planned" | "done"
  std::string issue_date;
  int64_t started_at = 0;  // Unix seconds
  std::optional<int64_t> finished_at;
  std::string started_by;
  RunFiles files;
};

// Where a bill goes: the register's name and address at planning time.
struct Recipient {
  std::string name;
  std::string postal_code;
  std::string address;
};

struct BillItemRecord {
  int64_t entry_id = 0;
  std::string origin;  // "new" | "carried" | "fallback"
  int64_t amount_yen = 0;
  std::string certificate_ref;
  std::string charge_date;  // "YYYY-MM-DD"
  std::string request_id;
  std::string terminal_name;
  std::string kind;
  int64_t mailing_yen = 0;
};

struct BillRecord {
  std::string number;
  std::string run_month;
  std::string institution_code;
  std::string method;  // "deduction" | "invoice"
  std::string kind;    // "regular" | "fallback"
  int64_t amount_yen = 0;
  int64_t certificates = 0;
  std::string issue_date;
  std::optional<std::string> due_date;
  Recipient recipient;
  std::vector<BillItemRecord> items;  // by entry id
};

// The run of `month`, or nullopt.
Result<std::optional<RunRecord>> LoadRun(store::SqlTx& tx, YearMonth month);

// Run months before `month` with a deduction bill whose result is not imported yet.
Result<std::vector<std::string>> MonthsAwaitingResults(store::SqlTx& tx, YearMonth month);

// Entries of deduction bills of months before `month` whose result was "not deducted"
// and that no later bill holds yet (the run's input FailedDeduction).
Result<std::vector<FailedDeduction>> OpenFailedDeductions(store::SqlTx& tx, YearMonth month);

// Records the run (state "planned") and every bill, item and unbilled entry of `plan`.
// Conflict when the month already has a run. `recipients` must hold every bill's
// institution (InvalidArgument otherwise).
Status InsertPlan(store::SqlTx& tx, const Plan& plan,
                  const std::map<std::string, Recipient>& recipients, int64_t started_at,
                  const std::string& started_by);

// Every bill of `month` with its items, by number.
Result<std::vector<BillRecord>> LoadBills(store::SqlTx& tx, YearMonth month);

// One bill with its items (by entry id), or nullopt (the portal's invoice download).
Result<std::optional<BillRecord>> LoadBill(store::SqlTx& tx, std::string_view number);

// Appends the audit event `action` about `subject` (a month) with the JSON text `details`,
// in `tx` (last, as SqlTx::AppendAudit asks).
Status AppendBillingAudit(store::SqlTx& tx, Instant at, const std::string& actor,
                          const std::string& action, const std::string& subject,
                          std::string details);

// Sets the run's files and state "done" (FailedPrecondition unless it is "planned").
Status MarkRunDone(store::SqlTx& tx, YearMonth month, const RunFiles& files, int64_t finished_at);

}  // namespace claimsca::billing
