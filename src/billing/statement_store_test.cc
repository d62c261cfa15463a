// The statement (billing/statement.h) over a real store, on both back ends: ledger entries
// written by approvals, bills, results and payments as the run and the payments part record
// them, and the states, invoices, paging and the 404 of another institution's invoice.

#include <gtest/gtest.h>

#include "billing/ledger_test_fixture.h"
#include "billing/statement.h"
#include "store/module_sql.h"

namespace claimsca::billing {
namespace {

using store::SqlTx;
using testing::kCheckup;
using testing::kClinic;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

constexpr char kRun[] =
    "INSERT INTO billing_runs (month, state, issue_date, started_at, started_by) "
    "VALUES ($1, 'done', $2, 1800000000, 'test')";
constexpr char kBill[] =
    "INSERT INTO bills (number, run_month, institution_code, method, kind, amount_yen, "
    "certificates, issue_date, due_date, name, postal_code, address) "
    "VALUES ($1, $2, $3, $4, $5, 2292, 1, $6, $7, '医療法人 愛全病院', '0050813', '札幌市南区')";
constexpr char kItem[] =
    "INSERT INTO bill_items (bill_number, entry_id, origin, amount_yen, certificate_ref, "
    "charge_date, request_id, terminal_name, kind, mailing_yen) "
    "VALUES ($1, $2, $3, 2292, $4, '2026-11-30', $4, '受付PC', 'new_application', 792)";
constexpr char kImport[] =
    "INSERT INTO deduction_imports (run_month, file_sha256, lines, imported_at, imported_by) "
    "VALUES ($1, $2, 1, 1800000000, 'test') RETURNING id";
constexpr char kResult[] =
    "INSERT INTO deduction_results (bill_number, outcome, amount_yen, import_id) "
    "VALUES ($1, $2, 2292, $3)";
constexpr char kPaymentFile[] =
    "INSERT INTO payment_files (sha256, file_name, transfers, imported_at, imported_by) "
    "VALUES ($1, 'f.zengin', 1, 1800000000, 'test') RETURNING id";
constexpr char kPayment[] =
    "INSERT INTO payments (transfer_key, file_id, record, inquiry_number, booking_date, "
    "value_date, amount_yen, payer_code, payer_name, remitting_bank, remitting_branch, edi, "
    "cancelled, outcome, invoice_number, candidates, record_hex) VALUES ('k1', $3, 2, "
    "'000001', '2027-04-01', '2027-04-01', 2292, '0000000000', 'x', 'b', 'br', '', 0, "
    "'applied', $1, $1, $2) RETURNING id";
constexpr char kApplied[] =
    "INSERT INTO payment_applications (payment_id, bill_number, amount_yen, how, applied_at, "
    "applied_by) VALUES ($2, $1, 2292, 'matched', 1800000000, 'test')";

class StatementStoreTest : public testing::LedgerFixture {
 protected:
  Status Sql(const std::function<Status(SqlTx&)>& fn) {
    return store::RunInTransaction(*store_, fn);
  }
  StatementPage Page(const char* code, Date today, int64_t before = 0, int limit = 50) {
    auto p = LoadStatement(*store_, code, before, limit, today);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? *p : StatementPage{};
  }
};

TEST_P(StatementStoreTest, StatesFromTheOtherPartsTables) {
  Approve("20260000000001", kClinic, "aa01", "2026-11-30");
  StatementPage p = Page(kClinic, D(2026, 12, 6));
  ASSERT_EQ(p.lines.size(), 1u);
  const StatementLine l = p.lines[0];
  EXPECT_EQ(l.request_id, "20260000000001");
  EXPECT_EQ(l.amount_yen, 2292);
  EXPECT_EQ(l.mailing_yen, 792);
  EXPECT_EQ(l.billing_month, "2027-01");
  EXPECT_EQ(l.method, "deduction");  // the register's
  EXPECT_EQ(l.state.state, ChargeState::kScheduled);
  EXPECT_EQ(p.next_before, 0);
  const int64_t id = l.entry_id;

  // January: a deduction bill, not deducted.
  ASSERT_OK(Sql([&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kRun, {"2027-01", "2027-01-12"}).status());
    RETURN_IF_ERROR(tx.Exec(kBill, {"2701000001", "2027-01", kClinic, "deduction", "regular",
                                    "2027-01-12", nullptr})
                        .status());
    RETURN_IF_ERROR(tx.Exec(kItem, {"2701000001", id, "new", "20260000000001"}).status());
    return Status::Ok();
  }));
  EXPECT_EQ(Page(kClinic, D(2027, 1, 20)).lines[0].state.state, ChargeState::kScheduled);
  ASSERT_OK(Sql([&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> row,
                     tx.QueryFirst(kImport, {"2027-01", std::string(64, 'a')}));
    ASSIGN_OR_RETURN(int64_t import_id, row->Int(0));
    return tx.Exec(kResult, {"2701000001", "not_deducted", import_id}).status();
  }));
  StatementLine failed = Page(kClinic, D(2027, 1, 30)).lines[0];
  EXPECT_EQ(failed.state.state, ChargeState::kNotDeducted);
  EXPECT_EQ(failed.state.bill->bill_number, "2701000001");

  // March: a fallback invoice due 2027-04-30.
  ASSERT_OK(Sql([&](SqlTx& tx) -> Status {
    RETURN_IF_ERROR(tx.Exec(kRun, {"2027-03", "2027-03-10"}).status());
    RETURN_IF_ERROR(tx.Exec(kBill, {"2703000001", "2027-03", kClinic, "invoice", "fallback",
                                    "2027-03-10", "2027-04-30"})
                        .status());
    return tx.Exec(kItem, {"2703000001", id, "fallback", "20260000000001"}).status();
  }));
  StatementLine invoiced = Page(kClinic, D(2027, 4, 30)).lines[0];
  EXPECT_EQ(invoiced.state.state, ChargeState::kInvoiced);
  EXPECT_EQ(invoiced.method, "invoice");
  EXPECT_EQ(Page(kClinic, D(2027, 5, 1)).lines[0].state.state, ChargeState::kUnpaid);
  auto invoices = LoadInvoices(*store_, kClinic, D(2027, 5, 1));
  ASSERT_OK(invoices.status());
  ASSERT_EQ(invoices->size(), 1u);
  EXPECT_EQ((*invoices)[0].number, "2703000001");
  EXPECT_EQ((*invoices)[0].state, ChargeState::kUnpaid);
  EXPECT_EQ((*invoices)[0].kind, "fallback");

  // Paid in full.
  ASSERT_OK(Sql([&](SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> file,
                     tx.QueryFirst(kPaymentFile, {std::string(64, 'b')}));
    ASSIGN_OR_RETURN(int64_t file_id, file->Int(0));
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> payment,
                     tx.QueryFirst(kPayment, {"2703000001", std::string(400, '0'), file_id}));
    ASSIGN_OR_RETURN(int64_t payment_id, payment->Int(0));
    return tx.Exec(kApplied, {"2703000001", payment_id}).status();
  }));
  EXPECT_EQ(Page(kClinic, D(2027, 5, 1)).lines[0].state.state, ChargeState::kPaid);
  invoices = LoadInvoices(*store_, kClinic, D(2027, 5, 1));
  ASSERT_OK(invoices.status());
  EXPECT_EQ((*invoices)[0].paid_yen, 2292);
  EXPECT_EQ((*invoices)[0].state, ChargeState::kPaid);

  // Another institution sees nothing of it; its invoice is not found for it; a deduction
  // bill is no invoice.
  EXPECT_TRUE(Page(kCheckup, D(2027, 5, 1)).lines.empty());
  billing::PayeeAccount payee{"銀行", "支店", "普通", "1234567", "ﾃｽﾄ"};
  EXPECT_EQ(InvoicePdfOf(*store_, kCheckup, "2703000001", payee, {}).status().code(),
            Code::kNotFound);
  EXPECT_EQ(InvoicePdfOf(*store_, kClinic, "2701000001", payee, {}).status().code(),
            Code::kNotFound);
  EXPECT_EQ(InvoicePdfOf(*store_, kClinic, "2799999999", payee, {}).status().code(),
            Code::kNotFound);
}

TEST_P(StatementStoreTest, NewestFirstInPages) {
  Approve("20260000000001", kClinic, "aa01", "2026-11-02");
  Approve("20260000000002", kClinic, "aa02", "2026-11-03");
  Approve("20260000000003", kClinic, "aa03", "2026-12-01");
  StatementPage first = Page(kClinic, D(2026, 12, 6), 0, 2);
  ASSERT_EQ(first.lines.size(), 2u);
  EXPECT_EQ(first.lines[0].request_id, "20260000000003");
  EXPECT_EQ(first.lines[0].billing_month, "2027-02");
  EXPECT_EQ(first.lines[1].request_id, "20260000000002");
  ASSERT_NE(first.next_before, 0);
  StatementPage second = Page(kClinic, D(2026, 12, 6), first.next_before, 2);
  ASSERT_EQ(second.lines.size(), 1u);
  EXPECT_EQ(second.lines[0].request_id, "20260000000001");
  EXPECT_EQ(second.next_before, 0);
  EXPECT_EQ(LoadStatement(*store_, kClinic, 0, 0, D(2026, 12, 6)).status().code(),
            Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, StatementStoreTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::billing
