#pragma once

// The monthly accounting report of month M filled from the tables (docs/billing.md,
// section "report"): the ledger (fee_charges), the run's bills and deduction results, and
// the payments applied to invoices, summed per category (分類) of the institution. Written
// by billing::AccountingReportCsv (billing/reports.h); `claimsca billing report`.
//
// Figures for month M, per category (definitions in docs/billing.md, section "report"):
//   charges_count / charges_yen  ledger entries whose billing month is M (credit notes
//                                included, their amounts negative)
//   deducted_yen   amounts the payment system reported deducted for the deduction bills
//                  of run month M
//   invoiced_yen   invoice bills (regular and fallback) of run month M
//   paid_yen       payments applied to invoice bills in M (application time, JST)
//   outstanding_yen  invoice bills of run months <= M minus every payment applied to an
//                  invoice bill before the end of M (JST)
// so that, per category and in total:
//   outstanding(M) = outstanding(M-1) + invoiced(M) - paid(M).
// The category of an institution is its row in the latest register version that holds it,
// else (保険者, 特健機関, new clinics: not in the published register) the category of its
// latest application.

#include <string>
#include <string_view>

#include "billing/reports.h"
#include "common/status.h"
#include "domain/billing.h"
#include "store/module_sql.h"

namespace claimsca::billing {

// The report of `month` in `tx` (all figures from its one snapshot): one SQL statement
// that sums in the database (GROUP BY per institution, then per category), so its cost
// does not grow with round trips. A row for every category that has a non-zero figure.
// FailedPrecondition naming the institution codes when an institution with figures is in
// no register version and has no application (its category is unknown).
Result<AccountingReport> LoadAccountingReport(store::SqlTx& tx, domain::YearMonth month);

// The same in one read snapshot of `store` (store::RunRead).
Result<AccountingReport> LoadAccountingReport(store::Store& store, domain::YearMonth month);

// The report's CSV file (AccountingReportCsv: UTF-8 with BOM, CRLF) of `month`, "YYYY-MM":
// what `claimsca billing report` writes and the console offers for download.
Result<std::string> AccountingReportCsvOfMonth(store::Store& store, std::string_view month);

}  // namespace claimsca::billing
