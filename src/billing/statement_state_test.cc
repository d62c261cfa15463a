#include "billing/statement_state.h"

#include <gtest/gtest.h>

namespace claimsca::billing {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

Placement Deduction(std::string run_month, std::string origin, std::optional<bool> deducted) {
  Placement p;
  p.bill_number = "2701000001";
  p.run_month = std::move(run_month);
  p.method = "deduction";
  p.origin = std::move(origin);
  p.deducted = deducted;
  p.bill_amount_yen = 1500;
  return p;
}

Placement Invoice(std::string run_month, Date due, int64_t amount, int64_t paid) {
  Placement p;
  p.bill_number = "2703000007";
  p.run_month = std::move(run_month);
  p.method = "invoice";
  p.origin = "fallback";
  p.due_date = due;
  p.bill_amount_yen = amount;
  p.paid_yen = paid;
  return p;
}

struct Case {
  const char* name;
  EntryFacts facts;
  Date today;
  ChargeState want;
};

TEST(StatementStateTest, TheRulesAsATable) {
  const Date due = D(2027, 2, 28);
  const Case cases[] = {
      {"no bill yet", {}, D(2026, 12, 6), ChargeState::kScheduled},
      {"credit note, not billed", {{}, true}, D(2027, 1, 10), ChargeState::kNotBilled},
      {"deduction requested, no result",
       {{Deduction("2027-01", "new", std::nullopt)}},
       D(2027, 1, 20),
       ChargeState::kScheduled},
      {"deducted", {{Deduction("2027-01", "new", true)}}, D(2027, 1, 30), ChargeState::kDeducted},
      {"not deducted once",
       {{Deduction("2027-01", "new", false)}},
       D(2027, 1, 30),
       ChargeState::kNotDeducted},
      {"retry deducted",
       {{Deduction("2027-02", "carried", true), Deduction("2027-01", "new", false)}},
       D(2027, 2, 28),
       ChargeState::kDeducted},
      {"retry failed too",
       {{Deduction("2027-01", "new", false), Deduction("2027-02", "carried", false)}},
       D(2027, 2, 28),
       ChargeState::kNotDeducted},
      {"fallback invoice sent",
       {{Deduction("2027-01", "new", false), Deduction("2027-02", "carried", false),
         Invoice("2027-03", due, 1500, 0)}},
       D(2027, 2, 28),
       ChargeState::kInvoiced},
      {"invoice on its due date",
       {{Invoice("2027-01", due, 1500, 0)}},
       due,
       ChargeState::kInvoiced},
      {"invoice after its due date",
       {{Invoice("2027-01", due, 1500, 0)}},
       D(2027, 3, 1),
       ChargeState::kUnpaid},
      {"invoice partly paid after due",
       {{Invoice("2027-01", due, 3000, 1500)}},
       D(2027, 3, 1),
       ChargeState::kUnpaid},
      {"invoice paid", {{Invoice("2027-01", due, 3000, 3000)}}, D(2027, 3, 1), ChargeState::kPaid},
      {"invoice overpaid",
       {{Invoice("2027-01", due, 1500, 2000)}},
       D(2027, 2, 1),
       ChargeState::kPaid},
  };
  for (const Case& c : cases) {
    DerivedState got = DeriveChargeState(c.facts, c.today);
    EXPECT_EQ(ChargeStateName(got.state), ChargeStateName(c.want)) << c.name;
    EXPECT_EQ(got.bill.has_value(), !c.facts.placements.empty()) << c.name;
  }
}

TEST(StatementStateTest, TheLatestRunMonthDecidesAndSaysWhatComesNext) {
  EntryFacts once{{Deduction("2027-01", "new", false)}};
  DerivedState a = DeriveChargeState(once, D(2027, 1, 31));
  EXPECT_EQ(a.next_ja, "翌月の診療（調剤）報酬の支払から再控除します");
  EXPECT_EQ(a.bill->run_month, "2027-01");
  EntryFacts twice{{Deduction("2027-02", "carried", false), Deduction("2027-01", "new", false)}};
  DerivedState b = DeriveChargeState(twice, D(2027, 2, 28));
  EXPECT_EQ(b.next_ja, "払込請求書をお送りします");
  EXPECT_EQ(b.bill->run_month, "2027-02");
}

TEST(StatementStateTest, LabelsInJapanese) {
  EXPECT_EQ(ChargeStateLabelJa(ChargeState::kScheduled), "請求予定");
  EXPECT_EQ(ChargeStateLabelJa(ChargeState::kDeducted), "控除済み");
  EXPECT_EQ(ChargeStateLabelJa(ChargeState::kNotDeducted), "控除不能・翌月再控除");
  EXPECT_EQ(ChargeStateLabelJa(ChargeState::kInvoiced), "請求書送付済み");
  EXPECT_EQ(ChargeStateLabelJa(ChargeState::kPaid), "入金済み");
  EXPECT_EQ(ChargeStateLabelJa(ChargeState::kUnpaid), "未納");
  EXPECT_EQ(ChargeStateLabelJa(ChargeState::kNotBilled), "請求なし");
}

}  // namespace
}  // namespace claimsca::billing
