// The fees wired into the applications part (on SQLite and PostgreSQL): Apply charges in
// its own transaction (a failing charge leaves no application), 振込 opens an invoice and
// awaits payment, the fee side of the payment confirmation.

#include "kokuhoren/fee_hooks.h"

#include <gtest/gtest.h>

#include "kokuhoren/applications_test_fixture.h"

namespace claimsca::kokuhoren {
namespace {

using namespace testing;  // NOLINT: the fixture's names

class KjFeeHooksTest : public KokuhorenTest {
 protected:
  void Wire(const domain::Tariff& tariff) {
    ApplicationOptions ao;
    ao.program = programs_.Find("kokuhoren").value();
    ao.sealer = &*sealer_;
    ao.on_apply = ChargeOnApply(tariff, InvoiceTerms{});
    apps_ = std::make_unique<Applications>(*store_, accounts_, clock_, ao);
  }
  int64_t Balance(const std::string& office) {
    int64_t b = -1;
    EXPECT_TRUE(store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
                  ASSIGN_OR_RETURN(b, BalanceOfOffice(tx, office));
                  return Status::Ok();
                }).ok());
    return b;
  }
  ApplyRequest AgentTransfer() {
    ApplyRequest r;
    r.account_id = kAgentAccount;
    r.office_number = kOffice2;
    r.issuance_password = "issue-a";
    r.payment = PaymentMethod::kTransfer;
    r.terms_accepted = true;
    return r;
  }
  domain::Tariff Kokuhoren() {
    return domain::Tariff::Create(domain::DefaultKokuhorenTariff()).value();
  }
};

TEST_P(KjFeeHooksTest, AnOfficesOwnApplicationIsChargedToItsOwnBalance) {
  const domain::Tariff tariff = Kokuhoren();
  Wire(tariff);
  auto a = apps_->Apply(OfficeRequest());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(Balance(kOffice), 7800);
  ASSERT_OK(store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<FeeEntry> c, ChargeOf(tx, a->id));
    EXPECT_TRUE(c.has_value());
    if (c) {
      EXPECT_EQ(c->method, PaymentMethod::kOffset);
      EXPECT_EQ(c->account_id, kOfficeAccount);
      EXPECT_EQ(c->actor, std::string("account:") + kOfficeAccount);
    }
    return Status::Ok();
  }));
  // 相殺: nothing to confirm by transfer.
  EXPECT_CODE(RecordTransferPaid(*store_, a->id, "", "operator:t", clock_.Now()),
              kFailedPrecondition);
  EXPECT_CODE(RecordTransferPaid(*store_, "KJA000000000000", "", "operator:t", clock_.Now()),
              kNotFound);
}

TEST_P(KjFeeHooksTest, TransferAwaitsPaymentWithAnInvoiceAndThePaymentSettlesIt) {
  const domain::Tariff tariff = Kokuhoren();
  Wire(tariff);
  auto a = apps_->Apply(AgentTransfer());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->state, ApplicationState::kAwaitingPayment);
  EXPECT_EQ(Balance(kOffice2), 7800);
  ASSERT_OK(RecordTransferPaid(*store_, a->id, "bank 01/12", "operator:sato", clock_.Now()));
  EXPECT_EQ(Balance(kOffice2), 0);
  auto moved = apps_->ConfirmPayment(a->id, "operator:sato");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->state, ApplicationState::kPending);
  // Again (an operator repeating it after a crash): the fee side is already done.
  ASSERT_OK(RecordTransferPaid(*store_, a->id, "", "operator:sato", clock_.Now()));
  EXPECT_EQ(Balance(kOffice2), 0);
}

TEST_P(KjFeeHooksTest, NoFeeNoApplication) {
  // A tariff without the program's entry: the charge fails, the application is not made.
  const domain::Tariff tariff = domain::Tariff::Create(domain::DefaultCommonTariff()).value();
  Wire(tariff);
  EXPECT_CODE(apps_->Apply(OfficeRequest()).status(), kNotFound);
  auto list = apps_->ListForOffice(kOffice);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  EXPECT_EQ(Balance(kOffice), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, KjFeeHooksTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
