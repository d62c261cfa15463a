// The ledger (billing/ledger_store.h, migration 023) on both back ends: entries written by
// the store's application operations, credit notes instead of deletions, the database's
// append-only rule, net amounts per certificate, the run's and the portal's reads, and the
// billing method in force.

#include "billing/ledger_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "billing/ledger_test_fixture.h"

namespace claimsca::billing {
namespace {

using std::chrono::seconds;
using store::AuditEvent;
using store::FeeCharge;
using store::SqlTx;
using store::test::kT0;
using testing::kCheckup;
using testing::kClinic;

constexpr char kHolder[] = "approver-1";

class LedgerStoreTest : public testing::LedgerFixture {
 protected:
  store::RenewalResult Renewal(const std::string& from, const std::string& to) {
    store::RenewalResult r;
    r.previous_serial = from;
    r.serial = to;
    r.common_name = "cn-" + to;
    r.issued_at = kT0;
    r.not_after = kT0 + seconds(86400 * 730);
    return r;
  }

  std::vector<LedgerEntry> Entries(const std::string& month, const std::string& code = "") {
    std::vector<LedgerEntry> out;
    Status st = store::RunRead(*store_, [&](SqlTx& tx) {
      return ForEachEntry(tx, month, code, [&](const LedgerEntry& e) {
        out.push_back(e);
        return Status::Ok();
      });
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  int64_t Net(const std::string& rid, const std::string& serial) {
    int64_t net = -1;
    Status st = store::RunRead(*store_, [&](SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(net, NetYenOfCertificate(tx, rid, serial));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return net;
  }
};

TEST_P(LedgerStoreTest, ApprovalWritesOneEntryForTheCertificateInTheMonthAfterNext) {
  Approve("20260000000001", kClinic, "aa01", "2026-11-30");
  auto all = Entries("");
  ASSERT_EQ(all.size(), 1u);
  const LedgerEntry& e = all[0];
  EXPECT_EQ(e.serial, "aa01");  // the first issuance names its certificate too
  EXPECT_EQ(e.billing_month, "2027-01");
  EXPECT_EQ(e.kind, "new_application");
  EXPECT_EQ(e.issuance_fee_yen, 1500);
  EXPECT_EQ(e.mailing_fee_yen, 792);
  EXPECT_EQ(e.total_yen, 2292);
  EXPECT_FALSE(e.is_credit());
  EXPECT_EQ(e.terminal_name, "受付PC 01");
  EXPECT_EQ(Net("20260000000001", "aa01"), 2292);
  EXPECT_TRUE(Entries("2026-12").empty());
}

TEST_P(LedgerStoreTest, TheDatabaseRefusesEditsAndDeletions) {
  Approve("20260000000001", kClinic, "aa01", "2026-11-30");
  static constexpr char kEdit[] = "UPDATE fee_charges SET total_yen = 0";
  static constexpr char kDelete[] = "DELETE FROM fee_charges";
  Status st = store::RunInTransaction(*store_, [](SqlTx& tx) { return tx.Exec(kEdit).status(); });
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("append-only"), std::string::npos) << st.ToString();
  st = store::RunInTransaction(*store_, [](SqlTx& tx) { return tx.Exec(kDelete).status(); });
  EXPECT_FALSE(st.ok());
  ASSERT_EQ(Entries("").size(), 1u);
  EXPECT_EQ(Entries("")[0].total_yen, 2292);
}

// A renewal whose answer was lost is retried with another key: the unconfirmed certificate
// is replaced, its charge cancelled by a credit note in the same transaction. The
// application nets one renewal fee.
TEST_P(LedgerStoreTest, AReplacedRenewalIsCreditedAndNetsOneCharge) {
  const std::string rid = "20260000000001";
  Approve(rid, kClinic, "aa01", "2026-11-02");
  Certificate(rid, "bb02", kClinic);
  ASSERT_OK(store_->RecordRenewed(rid, Renewal("aa01", "bb02"),
                                  Fee("renewal", "2027-10-05", 1500, 0),
                                  Audit("certificate.renew", rid, kT0)));
  Certificate(rid, "cc03", kClinic);
  const Instant retry_at =
      JstMidnight(Date{std::chrono::year(2027), std::chrono::month(10), std::chrono::day(6)}) +
      seconds(3600);
  ASSERT_OK(store_->ReplaceUnconfirmedRenewal(rid, "bb02", Renewal("aa01", "cc03"),
                                              Fee("renewal", "2027-10-06", 1500, 0),
                                              Audit("certificate.renew", rid, retry_at)));
  auto month = Entries("2027-12");
  ASSERT_EQ(month.size(), 3u);
  EXPECT_EQ(month[0].serial, "bb02");
  EXPECT_EQ(month[0].total_yen, 1500);
  const LedgerEntry& credit = month[1];
  EXPECT_TRUE(credit.is_credit());
  EXPECT_EQ(*credit.cancels_entry_id, month[0].entry_id);
  EXPECT_EQ(credit.serial, "bb02");
  EXPECT_EQ(credit.total_yen, -1500);
  EXPECT_EQ(credit.issuance_fee_yen, -1500);
  EXPECT_EQ(credit.charge_date, "2027-10-06");
  EXPECT_EQ(credit.billing_month, "2027-12");  // the charge's month: not billed yet
  EXPECT_NE(credit.reason.find("replaced by cc03"), std::string::npos) << credit.reason;
  EXPECT_EQ(month[2].serial, "cc03");
  EXPECT_EQ(month[2].total_yen, 1500);
  EXPECT_EQ(Net(rid, "bb02"), 0);
  EXPECT_EQ(Net(rid, "cc03"), 1500);
  int64_t renewal_net = 0;
  for (const auto& e : month) renewal_net += e.total_yen;
  EXPECT_EQ(renewal_net, 1500);
  // The store's list of charges shows the charges in force only.
  auto in_force = store_->ListFeeCharges("2027-10-01", "2027-10-31");
  ASSERT_TRUE(in_force.ok());
  ASSERT_EQ(in_force->size(), 1u);
  EXPECT_EQ((*in_force)[0].serial, "cc03");
  // The same replacement again changes nothing (no second credit: the unique rule).
  EXPECT_FALSE(store_
                   ->ReplaceUnconfirmedRenewal(rid, "bb02", Renewal("aa01", "cc03"),
                                               Fee("renewal", "2027-10-06", 1500, 0),
                                               Audit("certificate.renew", rid, retry_at))
                   .ok());
  EXPECT_EQ(Entries("").size(), 4u);
}

// The credit of a charge whose billing month is already under way goes to the next month.
TEST_P(LedgerStoreTest, ACreditAfterTheBillingMonthBeganGoesToTheNextMonth) {
  const std::string rid = "20260000000001";
  Approve(rid, kClinic, "aa01", "2026-11-02");
  Certificate(rid, "bb02", kClinic);
  ASSERT_OK(store_->RecordRenewed(rid, Renewal("aa01", "bb02"),
                                  Fee("renewal", "2027-10-30", 1500, 0),
                                  Audit("certificate.renew", rid, kT0)));
  // Reverted on 2028-01-04 (JST): the renewal's billing month 2027-12 is past.
  const Instant at =
      JstMidnight(Date{std::chrono::year(2028), std::chrono::month(1), std::chrono::day(4)});
  store::RenewalResult restore = Renewal("bb02", "aa01");
  ASSERT_OK(
      store_->RevertRenewal(rid, "bb02", restore, 4, Audit("certificate.renewal_revert", rid, at)));
  auto credit = Entries("2028-02");
  ASSERT_EQ(credit.size(), 1u);
  EXPECT_TRUE(credit[0].is_credit());
  EXPECT_EQ(credit[0].total_yen, -1500);
  EXPECT_EQ(credit[0].charge_date, "2028-01-04");
  EXPECT_NE(credit[0].reason.find("reverted"), std::string::npos);
  EXPECT_EQ(Net(rid, "bb02"), 0);
  EXPECT_EQ(Entries("2027-12").size(), 1u);
}

TEST_P(LedgerStoreTest, TheMonthIsReadInInstitutionOrderAndThePortalNewestFirst) {
  Approve("20260000000001", kClinic, "aa01", "2026-11-02");
  Approve("20260000000002", kCheckup, "aa02", "2026-11-03");
  Approve("20260000000003", kClinic, "aa03", "2026-11-04");
  Approve("20260000000004", kClinic, "aa04", "2026-12-01");
  std::vector<std::pair<std::string, int64_t>> seen;
  ASSERT_OK(store::RunRead(*store_, [&](SqlTx& tx) {
    return ForEachEntryOfMonth(tx, "2027-01", [&](const LedgerEntry& e) {
      seen.emplace_back(e.institution_code, e.entry_id);
      return Status::Ok();
    });
  }));
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first, kClinic);
  EXPECT_EQ(seen[1].first, kClinic);
  EXPECT_LT(seen[0].second, seen[1].second);
  EXPECT_EQ(seen[2].first, kCheckup);

  ASSERT_OK(store::RunRead(*store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(LedgerPage p1, EntriesOfInstitution(tx, kClinic, 0, 2));
    EXPECT_EQ(p1.entries.size(), 2u);
    EXPECT_EQ(p1.entries[0].serial, "aa04");
    EXPECT_EQ(p1.entries[1].serial, "aa03");
    EXPECT_NE(p1.next_before, 0);
    ASSIGN_OR_RETURN(LedgerPage p2, EntriesOfInstitution(tx, kClinic, p1.next_before, 2));
    EXPECT_EQ(p2.entries.size(), 1u);
    EXPECT_EQ(p2.entries[0].serial, "aa01");
    EXPECT_EQ(p2.next_before, 0);
    EXPECT_EQ(EntriesOfInstitution(tx, kClinic, 0, 0).status().code(), Code::kInvalidArgument);
    return Status::Ok();
  }));

  // The run's view: one ChargeItem per entry.
  LedgerSource source = MakeLedgerSource();
  std::vector<ChargeItem> items;
  ASSERT_OK(store::RunRead(*store_, [&](SqlTx& tx) {
    return source.for_each_charge(tx, YearMonth(std::chrono::year(2027), std::chrono::month(1)),
                                  [&](const ChargeItem& c) {
                                    items.push_back(c);
                                    return Status::Ok();
                                  });
  }));
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].certificate_ref, "aa01");
  EXPECT_EQ(items[0].amount_yen, 2292);
  EXPECT_EQ(items[0].mailing_yen, 792);
  EXPECT_EQ(items[0].kind, "new_application");
  EXPECT_EQ(items[0].charge_date,
            (Date{std::chrono::year(2026), std::chrono::month(11), std::chrono::day(2)}));
  EXPECT_EQ(items[0].terminal_name, "受付PC 01");
}

TEST_P(LedgerStoreTest, TheMethodInForceIsTheLatestChangeElseTheRegisters) {
  static constexpr char kChange[] =
      "INSERT INTO billing_method_changes (institution_code, method, effective_month, "
      "changed_by, at, source) VALUES ($1, $2, $3, 'operator:t', 0, 'test')";
  ASSERT_OK(store::RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kChange, {kClinic, "invoice", "2027-03"}).status());
    return tx.Exec(kChange, {kClinic, "deduction", "2027-06"}).status();
  }));
  ASSERT_OK(store::RunRead(*store_, [](SqlTx& tx) -> Status {
    using domain::BillingMethod;
    auto at = [&](const char* code, const char* month) {
      auto m = MethodInForce(tx, code, month);
      EXPECT_TRUE(m.ok()) << m.status().ToString();
      return m.ok() ? *m : std::nullopt;
    };
    EXPECT_EQ(at(kClinic, "2027-02"), BillingMethod::kDeduction);  // the register's
    EXPECT_EQ(at(kClinic, "2027-03"), BillingMethod::kInvoice);
    EXPECT_EQ(at(kClinic, "2027-05"), BillingMethod::kInvoice);
    EXPECT_EQ(at(kClinic, "2027-06"), BillingMethod::kDeduction);
    EXPECT_EQ(at(kCheckup, "2027-06"), BillingMethod::kInvoice);
    EXPECT_EQ(at("9999999999", "2027-06"), std::nullopt);
    ASSIGN_OR_RETURN(auto all, MethodsInForce(tx, "2027-04", {kClinic, kCheckup, "9999999999"}));
    EXPECT_EQ(all.size(), 2u);
    EXPECT_EQ(all[kClinic], BillingMethod::kInvoice);
    EXPECT_EQ(all[kCheckup], BillingMethod::kInvoice);
    return Status::Ok();
  }));
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerStoreTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::billing
