#pragma once

// The decisions of the monthly billing run for month M (docs/billing.md, section "run"),
// as a pure function: which bills to make, what a failed deduction becomes, the bills'
// numbers and dates. No I/O; the run (billing/run.h) feeds it from the stores and records
// what it returns.
//
//   - new charges: the ledger entries whose billing month is M (issuance month M-2), one
//     bill per institution and method in force in M;
//   - a deduction not made (result "not deducted") for the first time: its entries are
//     carried into M's deduction (the retry, DeductionRetryMonth) — or, when the method in
//     force in M is invoice, into M's invoice;
//   - a deduction not made for the second time (a carried entry): a fallback invoice
//     (払込請求書) in M. The retry's outcome is only known after the payment of the retry
//     month, so the fallback invoice is the next run's (docs/billing.md: the open question
//     of docs/calendar-and-fees.md §4).
// Bills are numbered YYMM + 6-digit sequence in institution-code order (deduction before
// invoice for one institution): the same input gives the same numbers.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "domain/category.h"

namespace claimsca::billing {

using YearMonth = std::chrono::year_month;

// One ledger entry as the run sees it.
struct ChargeItem {
  int64_t entry_id = 0;
  std::string institution_code;
  std::string certificate_ref;  // what identifies the certificate (counted once per bill)
  int64_t amount_yen = 0;       // negative for a credit note
  Date charge_date;             // the issuance (approval) date: fixes the billing month
  // What the invoice prints (billing/invoice_pdf.h): リクエストID, 端末名称等, and the
  // entry's kind ("new_application" / "renewal" / "reapplication", domain::FeeKindName)
  // with the mailing fee within amount_yen, so that it prints as its own line.
  std::string request_id;
  std::string terminal_name;
  std::string kind;
  int64_t mailing_yen = 0;

  bool operator==(const ChargeItem&) const = default;
};

// Where an entry sits on a bill.
enum class ItemOrigin {
  kNew,       // billed for the first time (billing month M)
  kCarried,   // on a deduction again after one deduction was not made (the retry)
  kFallback,  // on an invoice after a deduction was not made (twice, or the method changed)
};
std::string_view ItemOriginName(ItemOrigin origin);  // "new" / "carried" / "fallback"

// An entry of an earlier deduction bill whose result was "not deducted" and that no later
// bill holds yet.
struct FailedDeduction {
  ChargeItem item;
  ItemOrigin origin = ItemOrigin::kNew;  // its origin on the failed bill: kNew or kCarried
  YearMonth failed_month;                // the run month of the failed bill
};

struct PlanOptions {
  int invoice_day = 10;  // "10日頃": this day of M rolled forward to a business day, 1..28
  // 0..365. 0: the due date is the last day of the month after the issue date's; N: N
  // days after the issue date. Either rolled forward to a business day.
  int due_days = 0;
};

struct PlanInput {
  YearMonth month;
  std::vector<ChargeItem> charges;      // the ledger's entries of billing month `month`
  std::vector<FailedDeduction> failed;  // see FailedDeduction; failed_month < month
  // Method in force in `month` per institution; an institution missing here is billed by
  // invoice (allowed for every category) and listed in Plan::defaulted_to_invoice.
  std::map<std::string, domain::BillingMethod> methods;
  PlanOptions options;
};

enum class BillKind { kRegular, kFallback };   // fallback: holds a kFallback item
std::string_view BillKindName(BillKind kind);  // "regular" / "fallback"

struct PlannedItem {
  ChargeItem item;
  ItemOrigin origin = ItemOrigin::kNew;

  bool operator==(const PlannedItem&) const = default;
};

struct PlannedBill {
  std::string number;  // 請求番号, 10 digits
  std::string institution_code;
  domain::BillingMethod method = domain::BillingMethod::kInvoice;
  BillKind kind = BillKind::kRegular;
  int64_t amount_yen = 0;    // sum of the items, > 0
  int64_t certificates = 0;  // distinct certificate_ref of the items
  Date issue_date;
  std::optional<Date> due_date;    // invoices only
  std::vector<PlannedItem> items;  // by entry id

  bool operator==(const PlannedBill&) const = default;
};

struct Plan {
  YearMonth month;
  Date issue_date;                 // the run's invoice day
  std::vector<PlannedBill> bills;  // by number
  // Entries of institutions whose items add up to <= 0 (credit notes cancelling the
  // charges): no bill; they are not billed again.
  std::vector<PlannedItem> not_billed;
  std::vector<std::string> defaulted_to_invoice;  // institution codes, sorted
};

// The bills of `input.month`. InvalidArgument when an option is out of range, a failed
// deduction is not from an earlier month, or an entry appears twice; nothing is planned
// then. (Which entries are of the month is the ledger's billing_month: a credit note may be
// billed later than its date's month.)
Result<Plan> MakePlan(const PlanInput& input);

// The run's issue date: `invoice_day` of `month` rolled forward to a business day.
Date RunIssueDate(YearMonth month, int invoice_day);

// An invoice's due date (PlanOptions::due_days).
Date DueDate(Date issue_date, int due_days);

// "2701000001": YYMM of `month` + `sequence` (1..999999) in 6 digits.
std::string BillNumber(YearMonth month, int sequence);

}  // namespace claimsca::billing
