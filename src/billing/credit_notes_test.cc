// CreditInstitution (credit_notes.h) on both back ends: every charge of the institution in
// force is credited once, other institutions are untouched, a repeat credits nothing.

#include "billing/credit_notes.h"

#include <gtest/gtest.h>

#include "billing/ledger_store.h"
#include "billing/ledger_test_fixture.h"

namespace claimsca::billing {
namespace {

using store::SqlTx;
using store::test::kT0;
using testing::kCheckup;
using testing::kClinic;

class CreditNotesTest : public testing::LedgerFixture {
 protected:
  Result<int64_t> Credit(const std::string& code) {
    int64_t yen = -1;
    Status st = store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(yen, CreditInstitution(tx, code, kT0, "指定なし: test"));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return yen;
  }
  int64_t Net(const std::string& rid, const std::string& serial) {
    int64_t net = -1;
    EXPECT_TRUE(store::RunRead(*store_, [&](SqlTx& tx) -> Status {
                  ASSIGN_OR_RETURN(net, NetYenOfCertificate(tx, rid, serial));
                  return Status::Ok();
                }).ok());
    return net;
  }
};

TEST_P(CreditNotesTest, EveryChargeOfTheInstitutionIsCreditedOnce) {
  Approve("20270101000001", kClinic, "aa01", "2027-01-10");
  Approve("20270101000002", kClinic, "aa02", "2027-01-12");
  Approve("20270101000003", kCheckup, "bb01", "2027-01-12");
  ASSERT_EQ(Net("20270101000001", "aa01"), 2292);

  auto yen = Credit(kClinic);
  ASSERT_TRUE(yen.ok()) << yen.status().ToString();
  EXPECT_EQ(*yen, 2 * 2292);
  EXPECT_EQ(Net("20270101000001", "aa01"), 0);
  EXPECT_EQ(Net("20270101000002", "aa02"), 0);
  EXPECT_EQ(Net("20270101000003", "bb01"), 2292);  // another institution: untouched

  // A repeat finds nothing in force: no second credit note.
  auto again = Credit(kClinic);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Net("20270101000001", "aa01"), 0);

  // The credit notes carry the reason and name the entry they cancel.
  int credits = 0;
  ASSERT_TRUE(store::RunRead(*store_, [&](SqlTx& tx) {
                return ForEachEntry(tx, "", kClinic, [&](const LedgerEntry& e) {
                  if (e.is_credit()) {
                    ++credits;
                    EXPECT_EQ(e.reason, "指定なし: test");
                    EXPECT_LT(e.total_yen, 0);
                  }
                  return Status::Ok();
                });
              }).ok());
  EXPECT_EQ(credits, 2);
}

TEST_P(CreditNotesTest, AReasonIsRequired) {
  Status st = store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
    return CreditInstitution(tx, kClinic, kT0, "").status();
  });
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, CreditNotesTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::billing
