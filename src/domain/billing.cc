#include "domain/billing.h"

#include <cstdio>

#include "domain/calendar.h"

namespace claimsca::domain {
namespace {

YearMonth MonthsAfter(Date d, int n) {
  return YearMonth(d.year(), d.month()) + std::chrono::months(n);
}

}  // namespace

std::string FormatYearMonth(YearMonth m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(m.year()),
                static_cast<unsigned>(m.month()));
  return buf;
}

YearMonth BillingMonth(Date issuance_date) { return MonthsAfter(issuance_date, 2); }

Date AroundTheTenth(YearMonth month) {
  return RollForwardToBusinessDay(Date(month.year(), month.month(), std::chrono::day(10)));
}

YearMonth FirstDeductionMonth(Date issuance_date) { return MonthsAfter(issuance_date, 2); }

YearMonth DeductionRetryMonth(Date issuance_date) { return MonthsAfter(issuance_date, 3); }

Date FallbackInvoiceDate(Date issuance_date) {
  return AroundTheTenth(MonthsAfter(issuance_date, 3));
}

Date InvoiceDate(Date issuance_date) { return AroundTheTenth(MonthsAfter(issuance_date, 2)); }

BillingPlan PlanBilling(BillingMethod method, Date issuance_date) {
  BillingPlan plan;
  plan.method = method;
  plan.billing_month = BillingMonth(issuance_date);
  if (method == BillingMethod::kDeduction) {
    plan.first_deduction_month = FirstDeductionMonth(issuance_date);
    plan.deduction_retry_month = DeductionRetryMonth(issuance_date);
    plan.invoice_date = FallbackInvoiceDate(issuance_date);
  } else {
    plan.invoice_date = InvoiceDate(issuance_date);
  }
  return plan;
}

}  // namespace claimsca::domain
