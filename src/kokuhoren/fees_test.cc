// The 国保連 fee ledger on SQLite and PostgreSQL: a charge per application, on the right
// office, settled once, append-only; 発行手数料残高 = the ledger's sum.

#include "kokuhoren/fees.h"

#include <gtest/gtest.h>

#include <vector>

#include "kokuhoren/fees_test_fixture.h"
#include "kokuhoren/transfer.h"

namespace claimsca::kokuhoren {
namespace {

using namespace testing;  // NOLINT: the fixture's names
using ::testing::Values;

class KjFeesTest : public FeesTest {};

TEST_P(KjFeesTest, OffsetChargeLandsOnTheOffsetOfficeAtTheTariffAmount) {
  // An agent applies for office 2, offset against office 1's benefits.
  ChargeRequest r = AgentTransfer("app-1", kOffice2);
  r.method = PaymentMethod::kOffset;
  r.offset_office_number = kOffice;
  r.offset_account = kOfficeAccount;
  auto e = Charge(r);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->kind, EntryKind::kCharge);
  EXPECT_EQ(e->amount_yen, 7800);
  EXPECT_EQ(e->office_number, kOffice);
  EXPECT_EQ(e->account_id, kOfficeAccount);
  EXPECT_EQ(e->applicant_account, kAgent);
  EXPECT_EQ(e->entry_date, "2026-12-06");
  EXPECT_EQ(Balance(kOffice), 7800);
  EXPECT_EQ(Balance(kOffice2), 0);
  // No invoice for 相殺.
  ASSERT_OK(Read([&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto inv, InvoiceOfApplication(tx, "app-1"));
    EXPECT_FALSE(inv.has_value());
    return Status::Ok();
  }));
}

TEST_P(KjFeesTest, TransferChargeLandsOnTheCertificatesOfficeWithAnInvoice) {
  auto e = Charge(AgentTransfer("app-2", kOffice2));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->office_number, kOffice2);
  EXPECT_EQ(e->account_id, kAgent);
  EXPECT_EQ(Balance(kOffice2), 7800);
  ASSERT_OK(Read([&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto inv, InvoiceOfApplication(tx, "app-2"));
    EXPECT_TRUE(inv.has_value());
    if (!inv) return Status::Ok();
    EXPECT_EQ(inv->account_id, kAgent);
    EXPECT_EQ(inv->amount_yen, 7800);
    EXPECT_EQ(inv->office_number, kOffice2);
    EXPECT_EQ(inv->addressee_name, "代理人 介護請求センター");
    EXPECT_FALSE(inv->paid);
    EXPECT_EQ(ParseInvoiceNumber(inv->number), inv->invoice_id);
    // Due: the end of the next month, rolled to a business day (2027-01-31 is a Sunday).
    EXPECT_EQ(inv->due_date,
              (Date{std::chrono::year(2027), std::chrono::February, std::chrono::day(1)}));
    return Status::Ok();
  }));
}

TEST_P(KjFeesTest, ChargingTwiceIsIdempotentAndAnotherOfficeIsRefused) {
  ASSERT_TRUE(Charge(OwnOffset("app-3")).ok());
  auto again = Charge(OwnOffset("app-3"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Balance(kOffice), 7800);
  EXPECT_CODE(Charge(OwnOffset("app-3", kOffice2, kOffice2Account)).status(), kConflict);
  EXPECT_CODE(Charge(AgentTransfer("app-3")).status(), kConflict);
}

TEST_P(KjFeesTest, TheTariffInForceOnTheApplicationDayDecides) {
  // A later entry of the program (the operator's configuration) changes the amount from
  // its date; the renewal fee is the entry's renewal fee.
  auto entries = tariff_->entries();
  entries.push_back(
      {.effective_from = Date{std::chrono::year(2027), std::chrono::April, std::chrono::day(1)},
       .program = "kokuhoren",
       .issuance_fee_yen = 8000,
       .renewal_fee_yen = 6000,
       .mailing_fee_yen = 0});
  tariff_.emplace(domain::Tariff::Create(entries).value());
  ASSERT_TRUE(Charge(OwnOffset("app-a")).ok());
  const Instant april = ParseInstant("2027-04-01T00:00:00+09:00").value();
  ChargeRequest renew = OwnOffset("app-b");
  renew.renewal = true;
  auto e = Charge(renew, april);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->amount_yen, 6000);
  EXPECT_TRUE(e->renewal);
  EXPECT_EQ(Charge(OwnOffset("app-c"), april)->amount_yen, 8000);
  EXPECT_EQ(Balance(kOffice), 7800 + 6000 + 8000);
  // Before the program's first entry there is no fee to charge: the application fails.
  EXPECT_CODE(Charge(OwnOffset("app-d"), ParseInstant("2014-03-31").value()).status(), kNotFound);
}

TEST_P(KjFeesTest, BadRequestsAreRefused) {
  ChargeRequest r = OwnOffset("app-x");
  r.offset_office_number.clear();
  EXPECT_CODE(Charge(r).status(), kInvalidArgument);
  r = AgentTransfer("");
  EXPECT_CODE(Charge(r).status(), kInvalidArgument);
  EXPECT_EQ(Balance(kOffice), 0);
}

TEST_P(KjFeesTest, SettledOnceAndCancelledOnlyWhileOpen) {
  ASSERT_TRUE(Charge(OwnOffset("app-4")).ok());
  ASSERT_TRUE(Charge(OwnOffset("app-5")).ok());
  EXPECT_EQ(Balance(kOffice), 15600);
  ASSERT_OK(Tx([&](store::SqlTx& tx) -> Status {
    auto s = Settle(tx, "app-4", EntryKind::kOffset, "offset-file:2027-01", "operator:t", kNow);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (s.ok()) {
      EXPECT_EQ(s->amount_yen, -7800);
    }
    EXPECT_CODE(Settle(tx, "app-4", EntryKind::kPayment, "", "operator:t", kNow).status(),
                kConflict);
    EXPECT_CODE(Settle(tx, "nope", EntryKind::kPayment, "", "operator:t", kNow).status(),
                kNotFound);
    // A cancelled application: its open fee is cancelled; a settled one stays settled.
    ASSIGN_OR_RETURN(auto c, CancelCharge(tx, "app-5", "取消", "kj:x", kNow));
    EXPECT_TRUE(c.has_value());
    ASSIGN_OR_RETURN(auto c2, CancelCharge(tx, "app-4", "取消", "kj:x", kNow));
    EXPECT_FALSE(c2.has_value());
    ASSIGN_OR_RETURN(int64_t out, OutstandingOfApplication(tx, "app-5"));
    EXPECT_EQ(out, 0);
    return Status::Ok();
  }));
  EXPECT_EQ(Balance(kOffice), 0);
  std::vector<FeeEntry> entries;
  ASSERT_OK(Read([&](store::SqlTx& tx) {
    return ForEachFeeEntry(tx, kOffice, [&](const FeeEntry& e) {
      entries.push_back(e);
      return Status::Ok();
    });
  }));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[2].kind, EntryKind::kOffset);
  EXPECT_EQ(entries[2].reference, "offset-file:2027-01");
  EXPECT_EQ(entries[3].kind, EntryKind::kCancel);
  EXPECT_EQ(entries[3].reference, "取消");
}

// The ledger is append-only on both back ends: the database itself refuses edits.
TEST_P(KjFeesTest, LedgerRowsCannotBeEditedOrDeleted) {
  ASSERT_TRUE(Charge(AgentTransfer("app-6")).ok());
  static constexpr char kUpdate[] = "UPDATE kj_fee_ledger SET amount_yen = 1";
  static constexpr char kDelete[] = "DELETE FROM kj_fee_ledger";
  static constexpr char kDeleteInvoice[] = "DELETE FROM kj_invoices";
  for (const char* sql : {kUpdate, kDelete, kDeleteInvoice}) {
    EXPECT_FALSE(Tx([&](store::SqlTx& tx) { return tx.Exec(sql).status(); }).ok()) << sql;
  }
  EXPECT_EQ(Balance(kOffice), 7800);
}

TEST(KjFeesNames, EntryKinds) {
  for (EntryKind k :
       {EntryKind::kCharge, EntryKind::kOffset, EntryKind::kPayment, EntryKind::kCancel}) {
    EXPECT_EQ(ParseEntryKind(Name(k)), k);
  }
  EXPECT_FALSE(ParseEntryKind("refund").has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, KjFeesTest, Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
