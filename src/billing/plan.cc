#include "billing/plan.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "domain/billing.h"
#include "domain/calendar.h"

namespace claimsca::billing {
namespace {

using domain::BillingMethod;

// Bills are keyed by (institution code, method): deduction sorts before invoice.
using BillKey = std::tuple<std::string, int>;

int MethodRank(BillingMethod m) { return m == BillingMethod::kDeduction ? 0 : 1; }

BillingMethod MethodOf(const PlanInput& in, const std::string& code,
                       std::set<std::string>* defaulted) {
  auto it = in.methods.find(code);
  if (it != in.methods.end()) return it->second;
  defaulted->insert(code);
  return BillingMethod::kInvoice;
}

Status CheckInput(const PlanInput& in) {
  if (!in.month.ok()) return InvalidArgument("invalid month");
  if (in.options.invoice_day < 1 || in.options.invoice_day > 28) {
    return InvalidArgument("invoice_day must be 1..28");
  }
  if (in.options.due_days < 0 || in.options.due_days > 365) {
    return InvalidArgument("due_days must be 0..365");
  }
  std::set<int64_t> ids;
  for (const ChargeItem& c : in.charges) {
    if (!ids.insert(c.entry_id).second) {
      return InvalidArgument("ledger entry " + std::to_string(c.entry_id) + " appears twice");
    }
  }
  for (const FailedDeduction& f : in.failed) {
    if (!(f.failed_month < in.month)) {
      return InvalidArgument("failed deduction of ledger entry " + std::to_string(f.item.entry_id) +
                             " is not from an earlier month");
    }
    if (f.origin == ItemOrigin::kFallback) {
      return InvalidArgument("ledger entry " + std::to_string(f.item.entry_id) +
                             " failed on a deduction as a fallback item");
    }
    if (!ids.insert(f.item.entry_id).second) {
      return InvalidArgument("ledger entry " + std::to_string(f.item.entry_id) + " appears twice");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view ItemOriginName(ItemOrigin origin) {
  switch (origin) {
    case ItemOrigin::kNew:
      return "new";
    case ItemOrigin::kCarried:
      return "carried";
    case ItemOrigin::kFallback:
      return "fallback";
  }
  return "new";
}

std::string_view BillKindName(BillKind kind) {
  return kind == BillKind::kFallback ? "fallback" : "regular";
}

Date RunIssueDate(YearMonth month, int invoice_day) {
  return domain::RollForwardToBusinessDay(
      Date(month.year(), month.month(), std::chrono::day(static_cast<unsigned>(invoice_day))));
}

Date DueDate(Date issue_date, int due_days) {
  if (due_days == 0) {
    const YearMonth next =
        YearMonth(issue_date.year(), issue_date.month()) + std::chrono::months(1);
    return domain::RollForwardToBusinessDay(Date(
        std::chrono::year_month_day_last(next.year(), std::chrono::month_day_last(next.month()))));
  }
  return domain::RollForwardToBusinessDay(
      Date(std::chrono::sys_days(issue_date) + std::chrono::days(due_days)));
}

std::string BillNumber(YearMonth month, int sequence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d%02u%06d", static_cast<int>(month.year()) % 100,
                static_cast<unsigned>(month.month()), sequence);
  return buf;
}

Result<Plan> MakePlan(const PlanInput& in) {
  RETURN_IF_ERROR(CheckInput(in));
  std::set<std::string> defaulted;
  std::map<BillKey, std::vector<PlannedItem>> grouped;
  for (const ChargeItem& c : in.charges) {
    BillingMethod m = MethodOf(in, c.institution_code, &defaulted);
    grouped[{c.institution_code, MethodRank(m)}].push_back({c, ItemOrigin::kNew});
  }
  for (const FailedDeduction& f : in.failed) {
    BillingMethod m = MethodOf(in, f.item.institution_code, &defaulted);
    // First failure: retried on a deduction if the institution still pays by deduction.
    // Second failure (or an invoice payer now): a fallback invoice.
    if (f.origin == ItemOrigin::kNew && m == BillingMethod::kDeduction) {
      grouped[{f.item.institution_code, MethodRank(m)}].push_back({f.item, ItemOrigin::kCarried});
    } else {
      grouped[{f.item.institution_code, MethodRank(BillingMethod::kInvoice)}].push_back(
          {f.item, ItemOrigin::kFallback});
    }
  }

  Plan plan;
  plan.month = in.month;
  plan.issue_date = RunIssueDate(in.month, in.options.invoice_day);
  const Date due = DueDate(plan.issue_date, in.options.due_days);
  int sequence = 0;
  for (auto& [key, items] : grouped) {
    std::sort(items.begin(), items.end(), [](const PlannedItem& a, const PlannedItem& b) {
      return a.item.entry_id < b.item.entry_id;
    });
    int64_t amount = 0;
    std::set<std::string> certificates;
    bool fallback = false;
    for (const PlannedItem& p : items) {
      amount += p.item.amount_yen;
      if (!p.item.certificate_ref.empty()) certificates.insert(p.item.certificate_ref);
      fallback = fallback || p.origin == ItemOrigin::kFallback;
    }
    if (amount <= 0) {
      plan.not_billed.insert(plan.not_billed.end(), items.begin(), items.end());
      continue;
    }
    if (sequence == 999'999) return InvalidArgument("more than 999999 bills in one month");
    PlannedBill bill;
    bill.number = BillNumber(in.month, ++sequence);
    bill.institution_code = std::get<0>(key);
    bill.method = std::get<1>(key) == 0 ? BillingMethod::kDeduction : BillingMethod::kInvoice;
    bill.kind = fallback ? BillKind::kFallback : BillKind::kRegular;
    bill.amount_yen = amount;
    bill.certificates = static_cast<int64_t>(certificates.size());
    bill.issue_date = plan.issue_date;
    if (bill.method == BillingMethod::kInvoice) bill.due_date = due;
    bill.items = std::move(items);
    plan.bills.push_back(std::move(bill));
  }
  plan.defaulted_to_invoice.assign(defaulted.begin(), defaulted.end());
  return plan;
}

}  // namespace claimsca::billing
