// Moving not-yet-billed charges and method changes to another code (billing/ledger_move.h,
// migration 076) on both back ends: a credit note plus the same charge on the new code,
// billed charges left alone, a second move moving nothing, the method copied.

#include "billing/ledger_move.h"

#include <gtest/gtest.h>

#include "billing/ledger_store.h"
#include "billing/ledger_test_fixture.h"

namespace claimsca::billing {
namespace {

using store::SqlTx;
using testing::kClinic;

constexpr char kNewCode[] = "0110113719";
constexpr char kRun[] =
    "INSERT INTO billing_runs (month, state, issue_date, started_at, started_by) "
    "VALUES ('2027-01', 'done', '2027-01-10', 1800000000, 'test')";
constexpr char kBill[] =
    "INSERT INTO bills (number, run_month, institution_code, method, kind, amount_yen, "
    "certificates, issue_date, due_date, name, postal_code, address) VALUES ('B000000001', "
    "'2027-01', $1, 'deduction', 'regular', 2292, 1, '2027-01-10', NULL, 'n', '0050813', 'a')";
constexpr char kItem[] =
    "INSERT INTO bill_items (bill_number, entry_id, origin, amount_yen, certificate_ref, "
    "charge_date, request_id, terminal_name, kind, mailing_yen) VALUES ('B000000001', $1, "
    "'new', 2292, 'r', '2026-11-30', 'r', 't', 'new_application', 792)";
constexpr char kEntryOf[] =
    "SELECT entry_id FROM fee_charges WHERE request_id = $1 AND cancels_entry_id IS NULL "
    "ORDER BY entry_id";
constexpr char kMethod[] =
    "INSERT INTO billing_method_changes (institution_code, method, effective_month, "
    "changed_by, at, source) VALUES ($1, 'invoice', '2027-02', 'operator:x', 1800000000, 'cli')";

class LedgerMoveTest : public testing::LedgerFixture {
 protected:
  int64_t NetOf(const std::string& code, const std::string& month) {
    int64_t net = 0;
    Status st = store::RunRead(*store_, [&](SqlTx& tx) {
      return ForEachEntry(tx, month, code, [&](const LedgerEntry& e) {
        net += e.total_yen;
        return Status::Ok();
      });
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return net;
  }
};

TEST_P(LedgerMoveTest, UnbilledChargesMoveOnceBilledOnesStay) {
  Approve("20261201000001", kClinic, "0a01", "2026-11-30");  // billing month 2027-01, billed
  Approve("20261201000002", kClinic, "0a02", "2026-12-01");  // billing month 2027-02, not yet
  ASSERT_OK(store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto rows, tx.Query(kEntryOf, {"20261201000001"}));
    ASSIGN_OR_RETURN(int64_t billed, rows.at(0).Int(0));
    RETURN_IF_ERROR(tx.Exec(kRun).status());
    RETURN_IF_ERROR(tx.Exec(kBill, {kClinic}).status());
    return tx.Exec(kItem, {billed}).status();
  }));
  int64_t moved = -1;
  ASSERT_OK(store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(moved, MoveUnbilledCharges(tx, kClinic, kNewCode, "code swap", kT0));
    return Status::Ok();
  }));
  EXPECT_EQ(moved, 1);
  EXPECT_EQ(NetOf(kClinic, "2027-01"), 2292);   // billed: stays
  EXPECT_EQ(NetOf(kClinic, "2027-02"), 0);      // credited
  EXPECT_EQ(NetOf(kNewCode, "2027-02"), 2292);  // the same charge, same month
  // Again: nothing left to move.
  ASSERT_OK(store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(moved, MoveUnbilledCharges(tx, kClinic, kNewCode, "code swap", kT0));
    return Status::Ok();
  }));
  EXPECT_EQ(moved, 0);
  EXPECT_EQ(NetOf(kNewCode, "2027-02"), 2292);
}

TEST_P(LedgerMoveTest, MethodChangesAreCopied) {
  int64_t copied = -1;
  ASSERT_OK(store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kMethod, {kClinic}).status());
    ASSIGN_OR_RETURN(copied,
                     CopyMethodChanges(tx, kClinic, kNewCode, "operator:y", "newinst", kT0));
    return Status::Ok();
  }));
  EXPECT_EQ(copied, 1);
  ASSERT_OK(store::RunRead(*store_, [&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(auto m, MethodInForce(tx, kNewCode, "2027-03"));
    EXPECT_TRUE(m.has_value());
    if (m) {
      EXPECT_EQ(*m, domain::BillingMethod::kInvoice);
    }
    return Status::Ok();
  }));
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerMoveTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::billing
