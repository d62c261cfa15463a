// Billing methods per institution (billing/methods.h) on both back ends: the CSV's rules,
// the category rule, all-or-nothing, idempotence, the next-month rule and the audit.

#include "billing/methods.h"

#include <gtest/gtest.h>

#include "billing/ledger_store.h"
#include "billing/ledger_test_fixture.h"
#include "store/module_sql.h"

namespace claimsca::billing {
namespace {

using domain::BillingMethod;
using store::SqlTx;
using store::test::kT0;
using testing::kCheckup;
using testing::kClinic;
using testing::kInsurer;

Instant At(const char* iso) { return *ParseInstant(iso); }

TEST(MethodsCsv, EveryBadRowIsNamedWithItsLineFieldAndRule) {
  auto ok = ParseMethodsCsv(
      "\xEF\xBB\xBFinstitution_code,billing_method\r\n0112345678,invoice\r\n\r\n"
      "06130012,invoice\r\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[1].line, 4);
  EXPECT_EQ((*ok)[1].institution_code, "06130012");

  auto bad = ParseMethodsCsv(
      "institution_code,billing_method\n0112345678,invoice\n12345,invoice\n0112345678,invoice\n"
      "0112345679,cash\n0112345670\n");
  ASSERT_EQ(bad.status().code(), Code::kInvalidArgument);
  const std::string& m = bad.status().message();
  EXPECT_NE(m.find("line 3, institution_code: 8 or 10 ASCII digits"), std::string::npos) << m;
  EXPECT_NE(m.find("line 4, institution_code: 0112345678 is given twice"), std::string::npos);
  EXPECT_NE(m.find("line 5, billing_method"), std::string::npos);
  EXPECT_NE(m.find("line 6, row: 2 fields"), std::string::npos);
  EXPECT_EQ(m.find("line 2"), std::string::npos);
  EXPECT_EQ(ParseMethodsCsv("code,method\n0112345678,invoice\n").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(ParseMethodsCsv("institution_code,billing_method\n").status().code(),
            Code::kInvalidArgument);
}

class MethodsTest : public testing::RegisteredStoreTest {
 protected:
  std::optional<BillingMethod> InForce(const char* code, const char* month) {
    std::optional<BillingMethod> out;
    Status st = store::RunRead(*store_, [&](SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(out, MethodInForce(tx, code, month));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  int64_t Changes() {
    int64_t n = -1;
    Status st = store::RunRead(*store_, [&](SqlTx& tx) -> Status {
      static constexpr char kCount[] = "SELECT count(*) FROM billing_method_changes";
      ASSIGN_OR_RETURN(auto row, tx.QueryFirst(kCount));
      ASSIGN_OR_RETURN(n, row->Int(0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }
};

TEST_P(MethodsTest, DeductionIsRefusedForInvoiceOnlyCategoriesAndNothingIsWritten) {
  auto rows = ParseMethodsCsv(
      "institution_code,billing_method\n0112345678,invoice\n1310000001,deduction\n"
      "06130012,deduction\n9999999999,invoice\n");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  auto r = ApplyMethods(*store_, *rows, "operator:t", "methods.csv", At("2027-01-20T10:00"));
  ASSERT_EQ(r.status().code(), Code::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_NE(
      m.find("line 3, billing_method: deduction_not_allowed: 分類「特健機関」は払込請求書のみ"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find("line 4, billing_method: deduction_not_allowed: 分類「保険者」"),
            std::string::npos);
  EXPECT_NE(m.find("line 5, institution_code: not_registered"), std::string::npos);
  EXPECT_EQ(Changes(), 0);  // the good row 2 is not applied either
  EXPECT_EQ(InForce(kClinic, "2027-02"), BillingMethod::kDeduction);
}

TEST_P(MethodsTest, AChangeAppliesFromTheNextMonthAndRepeatingItChangesNothing) {
  auto rows =
      ParseMethodsCsv("institution_code,billing_method\n0112345678,invoice\n1310000001,invoice\n");
  ASSERT_TRUE(rows.ok());
  auto r = ApplyMethods(*store_, *rows, "operator:t", "methods.csv", At("2027-01-31T23:30"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->effective_month, "2027-02");  // 23:30 JST on the 31st is still January
  EXPECT_EQ(r->changed, 1);
  EXPECT_EQ(r->unchanged, 1);  // the checkup body pays by invoice already
  EXPECT_EQ(InForce(kClinic, "2027-01"), BillingMethod::kDeduction);
  EXPECT_EQ(InForce(kClinic, "2027-02"), BillingMethod::kInvoice);
  auto audit = store_->AuditBySubject(kClinic, 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "billing.method.change");
  EXPECT_NE((*audit)[0].details.find("\"effective_month\":\"2027-02\""), std::string::npos);

  auto again = ApplyMethods(*store_, *rows, "operator:t", "methods.csv", At("2027-01-31T23:40"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->changed, 0);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(Changes(), 1);

  // Back to deduction a month later: from March.
  auto back = SetMethod(*store_, kClinic, "deduction", "operator:t", At("2027-02-01T00:00"));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->effective_month, "2027-03");
  EXPECT_EQ(back->changed, 1);
  EXPECT_EQ(InForce(kClinic, "2027-02"), BillingMethod::kInvoice);
  EXPECT_EQ(InForce(kClinic, "2027-03"), BillingMethod::kDeduction);
  EXPECT_EQ(
      SetMethod(*store_, kInsurer, "deduction", "operator:t", At("2027-02-01")).status().code(),
      Code::kInvalidArgument);
  EXPECT_EQ(SetMethod(*store_, "01", "invoice", "operator:t", At("2027-02-01")).status().code(),
            Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, MethodsTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::billing
