#include "billing/accounting.h"

#include <map>
#include <string>

#include "billing/month.h"
#include "common/time_util.h"
#include "domain/category.h"

namespace claimsca::billing {
namespace {

// Which figure a row of kFigures adds to.
enum Figure : int64_t {
  kCharges = 1,
  kDeducted = 2,
  kInvoiced = 3,
  kPaid = 4,
  kOutstanding = 5,
};

// $1 = the month 'YYYY-MM'; $2, $3 = its first instant and the next month's first instant
// (Unix seconds, 00:00 JST). Each part sums per institution (`code`, `figure`, `n`,
// `yen`); the outer query maps institutions to their category (the latest register
// version holding them; for one in no register version — 保険者, 特健機関, a new clinic —
// the category of its latest application) and sums per category; an institution with
// neither comes out apart, as '?' + its code, so that the caller can name it. (An inner join and
// NOT IN rather than a LEFT JOIN: SQLite builds no automatic index for the right side of a
// LEFT JOIN on a materialized CTE, which made it a nested loop over 200,000 × 200,000.)
// 'YYYY-MM' texts compare in month order.
constexpr char kFigures[] = R"SQL(
WITH fig (code, figure, n, yen) AS (
  SELECT institution_code, 1, count(*), sum(total_yen)
    FROM fee_charges WHERE billing_month = $1 GROUP BY institution_code
  UNION ALL
  SELECT b.institution_code, 2, count(*), sum(r.amount_yen)
    FROM bills b JOIN deduction_results r ON r.bill_number = b.number
   WHERE b.run_month = $1 AND b.method = 'deduction' AND r.outcome = 'deducted'
   GROUP BY b.institution_code
  UNION ALL
  SELECT institution_code, 3, count(*), sum(amount_yen)
    FROM bills WHERE run_month = $1 AND method = 'invoice' GROUP BY institution_code
  UNION ALL
  SELECT b.institution_code, 4, count(*), sum(a.amount_yen)
    FROM payment_applications a JOIN bills b ON b.number = a.bill_number
   WHERE b.method = 'invoice' AND a.applied_at >= $2 AND a.applied_at < $3
   GROUP BY b.institution_code
  UNION ALL
  SELECT institution_code, 5, count(*), sum(amount_yen)
    FROM bills WHERE run_month <= $1 AND method = 'invoice' GROUP BY institution_code
  UNION ALL
  SELECT b.institution_code, 5, 0, 0 - sum(a.amount_yen)
    FROM payment_applications a JOIN bills b ON b.number = a.bill_number
   WHERE b.method = 'invoice' AND a.applied_at < $3
   GROUP BY b.institution_code
),
latest (code, version) AS (
  SELECT e.institution_code, max(e.version)
    FROM register_entries e JOIN (SELECT DISTINCT code FROM fig) c ON c.code = e.institution_code
   GROUP BY e.institution_code
),
cat (code, category) AS (
  SELECT e.institution_code, e.category
    FROM register_entries e
    JOIN latest l ON l.code = e.institution_code AND l.version = e.version
),
unregistered (code, category) AS (
  SELECT u.code, (SELECT a.category FROM applications a WHERE a.institution_code = u.code
                   ORDER BY a.seq DESC LIMIT 1)
    FROM (SELECT DISTINCT code FROM fig WHERE code NOT IN (SELECT code FROM latest)) u
)
SELECT cat.category, fig.figure, sum(fig.n), sum(fig.yen)
  FROM fig JOIN cat ON cat.code = fig.code
 GROUP BY cat.category, fig.figure
UNION ALL
SELECT COALESCE(u.category, '?' || fig.code), fig.figure, sum(fig.n), sum(fig.yen)
  FROM fig JOIN unregistered u ON u.code = fig.code
 GROUP BY COALESCE(u.category, '?' || fig.code), fig.figure
 ORDER BY 1, 2
)SQL";

int64_t UnixSeconds(Instant t) { return t.time_since_epoch().count(); }

}  // namespace

Result<AccountingReport> LoadAccountingReport(store::SqlTx& tx, domain::YearMonth month) {
  if (!month.ok()) return InvalidArgument("accounting report: month is not a month");
  const Instant from = JstMidnight(Date{month / std::chrono::day{1}});
  const domain::YearMonth next = month + std::chrono::months{1};
  const Instant to = JstMidnight(Date{next / std::chrono::day{1}});
  ASSIGN_OR_RETURN(std::vector<store::SqlRow> rows,
                   tx.Query(kFigures, {FormatMonth(month), UnixSeconds(from), UnixSeconds(to)}));
  std::map<std::string, AccountingFigures> by_category;
  std::string unknown;  // institution codes (or categories) that have no known category
  for (const store::SqlRow& row : rows) {
    ASSIGN_OR_RETURN(std::string category, row.Text(0));
    ASSIGN_OR_RETURN(int64_t figure, row.Int(1));
    ASSIGN_OR_RETURN(int64_t n, row.Int(2));
    ASSIGN_OR_RETURN(int64_t yen, row.Int(3));
    if (!domain::FindCategory(category)) {
      // '?' + code: in no register version and no application; else a category the register
      // should not hold.
      const std::string what =
          category.starts_with('?') ? category.substr(1) : "category \"" + category + "\"";
      if (unknown.find(what) == std::string::npos) unknown += (unknown.empty() ? "" : ", ") + what;
      continue;
    }
    AccountingFigures& f = by_category[category];
    switch (figure) {
      case kCharges:
        f.charges_count += n;
        f.charges_yen += yen;
        break;
      case kDeducted:
        f.deducted_yen += yen;
        break;
      case kInvoiced:
        f.invoiced_yen += yen;
        break;
      case kPaid:
        f.paid_yen += yen;
        break;
      case kOutstanding:
        f.outstanding_yen += yen;
        break;
      default:
        return Internal("accounting report: unexpected figure " + std::to_string(figure));
    }
  }
  if (!unknown.empty()) {
    return FailedPrecondition(
        "accounting report of " + FormatMonth(month) + ": no known category for " + unknown +
        " (in no register version and no application; import the register first)");
  }
  AccountingReport report;
  report.month = month;
  for (const domain::Category& c : domain::AllCategories()) {
    auto it = by_category.find(std::string(c.code));
    if (it != by_category.end()) report.rows.push_back({it->first, it->second});
  }
  return report;
}

Result<AccountingReport> LoadAccountingReport(store::Store& store, domain::YearMonth month) {
  AccountingReport report;
  RETURN_IF_ERROR(store::RunRead(store, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(report, LoadAccountingReport(tx, month));
    return Status::Ok();
  }));
  return report;
}

Result<std::string> AccountingReportCsvOfMonth(store::Store& store, std::string_view month) {
  ASSIGN_OR_RETURN(domain::YearMonth m, ParseMonth(month));
  ASSIGN_OR_RETURN(AccountingReport report, LoadAccountingReport(store, m));
  return AccountingReportCsv(report);
}

}  // namespace claimsca::billing
