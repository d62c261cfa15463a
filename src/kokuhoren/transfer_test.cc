// 振込: the invoice PDF (請求書を表示する), the operator's payment confirmation and the 全銀協
// payment import, on both back ends; the application part's hook runs in the payment's
// transaction (its failure rolls the payment back).

#include "kokuhoren/transfer.h"

#include <gtest/gtest.h>

#include <vector>

#include "billing/invoice_testing.h"
#include "billing/zengin_test_writer.h"
#include "kokuhoren/fees_test_fixture.h"
#include "pdf/testing/poppler.h"

namespace claimsca::kokuhoren {
namespace {

using namespace testing;  // NOLINT: the fixture's names
namespace zt = billing::testing;

const Date kToday{std::chrono::year(2026), std::chrono::December, std::chrono::day(6)};

class KjTransferTest : public FeesTest {
 protected:
  // The hook of the applications part, recorded: what was paid, by whom.
  PaymentHook Hook() {
    return [this](store::SqlTx&, const TransferInvoice& inv, std::string_view actor,
                  Instant) -> Status {
      if (fail_hook_) return FailedPrecondition("application " + inv.application_id + " cancelled");
      paid_.push_back(inv.application_id + " " + std::string(actor));
      return Status::Ok();
    };
  }
  TransferInvoice Invoice(const std::string& app) {
    TransferInvoice out;
    EXPECT_TRUE(Read([&](store::SqlTx& tx) -> Status {
                  ASSIGN_OR_RETURN(auto inv, InvoiceOfApplication(tx, app));
                  if (!inv) return NotFound(app);
                  out = *inv;
                  return Status::Ok();
                }).ok());
    return out;
  }
  Result<ImportSummary> Import(const std::string& bytes) {
    Result<ImportSummary> out = InvalidArgument("not run");
    Status st = Tx([&](store::SqlTx& tx) -> Status {
      out = ImportTransferPayments(tx, bytes, kToday, "operator:import", kNow, Hook());
      return out.status();
    });
    if (!st.ok()) return st;
    return out;
  }

  bool fail_hook_ = false;
  std::vector<std::string> paid_;
};

TEST_P(KjTransferTest, OperatorConfirmsAPaymentOnceAndTheHookMovesTheApplication) {
  ASSERT_TRUE(Charge(AgentTransfer("t1")).ok());
  const TransferInvoice inv = Invoice("t1");
  auto confirm = [&](const std::string& number) {
    return Tx([&](store::SqlTx& tx) {
      return ConfirmTransferPayment(tx, number, "みずほ 12/05", "operator:sato", kNow, Hook())
          .status();
    });
  };
  // The hook refuses: nothing is paid.
  fail_hook_ = true;
  EXPECT_CODE(confirm(inv.number), kFailedPrecondition);
  EXPECT_EQ(Balance(kOffice), 7800);
  EXPECT_FALSE(Invoice("t1").paid);
  fail_hook_ = false;
  ASSERT_OK(confirm(inv.number));
  EXPECT_EQ(paid_, std::vector<std::string>{"t1 operator:sato"});
  EXPECT_EQ(Balance(kOffice), 0);
  EXPECT_TRUE(Invoice("t1").paid);
  EXPECT_EQ(Invoice("t1").settled_by, "payment");
  EXPECT_CODE(confirm(inv.number), kConflict);
  EXPECT_CODE(confirm("9999999999"), kNotFound);
  EXPECT_CODE(confirm("2612000001"), kNotFound);  // a billing invoice number: not ours
  EXPECT_EQ(paid_.size(), 1u);
}

TEST_P(KjTransferTest, ImportPaysExactMatchesQueuesTheRestAndIsIdempotent) {
  ASSERT_TRUE(Charge(AgentTransfer("t1")).ok());
  ASSERT_TRUE(Charge(AgentTransfer("t2", kOffice2)).ok());
  ASSERT_TRUE(Charge(AgentTransfer("t3", kOffice2)).ok());
  const std::string n1 = Invoice("t1").number, n2 = Invoice("t2").number, n3 = Invoice("t3").number;
  std::vector<zt::TestTransfer> ts(5);
  ts[0].inquiry = "000001";
  ts[0].amount = 7800;
  ts[0].payer_name = n1 + "\xC0\xC5\xB6";  // "<number>ﾀﾅｶ": exact → paid
  ts[1].inquiry = "000002";
  ts[1].amount = 5000;
  ts[1].payer_name = n2 + "\xC0\xC5\xB6";  // short → queued (partial)
  ts[2].inquiry = "000003";
  ts[2].amount = 7800;
  ts[2].payer_code = n3;  // the bank's 振込依頼人コード → paid
  ts[3].inquiry = "000004";
  ts[3].amount = 1500;
  ts[3].payer_name = "2612000001\xC0\xC5\xB6";  // billing's invoice: not ours
  ts[4].inquiry = "000005";
  ts[4].amount = 7800;
  ts[4].payer_name = n1 + "\xC0\xC5\xB6";  // t1 again: excess → queued
  const std::string file = zt::Join(zt::Records(ts), "\r\n");

  auto s = Import(file);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->applied, 2);
  EXPECT_EQ(s->queued, 2);
  EXPECT_EQ(s->not_kokuhoren, 1);
  EXPECT_EQ(s->already, 0);
  ASSERT_EQ(s->transfers.size(), 4u);
  EXPECT_EQ(s->transfers[0].outcome, "applied");
  EXPECT_EQ(s->transfers[1].outcome, "partial");
  EXPECT_EQ(s->transfers[1].invoice_number, n2);
  EXPECT_EQ(s->transfers[3].outcome, "excess");
  EXPECT_EQ(paid_, (std::vector<std::string>{"t1 operator:import", "t3 operator:import"}));
  EXPECT_EQ(Balance(kOffice), 0);
  EXPECT_EQ(Balance(kOffice2), 7800);  // t2 open

  // The same file again: nothing new.
  auto again = Import(file);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->applied, 0);
  EXPECT_EQ(again->queued, 0);
  EXPECT_EQ(again->already, 4);
  EXPECT_EQ(paid_.size(), 2u);
  EXPECT_EQ(Balance(kOffice2), 7800);

  // A broken file is refused whole.
  std::string broken = file;
  broken[0] = 'X';
  EXPECT_CODE(Import(broken).status(), kInvalidArgument);
}

TEST_P(KjTransferTest, InvoicePdfShowsAmountPayeeDueDateAndApplication) {
  ChargeRequest r = AgentTransfer("kj-app-000123");
  ASSERT_TRUE(Charge(r).ok());
  const TransferInvoice inv = Invoice("kj-app-000123");
  const billing::InvoiceIssuer issuer = KokuhorenInvoiceIssuer(
      "東京都国民健康保険団体連合会", "1028575", "東京都千代田区飯田橋三丁目5番1号");
  auto bytes = RenderTransferInvoicePdf(inv, zt::Payee(), issuer);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  pdf::testing::PdfFile pdf(*bytes);
  EXPECT_EQ(pdf.Pages(), 1);
  const std::string text = pdf::testing::NoSpace(pdf.Text());
  for (const std::string& want :
       {inv.number, std::string("7,800"), std::string("みずほ銀行"), std::string("1234567"),
        std::string("kj-app-000123"), std::string("介護保険事業所番号1310000017"),
        std::string("代理人介護請求センター"), std::string("東京都国民健康保険団体連合会"),
        std::string("〒102-8575"), std::string("払込期限2027/02/01")}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << " not in:\n" << text;
  }
  // The common CA's sender (支払基金, 新橋) is not the issuer of this invoice.
  EXPECT_EQ(text.find("新橋"), std::string::npos);
  // Deterministic: the same invoice gives the same bytes.
  EXPECT_EQ(*RenderTransferInvoicePdf(inv, zt::Payee(), issuer), *bytes);
  billing::PayeeAccount no_payee;
  EXPECT_CODE(RenderTransferInvoicePdf(inv, no_payee, issuer).status(), kInvalidArgument);
}

TEST(KjInvoiceNumber, NineThenNineDigits) {
  EXPECT_EQ(InvoiceNumber(42), "9000000042");
  EXPECT_EQ(ParseInvoiceNumber("9000000042"), 42);
  EXPECT_FALSE(ParseInvoiceNumber("2612000042").has_value());
  EXPECT_FALSE(ParseInvoiceNumber("900000004").has_value());
  EXPECT_FALSE(ParseInvoiceNumber("9000000000").has_value());
  EXPECT_FALSE(ParseInvoiceNumber("90000x0042").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, KjTransferTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
