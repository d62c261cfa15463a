#include "billing/run_invoices.h"

#include <gtest/gtest.h>

#include "billing/run_testing.h"

namespace claimsca::billing {
namespace {

using testing::D;
using testing::Ym;

BillRecord Invoice() {
  BillRecord b;
  b.number = "2703000001";
  b.run_month = "2027-03";
  b.institution_code = "0140112745";
  b.method = "invoice";
  b.kind = "fallback";
  b.amount_yen = 3792;
  b.certificates = 2;
  b.issue_date = "2027-03-10";
  b.due_date = "2027-04-30";
  b.recipient = {"さくら薬局", "0600001", "札幌市中央区"};
  b.items = {{3, "fallback", 2292, "ab01", "2026-11-20", "R3", "受付PC", "new_application", 792},
             {7, "fallback", 1500, "ab02", "2026-12-02", "R7", "調剤PC", "renewal", 0}};
  return b;
}

TEST(RunInvoicesTest, OneLinePerFeeTheMailingFeeApart) {
  auto docs = InvoiceDocuments({Invoice()});
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 1u);
  const InvoiceDocument& d = (*docs)[0];
  EXPECT_EQ(d.number, "2703000001");
  EXPECT_EQ(d.issue_date, D(2027, 3, 10));
  EXPECT_EQ(d.due_date, D(2027, 4, 30));
  EXPECT_EQ(d.billing_month, Ym(2027, 3));
  EXPECT_EQ(d.institution_name, "さくら薬局");
  EXPECT_TRUE(d.fallback);
  ASSERT_EQ(d.lines.size(), 3u);
  EXPECT_EQ(d.lines[0].kind, FeeKind::kIssuance);
  EXPECT_EQ(d.lines[0].amount_yen, 1500);
  EXPECT_EQ(d.lines[0].issuance_date, D(2026, 11, 20));
  EXPECT_EQ(d.lines[1].kind, FeeKind::kMailing);
  EXPECT_EQ(d.lines[1].amount_yen, 792);
  EXPECT_EQ(d.lines[1].request_id, "R3");
  EXPECT_EQ(d.lines[2].kind, FeeKind::kRenewal);
  EXPECT_EQ(d.lines[2].terminal_name, "調剤PC");
  EXPECT_TRUE(ValidateInvoice(d).ok()) << ValidateInvoice(d).ToString();
}

TEST(RunInvoicesTest, RefusesWhatIsNotAnInvoice) {
  BillRecord b = Invoice();
  b.method = "deduction";
  b.due_date.reset();
  EXPECT_FALSE(InvoiceDocuments({b}).ok());
  b = Invoice();
  b.items[1].kind = "other";
  EXPECT_FALSE(InvoiceDocuments({b}).ok());
  b = Invoice();
  b.issue_date = "2027-3-10";
  EXPECT_FALSE(InvoiceDocuments({b}).ok());
}

}  // namespace
}  // namespace claimsca::billing
