#include "domain/billing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace claimsca::domain {
namespace {

constexpr Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}
constexpr YearMonth YM(int y, unsigned m) {
  return YearMonth{std::chrono::year(y), std::chrono::month(m)};
}

std::string Iso(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

// Issuance date → billing month (M+2), invoice date (~10th of M+2), retry month (M+3),
// fallback invoice date (~10th of M+3). "~10th" = the 10th rolled to a business day.
const struct {
  Date issued;
  YearMonth billing_month;
  Date invoice;
  YearMonth retry_month;
  Date fallback_invoice;
} kCases[] = {
    // 2027-01-10 Sunday, 01-11 成人の日 → Tuesday 01-12; 2027-02-10 Wednesday.
    {D(2026, 11, 22), YM(2027, 1), D(2027, 1, 12), YM(2027, 2), D(2027, 2, 10)},
    // Month end; 2026-05-10 Sunday → Monday 05-11.
    {D(2026, 2, 28), YM(2026, 4), D(2026, 4, 10), YM(2026, 5), D(2026, 5, 11)},
    // Across the year; 2026-01-10 Saturday, 01-12 成人の日 → Tuesday 01-13.
    {D(2025, 10, 31), YM(2025, 12), D(2025, 12, 10), YM(2026, 1), D(2026, 1, 13)},
    {D(2025, 12, 31), YM(2026, 2), D(2026, 2, 10), YM(2026, 3), D(2026, 3, 10)},
    {D(2025, 11, 1), YM(2026, 1), D(2026, 1, 13), YM(2026, 2), D(2026, 2, 10)},
    // 2024-08-10 Saturday, 08-11 山の日 (Sunday), 08-12 振替休日 → Tuesday 08-13.
    {D(2024, 6, 15), YM(2024, 8), D(2024, 8, 13), YM(2024, 9), D(2024, 9, 10)},
    {D(2024, 7, 1), YM(2024, 9), D(2024, 9, 10), YM(2024, 10), D(2024, 10, 10)},
    // 2025-05-10 Saturday → Monday 05-12.
    {D(2025, 3, 5), YM(2025, 5), D(2025, 5, 12), YM(2025, 6), D(2025, 6, 10)},
};

TEST(BillingTest, Dates) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(Iso(c.issued));
    EXPECT_EQ(BillingMonth(c.issued), c.billing_month);
    EXPECT_EQ(FirstDeductionMonth(c.issued), c.billing_month);
    EXPECT_EQ(InvoiceDate(c.issued), c.invoice) << Iso(InvoiceDate(c.issued));
    EXPECT_EQ(DeductionRetryMonth(c.issued), c.retry_month);
    EXPECT_EQ(FallbackInvoiceDate(c.issued), c.fallback_invoice)
        << Iso(FallbackInvoiceDate(c.issued));
  }
}

TEST(BillingTest, PlanPerMethod) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(Iso(c.issued));
    const BillingPlan invoice = PlanBilling(BillingMethod::kInvoice, c.issued);
    EXPECT_EQ(invoice.method, BillingMethod::kInvoice);
    EXPECT_EQ(invoice.billing_month, c.billing_month);
    EXPECT_FALSE(invoice.first_deduction_month.has_value());
    EXPECT_FALSE(invoice.deduction_retry_month.has_value());
    EXPECT_EQ(invoice.invoice_date, c.invoice);

    const BillingPlan deduction = PlanBilling(BillingMethod::kDeduction, c.issued);
    EXPECT_EQ(deduction.method, BillingMethod::kDeduction);
    EXPECT_EQ(deduction.billing_month, c.billing_month);
    EXPECT_EQ(deduction.first_deduction_month, c.billing_month);
    EXPECT_EQ(deduction.deduction_retry_month, c.retry_month);
    EXPECT_EQ(deduction.invoice_date, c.fallback_invoice);
  }
}

TEST(BillingTest, AroundTheTenth) {
  EXPECT_EQ(AroundTheTenth(YM(2026, 12)), D(2026, 12, 10));  // Thursday
  EXPECT_EQ(AroundTheTenth(YM(2026, 10)), D(2026, 10, 13));  // Sat 10, Mon 12 スポーツの日
  EXPECT_EQ(AroundTheTenth(YM(2021, 4)), D(2021, 4, 12));    // seed 003 別紙2
}

}  // namespace
}  // namespace claimsca::domain
