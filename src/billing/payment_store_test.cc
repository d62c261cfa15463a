// The payments tables (migration 040) through store::SqlTx on both back ends: an import
// applied / queued / skipped in one transaction, a bad file leaving nothing, the operator's
// resolutions, the unpaid list and the non-payment records, all audited and append-only.

#include "billing/payment_store.h"

#include <gtest/gtest.h>

#include "billing/zengin_test_writer.h"
#include "store/module_sql.h"
#include "store/store_test_fixture.h"

namespace claimsca::billing {
namespace {

using store::SqlTx;
using store::test::kT0;
using testing::TestTransfer;

const Date kToday{std::chrono::year{2026}, std::chrono::month{12}, std::chrono::day{6}};
Date Day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

class PaymentStoreTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Three invoices of the 2026-10 run (as the run writes them), due 2026-11-30.
    ASSERT_OK(store::RunInTransaction(*store_, [](SqlTx& tx) -> Status {
      static constexpr char kRun[] =
          "INSERT INTO billing_runs (month, state, issue_date, started_at, started_by) "
          "VALUES ('2026-10', 'done', '2026-10-13', 0, 'test')";
      static constexpr char kBill[] =
          "INSERT INTO bills (number, run_month, institution_code, method, kind, amount_yen, "
          "certificates, issue_date, due_date, name, postal_code, address) VALUES ($1, "
          "'2026-10', $2, $3, 'regular', 3000, 1, '2026-10-13', $4, 'テスト', '0640809', '札幌市')";
      static constexpr char kItem[] =
          "INSERT INTO bill_items (bill_number, entry_id, origin, amount_yen, certificate_ref, "
          "charge_date, request_id, terminal_name, kind, mailing_yen) "
          "VALUES ($1, $2, 'new', 3000, 'ab12', '2026-08-03', $3, '受付PC', 'issuance', 792)";
      RETURN_IF_ERROR(tx.Exec(kRun).status());
      for (int i = 1; i <= 4; ++i) {
        const std::string number = "261000000" + std::to_string(i);
        const bool deduction = i == 4;
        const store::SqlValue due = deduction ? store::SqlValue() : store::SqlValue("2026-11-30");
        RETURN_IF_ERROR(tx.Exec(kBill, {number, "011011249" + std::to_string(i),
                                        deduction ? "deduction" : "invoice", due})
                            .status());
        RETURN_IF_ERROR(
            tx.Exec(kItem, {number, int64_t{i}, "2026100100000" + std::to_string(i)}).status());
      }
      return Status::Ok();
    }));
  }

  int64_t Count(const char* sql) {
    int64_t n = -1;
    const Status st = store::RunRead(*store_, [&](SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(auto r, tx.QueryFirst(sql));
      ASSIGN_OR_RETURN(n, r->Int(0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }

  static TestTransfer Pay(const std::string& inquiry, int64_t amount, const std::string& name) {
    TestTransfer t;
    t.inquiry = inquiry;
    t.amount = amount;
    t.payer_name = name;
    return t;
  }
};

constexpr char kPayments[] = "SELECT count(*) FROM payments";
constexpr char kApplications[] = "SELECT count(*) FROM payment_applications";
constexpr char kImportAudits[] =
    "SELECT count(*) FROM audit_log WHERE action = 'billing.payments.import'";

TEST_P(PaymentStoreTest, ImportAppliesTheExactPaymentQueuesTheRestAndIsIdempotent) {
  const std::string file = testing::Join(testing::Records({
      Pay("000001", 3000, "2610000001\xB8\xD8\xC6\xC2\xB8"),  // exact
      Pay("000002", 1000, "2610000002"),                      // partial
      Pay("000003", 3000, "2610000009"),                      // unknown
      Pay("000004", 3000, "2610000004"),                      // a deduction bill: unknown
  }));
  auto r = ImportPayments(*store_, file, "f1", kToday, kT0, "operator:t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->repeated_file);
  EXPECT_EQ(r->transfers, 4);
  EXPECT_EQ(r->applied, 1);
  EXPECT_EQ(r->queued, 3);
  EXPECT_EQ(r->lines[0], "record 2 000001 3000 applied 2610000001");
  EXPECT_EQ(Count(kApplications), 1);
  // The same bytes: nothing. A file repeating transfer 000001 (other layout): skipped.
  r = ImportPayments(*store_, file, "f1-again", kToday, kT0, "operator:t");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->repeated_file);
  r = ImportPayments(*store_,
                     testing::Join(testing::Records({Pay("000001", 3000, "2610000001")}), "\r\n"),
                     "f2", kToday, kT0, "operator:t");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->skipped, 1);
  EXPECT_EQ(r->applied, 0);
  EXPECT_EQ(Count(kPayments), 4);
  EXPECT_EQ(Count(kApplications), 1);
  EXPECT_EQ(Count(kImportAudits), 2);
  // A bad file: refused, nothing recorded, no audit row.
  std::vector<std::string> bad = testing::Records({Pay("000009", 3000, "2610000003")});
  bad[2].replace(7, 12, "000000003001");
  r = ImportPayments(*store_, testing::Join(bad), "bad", kToday, kT0, "operator:t");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("record 3, field 振込合計金額"), std::string::npos);
  EXPECT_EQ(Count(kPayments), 4);
  EXPECT_EQ(Count(kImportAudits), 2);
  // Append-only.
  EXPECT_FALSE(store::RunInTransaction(*store_, [](SqlTx& tx) -> Status {
                 static constexpr char kUpdate[] = "UPDATE payments SET amount_yen = 1";
                 return tx.Exec(kUpdate).status();
               }).ok());
}

TEST_P(PaymentStoreTest, QueueResolutionsAndNonPayment) {
  ASSERT_TRUE(ImportPayments(*store_,
                             testing::Join(testing::Records({Pay("000001", 1000, "2610000001"),
                                                             Pay("000002", 3500, "2610000002"),
                                                             Pay("000003", 100, "\xC0\xC5\xB6")})),
                             "f", kToday, kT0, "operator:t")
                  .ok());
  auto q = PaymentQueue(*store_);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[0].outcome, "partial");
  EXPECT_EQ((*q)[1].outcome, "excess");
  EXPECT_EQ((*q)[2].outcome, "no_invoice_number");
  EXPECT_EQ((*q)[2].payer_name, "タナカ");
  // Apply the excess to its invoice (overpaid by 500), ignore the unnamed one.
  auto applied =
      ResolvePayment(*store_, (*q)[1].id, Resolution::kApply, "2610000002", "", kT0, "operator:t");
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->open_before, 3000);
  EXPECT_EQ(applied->open_after, -500);
  EXPECT_EQ(ResolvePayment(*store_, (*q)[1].id, Resolution::kIgnore, "", "x", kT0, "operator:t")
                .status()
                .code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(ResolvePayment(*store_, (*q)[2].id, Resolution::kApply, "2610000004", "", kT0, "o")
                .status()
                .code(),
            Code::kNotFound);  // a deduction bill is no invoice
  EXPECT_EQ(
      ResolvePayment(*store_, (*q)[2].id, Resolution::kIgnore, "", "", kT0, "o").status().code(),
      Code::kInvalidArgument);  // a reason is required
  ASSERT_TRUE(ResolvePayment(*store_, (*q)[2].id, Resolution::kRefund, "", "返金", kT0, "o").ok());
  EXPECT_EQ(PaymentQueue(*store_)->size(), 1u);
  // The partial one: the operator applies it; the invoice stays open for the rest.
  auto partial =
      ResolvePayment(*store_, (*q)[0].id, Resolution::kApply, "2610000001", "", kT0, "operator:t");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->open_after, 2000);
  EXPECT_TRUE(PaymentQueue(*store_)->empty());

  // Unpaid: 2610000001 (1000 of 3000) and 2610000003 (nothing) after 11-30 + 14 days.
  EXPECT_TRUE(UnpaidInvoices(*store_, Day(2026, 12, 14), 14)->empty());
  auto unpaid = UnpaidInvoices(*store_, Day(2026, 12, 15), 14);
  ASSERT_TRUE(unpaid.ok());
  ASSERT_EQ(unpaid->size(), 2u);
  EXPECT_EQ((*unpaid)[0].number, "2610000001");
  EXPECT_EQ((*unpaid)[0].paid_yen, 1000);
  EXPECT_EQ((*unpaid)[1].number, "2610000003");
  EXPECT_EQ(NonPaymentOf(*store_, "2610000001", Day(2026, 12, 14), 14).status().code(),
            Code::kFailedPrecondition);  // within the grace
  EXPECT_EQ(NonPaymentOf(*store_, "2610000002", Day(2026, 12, 15), 14).status().code(),
            Code::kFailedPrecondition);  // paid
  EXPECT_EQ(NonPaymentOf(*store_, "2610000004", Day(2026, 12, 15), 14).status().code(),
            Code::kFailedPrecondition);  // a deduction
  EXPECT_EQ(NonPaymentOf(*store_, "2699999999", Day(2026, 12, 15), 14).status().code(),
            Code::kNotFound);
  auto c = NonPaymentOf(*store_, "2610000001", Day(2026, 12, 15), 14);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->request_ids, std::vector<std::string>{"20261001000001"});
  auto id = ConfirmNonPayment(*store_, *c, 14, kT0, "operator:suzuki");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_OK(RecordNonPaymentRevocations(
      *store_, *id, "2610000001", {{"20261001000001", "revoked", "ab12"}}, kT0, "operator:suzuki"));
  EXPECT_EQ(UnpaidInvoices(*store_, Day(2026, 12, 15), 14)->at(0).confirmations, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action LIKE 'billing.%'"), 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, PaymentStoreTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::billing
