#include "billing/plan.h"

#include <gtest/gtest.h>

#include "billing/run_testing.h"

namespace claimsca::billing {
namespace {

using domain::BillingMethod;

using testing::Charge;
using testing::D;
using testing::Ym;

constexpr char kClinic[] = "0110113719";    // deduction
constexpr char kPharmacy[] = "1318814790";  // deduction
constexpr char kCheckup[] = "1361234567";   // 特健機関 number: invoice only

PlanInput January2027() {
  PlanInput in;
  in.month = Ym(2027, 1);
  in.methods = {{kClinic, BillingMethod::kDeduction},
                {kPharmacy, BillingMethod::kDeduction},
                {kCheckup, BillingMethod::kInvoice}};
  // Issued in November 2026: issuance 1,500 + mailing 792 for one certificate; a renewal.
  in.charges = {Charge(11, kPharmacy, "c-p1", 1500, D(2026, 11, 2)),
                Charge(10, kCheckup, "c-i1", 1500, D(2026, 11, 22)),
                Charge(12, kCheckup, "c-i1", 792, D(2026, 11, 22)),
                Charge(13, kClinic, "c-c1", 1500, D(2026, 11, 30))};
  return in;
}

TEST(PlanTest, OneBillPerInstitutionAndMethodNumberedInCodeOrder) {
  auto plan = MakePlan(January2027());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // 2027-01-10 is a Sunday, 01-11 成人の日: the invoice day is 01-12.
  EXPECT_EQ(plan->issue_date, D(2027, 1, 12));
  ASSERT_EQ(plan->bills.size(), 3u);
  const PlannedBill& clinic = plan->bills[0];
  EXPECT_EQ(clinic.number, "2701000001");
  EXPECT_EQ(clinic.institution_code, kClinic);
  EXPECT_EQ(clinic.method, BillingMethod::kDeduction);
  EXPECT_EQ(clinic.amount_yen, 1500);
  EXPECT_EQ(clinic.due_date, std::nullopt);
  EXPECT_EQ(plan->bills[1].number, "2701000002");
  EXPECT_EQ(plan->bills[1].institution_code, kPharmacy);
  const PlannedBill& checkup = plan->bills[2];
  EXPECT_EQ(checkup.number, "2701000003");
  EXPECT_EQ(checkup.institution_code, kCheckup);
  EXPECT_EQ(checkup.method, BillingMethod::kInvoice);
  EXPECT_EQ(checkup.kind, BillKind::kRegular);
  EXPECT_EQ(checkup.amount_yen, 2292);
  EXPECT_EQ(checkup.certificates, 1);  // issuance and mailing of one certificate
  ASSERT_EQ(checkup.items.size(), 2u);
  EXPECT_EQ(checkup.items[0].item.entry_id, 10);
  EXPECT_EQ(checkup.items[1].item.entry_id, 12);
  EXPECT_EQ(checkup.issue_date, D(2027, 1, 12));
  // Due at the end of the next month: 2027-02-28 is a Sunday → 03-01.
  EXPECT_EQ(checkup.due_date, D(2027, 3, 1));
  EXPECT_TRUE(plan->not_billed.empty());
  EXPECT_TRUE(plan->defaulted_to_invoice.empty());
}

TEST(PlanTest, SameInputSamePlan) {
  auto a = MakePlan(January2027());
  auto in = January2027();
  std::reverse(in.charges.begin(), in.charges.end());
  auto b = MakePlan(in);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bills, b->bills);
}

TEST(PlanTest, FirstFailureCarriedSecondFailureFallbackInvoice) {
  PlanInput in;
  in.month = Ym(2027, 2);
  in.methods = {{kClinic, BillingMethod::kDeduction}, {kPharmacy, BillingMethod::kDeduction}};
  // Issued December 2026 → billed February 2027.
  in.charges = {Charge(20, kClinic, "c-c2", 1500, D(2026, 12, 1))};
  // The clinic's January deduction failed (first time): retried with February's charges.
  in.failed.push_back(
      {Charge(13, kClinic, "c-c1", 1500, D(2026, 11, 30)), ItemOrigin::kNew, Ym(2027, 1)});
  // The pharmacy's retry in January failed (second time): fallback invoice in February.
  in.failed.push_back(
      {Charge(5, kPharmacy, "c-p0", 1500, D(2026, 10, 5)), ItemOrigin::kCarried, Ym(2027, 1)});
  auto plan = MakePlan(in);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->bills.size(), 2u);
  const PlannedBill& clinic = plan->bills[0];
  EXPECT_EQ(clinic.method, BillingMethod::kDeduction);
  EXPECT_EQ(clinic.amount_yen, 3000);
  EXPECT_EQ(clinic.certificates, 2);
  ASSERT_EQ(clinic.items.size(), 2u);
  EXPECT_EQ(clinic.items[0], (PlannedItem{in.failed[0].item, ItemOrigin::kCarried}));
  EXPECT_EQ(clinic.items[1].origin, ItemOrigin::kNew);
  EXPECT_EQ(clinic.kind, BillKind::kRegular);
  const PlannedBill& pharmacy = plan->bills[1];
  EXPECT_EQ(pharmacy.number, "2702000002");
  EXPECT_EQ(pharmacy.method, BillingMethod::kInvoice);
  EXPECT_EQ(pharmacy.kind, BillKind::kFallback);
  EXPECT_EQ(pharmacy.amount_yen, 1500);
  // 2027-02-10 is a Wednesday.
  EXPECT_EQ(pharmacy.issue_date, D(2027, 2, 10));
  EXPECT_EQ(pharmacy.due_date, D(2027, 3, 31));  // a Wednesday
}

TEST(PlanTest, FailedDeductionOfAnInstitutionNowOnInvoiceGoesOnItsInvoice) {
  PlanInput in;
  in.month = Ym(2027, 2);
  in.methods = {{kClinic, BillingMethod::kInvoice}};
  in.charges = {Charge(20, kClinic, "c-c2", 1500, D(2026, 12, 1))};
  in.failed.push_back(
      {Charge(13, kClinic, "c-c1", 1500, D(2026, 11, 30)), ItemOrigin::kNew, Ym(2027, 1)});
  auto plan = MakePlan(in);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->bills.size(), 1u);
  EXPECT_EQ(plan->bills[0].method, BillingMethod::kInvoice);
  EXPECT_EQ(plan->bills[0].kind, BillKind::kFallback);
  EXPECT_EQ(plan->bills[0].amount_yen, 3000);
  EXPECT_EQ(plan->bills[0].items[0].origin, ItemOrigin::kFallback);
  EXPECT_EQ(plan->bills[0].items[1].origin, ItemOrigin::kNew);
}

TEST(PlanTest, UnknownMethodDefaultsToInvoiceAndIsReported) {
  auto in = January2027();
  in.methods.erase(kPharmacy);
  auto plan = MakePlan(in);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->bills[1].method, BillingMethod::kInvoice);
  EXPECT_EQ(plan->defaulted_to_invoice, std::vector<std::string>{kPharmacy});
}

TEST(PlanTest, CreditNotesCancellingTheChargesMakeNoBill) {
  auto in = January2027();
  in.charges.push_back(Charge(14, kClinic, "c-c1", -1500, D(2026, 11, 30)));
  auto plan = MakePlan(in);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->bills.size(), 2u);
  EXPECT_EQ(plan->bills[0].institution_code, kPharmacy);
  EXPECT_EQ(plan->bills[0].number, "2701000001");
  ASSERT_EQ(plan->not_billed.size(), 2u);
  EXPECT_EQ(plan->not_billed[0].item.entry_id, 13);
}

TEST(PlanTest, ConfigurableInvoiceDayAndDueDays) {
  auto in = January2027();
  in.options.invoice_day = 15;  // 2027-01-15 Friday
  in.options.due_days = 1;
  auto plan = MakePlan(in);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->issue_date, D(2027, 1, 15));
  EXPECT_EQ(plan->bills[2].due_date, D(2027, 1, 18));  // Saturday 16 → Monday 18
}

TEST(PlanTest, BadInputRefused) {
  struct Case {
    void (*mutate)(PlanInput&);
    std::string want;
  };
  const Case cases[] = {
      {[](PlanInput& in) { in.charges.push_back(in.charges[0]); }, "appears twice"},
      {[](PlanInput& in) {
         in.failed.push_back({in.charges[0], ItemOrigin::kNew, Ym(2026, 12)});
       },
       "appears twice"},
      {[](PlanInput& in) {
         in.failed.push_back(
             {Charge(1, kClinic, "x", 1, D(2026, 1, 1)), ItemOrigin::kNew, Ym(2027, 1)});
       },
       "not from an earlier month"},
      {[](PlanInput& in) { in.options.invoice_day = 29; }, "invoice_day"},
      {[](PlanInput& in) { in.options.due_days = -1; }, "due_days"},
      {[](PlanInput& in) { in.options.due_days = 366; }, "due_days"},
  };
  for (const Case& c : cases) {
    auto in = January2027();
    c.mutate(in);
    auto plan = MakePlan(in);
    ASSERT_FALSE(plan.ok()) << c.want;
    EXPECT_NE(plan.status().message().find(c.want), std::string::npos) << plan.status().message();
  }
}

TEST(PlanTest, DueDays) {
  // 30 days after 2027-01-12 is 02-11 建国記念の日 → 02-12.
  EXPECT_EQ(DueDate(D(2027, 1, 12), 30), D(2027, 2, 12));
  EXPECT_EQ(DueDate(D(2027, 12, 10), 0), D(2028, 1, 31));
  // End of 2027-11 is 11-30 (Tuesday); issued in October.
  EXPECT_EQ(DueDate(D(2027, 10, 12), 0), D(2027, 11, 30));
}

TEST(PlanTest, BillNumberFormat) {
  EXPECT_EQ(BillNumber(Ym(2027, 1), 1), "2701000001");
  EXPECT_EQ(BillNumber(Ym(2030, 12), 999999), "3012999999");
}

}  // namespace
}  // namespace claimsca::billing
