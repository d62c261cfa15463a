#include "billing/month.h"

#include <gtest/gtest.h>

namespace claimsca::billing {
namespace {

using std::chrono::month;
using std::chrono::year;

TEST(Month, FormatsAndParses) {
  EXPECT_EQ(FormatMonth(YearMonth(year(2026), month(4))), "2026-04");
  auto m = ParseMonth("2027-12");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, YearMonth(year(2027), month(12)));
  for (const char* bad : {"2027-13", "2027-00", "2027-1", "27-01", "2027/01", "2027-01-01", ""}) {
    EXPECT_EQ(ParseMonth(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(Month, BillingMonthIsTheMonthAfterNext) {
  EXPECT_EQ(*BillingMonthOfDate("2026-11-30"), "2027-01");
  EXPECT_EQ(*BillingMonthOfDate("2026-12-01"), "2027-02");
  EXPECT_EQ(*BillingMonthOfDate("2026-01-31"), "2026-03");
  EXPECT_EQ(BillingMonthOfDate("2026-02-30").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(BillingMonthOfDate("2026-2-03").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace claimsca::billing
