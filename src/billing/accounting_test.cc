// The accounting report filled from the tables, on both back ends: a hand-built month of
// ledger entries, bills, deduction results and payments across four categories, each
// figure computed by hand below; the identity outstanding(M) = outstanding(M-1) +
// invoiced(M) - paid(M) over several months; the month's edges in JST; the CSV bytes.

#include "billing/accounting.h"

#include <gtest/gtest.h>

#include <array>
#include <map>

#include "billing/month.h"
#include "store/store_test_fixture.h"

namespace claimsca::billing {
namespace {

using store::SqlTx;
using store::SqlValue;

constexpr char kClinic[] = "0110112489";    // 1 医科, deduction
constexpr char kPharmacy[] = "0140112745";  // 2 in the first register version, 3 in the latest
constexpr char kCheckup[] = "1361234567";   // 6 特健機関, invoice
constexpr char kInsurer[] = "31130001";     // 7 保険者, invoice; only in the first version

YearMonth Ym(int y, unsigned m) { return YearMonth{std::chrono::year(y), std::chrono::month(m)}; }
int64_t Unix(const char* jst) { return ParseInstant(jst)->time_since_epoch().count(); }

using F = std::array<int64_t, 6>;

class AccountingTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::vector<store::RegisterEntry> v1 = {
        {kClinic, "愛全病院", "0050813", "札幌市南区", "1", "deduction"},
        {kPharmacy, "さくら薬局", "0600001", "札幌市中央区", "2", "deduction"},
        {kCheckup, "健診センター", "1000001", "東京都千代田区", "6", "invoice"},
        {kInsurer, "健康保険組合", "1000002", "東京都港区", "7", "invoice"},
    };
    ASSERT_TRUE(store_->ImportRegister(v1, "v1", "t", store::test::kT0).ok());
    std::vector<store::RegisterEntry> v2 = {v1[0], v1[1], v1[2]};
    v2[1].category = "3";
    ASSERT_TRUE(store_->ImportRegister(v2, "v2", "t", store::test::kT0).ok());
    ASSERT_TRUE(store::RunInTransaction(*store_, [this](SqlTx& tx) { return Fill(tx); }).ok());
  }

  // Ledger entries of billing month 2027-01 (issued in 2026-11) and around it.
  static Status Charges(SqlTx& tx) {
    RETURN_IF_ERROR(Charge(tx, "R1", kClinic, "2026-10-20", "2026-12", 1500));
    RETURN_IF_ERROR(Charge(tx, "R2", kClinic, "2026-11-04", "2027-01", 2292));
    RETURN_IF_ERROR(Charge(tx, "R3", kClinic, "2026-11-05", "2027-01", 1500));
    RETURN_IF_ERROR(Credit(tx, "R3", "2026-11-30", "2027-01"));  // cancels R3: -1500
    RETURN_IF_ERROR(Charge(tx, "R4", kPharmacy, "2026-11-20", "2027-01", 1500));
    RETURN_IF_ERROR(Charge(tx, "R5", kCheckup, "2026-11-30", "2027-01", 2292));
    RETURN_IF_ERROR(Charge(tx, "R6", kCheckup, "2026-12-01", "2027-02", 1500));
    return Charge(tx, "R7", kInsurer, "2026-11-02", "2027-01", 1500);
  }

  // Bills of the runs 2026-12, 2027-01, 2027-02 (as the run records them), the deduction
  // results, the payments applied.
  static Status Fill(SqlTx& tx) {
    RETURN_IF_ERROR(Charges(tx));
    for (const char* m : {"2026-12", "2027-01", "2027-02"}) {
      static constexpr char kRun[] =
          "INSERT INTO billing_runs (month, state, issue_date, started_at, started_by) "
          "VALUES ($1, 'done', $2, 0, 'test')";
      RETURN_IF_ERROR(tx.Exec(kRun, {m, std::string(m) + "-10"}).status());
    }
    RETURN_IF_ERROR(Bill(tx, "2612000001", "2026-12", kClinic, "deduction", 1500));
    RETURN_IF_ERROR(Bill(tx, "2612000002", "2026-12", kCheckup, "invoice", 3000));
    RETURN_IF_ERROR(Bill(tx, "2612000003", "2026-12", kInsurer, "invoice", 1500));
    RETURN_IF_ERROR(Bill(tx, "2701000001", "2027-01", kClinic, "deduction", 3792));
    RETURN_IF_ERROR(Bill(tx, "2701000002", "2027-01", kPharmacy, "deduction", 1500));
    RETURN_IF_ERROR(Bill(tx, "2701000003", "2027-01", kCheckup, "invoice", 2292));
    RETURN_IF_ERROR(Bill(tx, "2701000004", "2027-01", kInsurer, "invoice", 1500));
    RETURN_IF_ERROR(Bill(tx, "2702000001", "2027-02", kCheckup, "invoice", 1500));
    RETURN_IF_ERROR(Deduction(tx, "2026-12", "2612000001", "not_deducted", 1500));
    RETURN_IF_ERROR(Deduction(tx, "2027-01", "2701000001", "deducted", 3792));
    RETURN_IF_ERROR(Deduction(tx, "2027-01", "2701000002", "not_deducted", 1500));
    static constexpr char kFile[] =
        "INSERT INTO payment_files (sha256, file_name, transfers, imported_at, imported_by) "
        "VALUES ($1, 'f', 5, 0, 'test')";
    RETURN_IF_ERROR(tx.Exec(kFile, {std::string(64, 'a')}).status());
    RETURN_IF_ERROR(Pay(tx, "1", "2612000002", 3000, "2026-12-20T10:00"));
    RETURN_IF_ERROR(Pay(tx, "2", "2612000003", 1500, "2027-01-15T10:00"));
    RETURN_IF_ERROR(Pay(tx, "3", "2701000004", 1000, "2027-01-31T23:59:59"));  // last second
    return Pay(tx, "4", "2701000003", 2292, "2027-02-01T00:00:00");            // February already
  }

  static Status Charge(SqlTx& tx, const std::string& request_id, const char* code, const char* date,
                       const char* month, int64_t yen, const char* category = "1") {
    static constexpr char kApplication[] =
        "INSERT INTO applications (request_id, program, channel, account_id, idempotency_key, "
        "applicant_kind, category, prefecture, score_table, facility_code, institution_code, "
        "institution_name, contact_name, phone, email, terminal_name, state, register_version, "
        "hold_reason, submitted_at, decided_by, reject_reason, serial, common_name, "
        "download_password_hash, download_failures, download_count, revoked_by, claim_holder) "
        "VALUES ($1, 'common', 'web', '', '', 'institution', $3, '01', '1', '', $2, 'x', 'x', "
        "'x', 'x', 'x', 'pending', 1, '', 0, '', '', '', '', '', 0, 0, '', '')";
    static constexpr char kCharge[] =
        "INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, "
        "billing_month, issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial) "
        "VALUES ($1, 'new_application', $2, 'common', $3, $4, $5, $6, $7, 0, $1)";
    RETURN_IF_ERROR(tx.Exec(kApplication, {request_id, code, category}).status());
    const int64_t mailing = yen == 2292 ? 792 : 0;
    return tx.Exec(kCharge, {request_id, code, date, month, yen - mailing, mailing, yen}).status();
  }
  // A credit note cancelling the entry of `request_id`.
  static Status Credit(SqlTx& tx, const std::string& request_id, const char* date,
                       const char* month) {
    static constexpr char kCredit[] =
        "INSERT INTO fee_charges (request_id, kind, institution_code, program, charge_date, "
        "billing_month, issuance_fee_yen, mailing_fee_yen, total_yen, created_at, serial, "
        "cancels_entry_id, reason) "
        "SELECT request_id, kind, institution_code, program, $2, $3, -issuance_fee_yen, "
        "-mailing_fee_yen, -total_yen, 1, serial, entry_id, 'test' FROM fee_charges "
        "WHERE request_id = $1";
    return tx.Exec(kCredit, {request_id, date, month}).status();
  }
  static Status Bill(SqlTx& tx, const char* number, const char* month, const char* code,
                     const char* method, int64_t yen) {
    static constexpr char kBill[] =
        "INSERT INTO bills (number, run_month, institution_code, method, kind, amount_yen, "
        "certificates, issue_date, due_date, name, postal_code, address) "
        "VALUES ($1, $2, $3, $4, 'regular', $5, 1, $6, $7, 'x', '1000001', 'x')";
    const std::string issued = std::string(month) + "-10";
    const bool invoice = std::string_view(method) == "invoice";
    const SqlValue due = invoice ? SqlValue(std::string(month) + "-28") : SqlValue();
    return tx.Exec(kBill, {number, month, code, method, yen, issued, due}).status();
  }
  static Status Deduction(SqlTx& tx, const char* month, const char* bill, const char* outcome,
                          int64_t yen) {
    static constexpr char kImport[] =
        "INSERT INTO deduction_imports (run_month, file_sha256, lines, imported_at, "
        "imported_by) VALUES ($1, $2, 1, 0, 'test') RETURNING id";
    static constexpr char kResult[] =
        "INSERT INTO deduction_results (bill_number, outcome, amount_yen, import_id) "
        "VALUES ($1, $2, $3, $4)";
    ASSIGN_OR_RETURN(std::vector<store::SqlRow> id, tx.Query(kImport, {month, bill}));
    ASSIGN_OR_RETURN(int64_t import_id, id.at(0).Int(0));
    return tx.Exec(kResult, {bill, outcome, yen, import_id}).status();
  }
  static Status Pay(SqlTx& tx, const std::string& ref, const char* bill, int64_t yen,
                    const char* applied_jst) {
    static constexpr char kPayment[] =
        "INSERT INTO payments (transfer_key, file_id, record, inquiry_number, booking_date, "
        "value_date, amount_yen, payer_code, payer_name, remitting_bank, remitting_branch, edi, "
        "cancelled, outcome, invoice_number, candidates, record_hex) "
        "SELECT $1, id, 2, $1, '2026-12-01', '2026-12-01', $2, '', 'x', '', '', '', 0, "
        "'applied', $3, $3, $4 FROM payment_files RETURNING id";
    static constexpr char kApplied[] =
        "INSERT INTO payment_applications (payment_id, bill_number, amount_yen, how, "
        "applied_at, applied_by) VALUES ($1, $2, $3, 'matched', $4, 'test')";
    ASSIGN_OR_RETURN(std::vector<store::SqlRow> id,
                     tx.Query(kPayment, {ref, yen, bill, std::string(400, '0')}));
    ASSIGN_OR_RETURN(int64_t payment_id, id.at(0).Int(0));
    return tx.Exec(kApplied, {payment_id, bill, yen, Unix(applied_jst)}).status();
  }

  // The figures of `m` per category, in the order of AccountingFigures.
  std::map<std::string, F> Figures(YearMonth m) {
    std::map<std::string, F> out;
    for (const auto& [category, f] : Load(m)) {
      out[category] = {f.charges_count, f.charges_yen, f.deducted_yen,
                       f.invoiced_yen,  f.paid_yen,    f.outstanding_yen};
    }
    return out;
  }

  std::map<std::string, AccountingFigures> Load(YearMonth m) {
    std::map<std::string, AccountingFigures> out;
    auto r = LoadAccountingReport(*store_, m);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return out;
    EXPECT_EQ(r->month, m);
    for (const AccountingRow& row : r->rows) out[row.category] = row.figures;
    return out;
  }
};

TEST_P(AccountingTest, FiguresOfTheMonthPerCategory) {
  // 1 医科: R2 2292 + R3 1500 + its credit -1500 (3 entries); the deduction of 2027-01
  // (its own 2292 and the 1500 carried from 2026-12) reported deducted.
  // 3 薬局 (the latest register version's category, not the first's 2): R4; its
  // deduction not made, so nothing deducted and nothing outstanding (it is carried, not
  // invoiced).
  // 6 特健機関: R5; invoice 2701000003 2,292 (paid on 2027-02-01 00:00 JST: February);
  // 2612000002 paid in December. Outstanding: 3,000 + 2,292 - 3,000.
  // 7 保険者 (in the first register version only): R7; invoice 2701000004 1,500; paid in
  // January: 1,500 for 2612000003 and 1,000 of 2701000004 at 23:59:59 on the 31st.
  // Outstanding: 1,500 + 1,500 - 2,500.
  const std::map<std::string, F> want = {{"1", F{3, 2292, 3792, 0, 0, 0}},
                                         {"3", F{1, 1500, 0, 0, 0, 0}},
                                         {"6", F{1, 2292, 0, 2292, 0, 2292}},
                                         {"7", F{1, 1500, 0, 1500, 2500, 500}}};
  EXPECT_EQ(Figures(Ym(2027, 1)), want);
  // December: R1; the deduction not made; two invoices, one paid in December.
  const std::map<std::string, F> december = {{"1", F{1, 1500, 0, 0, 0, 0}},
                                             {"6", F{0, 0, 0, 3000, 3000, 0}},
                                             {"7", F{0, 0, 0, 1500, 0, 1500}}};
  EXPECT_EQ(Figures(Ym(2026, 12)), december);
  // February: R6; the February invoice; 2701000003 paid at 00:00 on the 1st.
  const std::map<std::string, F> february = {{"6", F{1, 1500, 0, 1500, 2292, 1500}},
                                             {"7", F{0, 0, 0, 0, 0, 500}}};
  EXPECT_EQ(Figures(Ym(2027, 2)), february);
  // Nothing before the first run.
  EXPECT_TRUE(Load(Ym(2026, 11)).empty());
}

TEST_P(AccountingTest, OutstandingCarriesFromMonthToMonth) {
  // outstanding(M) = outstanding(M-1) + invoiced(M) - paid(M), per category and in total,
  // from a month with nothing to a month after the last bill.
  std::map<std::string, AccountingFigures> before = Load(Ym(2026, 10));
  ASSERT_TRUE(before.empty());
  for (YearMonth m = Ym(2026, 11); m <= Ym(2027, 4); m += std::chrono::months{1}) {
    std::map<std::string, AccountingFigures> now = Load(m);
    int64_t total_before = 0, total_now = 0, invoiced = 0, paid = 0;
    for (const domain::Category& c : domain::AllCategories()) {
      const AccountingFigures b = before[std::string(c.code)], f = now[std::string(c.code)];
      EXPECT_EQ(f.outstanding_yen, b.outstanding_yen + f.invoiced_yen - f.paid_yen)
          << FormatMonth(m) << " category " << c.code;
      total_before += b.outstanding_yen;
      total_now += f.outstanding_yen;
      invoiced += f.invoiced_yen;
      paid += f.paid_yen;
    }
    EXPECT_EQ(total_now, total_before + invoiced - paid) << FormatMonth(m);
    before = now;
  }
  EXPECT_EQ(before["6"].outstanding_yen, 1500);  // 2702000001 is never paid
}

TEST_P(AccountingTest, CsvOfTheMonth) {
  auto csv = AccountingReportCsvOfMonth(*store_, "2027-01");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(*csv,
            "\xEF\xBB\xBF"
            "\"対象月\",\"分類\",\"分類名\",\"発生件数\",\"発生額\",\"控除額\",\"請求書発行額\","
            "\"入金額\",\"未収額\"\r\n"
            "\"2027-01\",\"1\",\"保険医療機関（医科）\",3,2292,3792,0,0,0\r\n"
            "\"2027-01\",\"2\",\"保険医療機関（歯科）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"3\",\"保険薬局（調剤）\",1,1500,0,0,0,0\r\n"
            "\"2027-01\",\"4\",\"請求事務代行者（医科）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"5\",\"請求事務代行者（歯科）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"8\",\"請求事務代行者（調剤）\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"6\",\"特健機関\",1,2292,0,2292,0,2292\r\n"
            "\"2027-01\",\"n\",\"訪問看護\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"s\",\"職域診療所\",0,0,0,0,0,0\r\n"
            "\"2027-01\",\"7\",\"保険者\",1,1500,0,1500,2500,500\r\n"
            "\"2027-01\",\"合計\",\"全体\",6,7584,3792,3792,2500,2792\r\n");
  EXPECT_EQ(AccountingReportCsvOfMonth(*store_, "2027-1").status().code(), Code::kInvalidArgument);
}

TEST_P(AccountingTest, AnInstitutionInNoRegisterVersionIsNamed) {
  ASSERT_TRUE(store::RunInTransaction(*store_, [](SqlTx& tx) {
                return Bill(tx, "2701000005", "2027-01", "0990000009", "invoice", 1500);
              }).ok());
  auto r = LoadAccountingReport(*store_, Ym(2027, 1));
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("0990000009"), std::string::npos) << r.status().ToString();
  EXPECT_TRUE(Load(Ym(2026, 12)).contains("7"));  // other months are not concerned
}

TEST_P(AccountingTest, AnInstitutionInNoRegisterVersionTakesItsApplicationsCategory) {
  // An insurer (not in the published register) applied and was charged and invoiced.
  ASSERT_TRUE(store::RunInTransaction(*store_, [](SqlTx& tx) {
                RETURN_IF_ERROR(Charge(tx, "R90", "06139998", "2026-11-02", "2027-01", 1500, "7"));
                return Bill(tx, "2701000005", "2027-01", "06139998", "invoice", 1500);
              }).ok());
  const std::map<std::string, AccountingFigures> report = Load(Ym(2027, 1));
  ASSERT_TRUE(report.contains("7"));
  const AccountingFigures& insurers = report.at("7");
  // The fixture's insurer (in a register version) plus this one: 1 + 1 charges.
  EXPECT_EQ(insurers.charges_count, 2);
  EXPECT_EQ(insurers.charges_yen, 3000);
  EXPECT_EQ(insurers.invoiced_yen, 3000);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountingTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::billing
