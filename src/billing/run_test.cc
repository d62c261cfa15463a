// The run over a real store, on both back ends: plan, files, re-run, resume after a
// crash between the steps, deduction results, carry-over and fallback invoice.

#include "billing/run.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "billing/deduction_file.h"
#include "billing/deduction_import.h"
#include "billing/run_testing.h"
#include "billing/text_encoding.h"
#include "domain/billing.h"
#include "store/store_test_fixture.h"

namespace claimsca::billing {
namespace {

using domain::BillingMethod;
using store::SqlRow;
using store::SqlTx;
using store::test::BackendName;

using testing::Charge;
using testing::D;
using testing::Ym;
Instant At(const char* iso) { return *ParseInstant(iso); }

constexpr char kClinic[] = "0110112489";    // deduction
constexpr char kPharmacy[] = "0140112745";  // deduction
constexpr char kCheckup[] = "1361234567";   // invoice only

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RunTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::vector<store::RegisterEntry> reg = {
        {kClinic, "医療法人 愛全病院", "0050813", "札幌市南区", "1", "deduction"},
        {kPharmacy, "さくら薬局", "0600001", "札幌市中央区", "4", "deduction"},
        {kCheckup, "健診センター", "1000001", "東京都千代田区", "6", "invoice"},
    };
    ASSERT_TRUE(store_->ImportRegister(reg, "test", "t", store::test::kT0).ok());
    methods_ = {{kClinic, BillingMethod::kDeduction},
                {kPharmacy, BillingMethod::kDeduction},
                {kCheckup, BillingMethod::kInvoice}};
    ledger_.for_each_charge = [this](SqlTx&, YearMonth m,
                                     const std::function<Status(const ChargeItem&)>& fn) {
      for (const ChargeItem& c : charges_) {
        if (domain::BillingMonth(c.charge_date) == m) RETURN_IF_ERROR(fn(c));
      }
      return Status::Ok();
    };
    ledger_.methods_in_force = [this](SqlTx&, YearMonth, const std::set<std::string>& codes) {
      std::map<std::string, BillingMethod> out;
      for (const auto& code : codes) {
        if (methods_.contains(code)) out[code] = methods_[code];
      }
      return Result<std::map<std::string, BillingMethod>>(out);
    };
    settings_.files_dir = (dir_.empty() ? std::filesystem::path(::testing::TempDir()) /
                                              ("claimsca_run_" + store::test::RandomHex(6))
                                        : dir_ / "billing")
                              .string();
    settings_.write_file = [](const std::string& path, std::string_view data) -> Status {
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << data;
      return out.good() ? Status::Ok() : Internal("cannot write " + path);
    };
    // Issued in November 2026 → billed in January 2027.
    charges_ = {Charge(1, kClinic, "c1", 2292, D(2026, 11, 4)),
                Charge(3, kPharmacy, "p1", 1500, D(2026, 11, 20)),
                Charge(4, kCheckup, "k1", 2292, D(2026, 11, 30))};
  }
  void TearDown() override {
    if (!settings_.files_dir.empty()) std::filesystem::remove_all(settings_.files_dir);
    StoreTest::TearDown();
  }

  Result<RunReport> Run(YearMonth m, const char* at) {
    return RunBillingMonth(*store_, ledger_, settings_, m, At(at));
  }
  std::filesystem::path File(YearMonth m, const std::string& name) {
    return std::filesystem::path(settings_.files_dir) / FormatMonthForTest(m) / name;
  }
  static std::string FormatMonthForTest(YearMonth m) {
    std::string c = CompactMonth(m);
    return c.substr(0, 4) + "-" + c.substr(4);
  }
  int64_t Count(const char* sql) {
    int64_t n = -1;
    Status st = store::RunRead(*store_, [&](SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(std::optional<SqlRow> row, tx.QueryFirst(sql));
      ASSIGN_OR_RETURN(n, row->Int(0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }
  Result<DeductionImportReport> Import(const std::string& file) {
    return ImportDeductionResult(*store_, file, "operator:t", At("2027-01-28T10:00"));
  }

  std::vector<ChargeItem> charges_;
  std::map<std::string, BillingMethod> methods_;
  LedgerSource ledger_;
  RunSettings settings_;
};

TEST_P(RunTest, BillsFilesRerunAndTheDeductionCycle) {
  // 2027-01-10 Sunday, 01-11 成人の日: the run of January starts on the 12th.
  auto early = Run(Ym(2027, 1), "2027-01-11T23:00");
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(Count("SELECT count(*) FROM billing_runs"), 0);

  auto jan = Run(Ym(2027, 1), "2027-01-12T07:00");
  ASSERT_TRUE(jan.ok()) << jan.status().ToString();
  EXPECT_TRUE(jan->planned_now);
  EXPECT_EQ(jan->deduction_bills, 2);
  EXPECT_EQ(jan->deduction_yen, 3792);
  EXPECT_EQ(jan->invoice_bills, 1);
  EXPECT_EQ(jan->invoice_yen, 2292);
  EXPECT_TRUE(jan->invoices_not_rendered);
  const std::string csv = ReadAll(File(Ym(2027, 1), "deduction-request-202701.csv"));
  EXPECT_EQ(*Cp932ToUtf8(csv),
            "2,0110112489,\"医療法人 愛全病院\",202701,1,2292,2701000001\r\n"
            "2,0140112745,\"さくら薬局\",202701,1,1500,2701000002\r\n"
            "8,2,2,3792\r\n");
  EXPECT_EQ(ReadAll(File(Ym(2027, 1), "deduction-request-202701.csv.sha256")),
            Sha256SumFile(csv, "deduction-request-202701.csv"));
  EXPECT_EQ(Count("SELECT count(*) FROM bills WHERE number = '2701000003' AND method = 'invoice' "
                  "AND due_date = '2027-03-01' AND issue_date = '2027-01-12'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM billing_runs WHERE state = 'done'"), 1);

  // Re-run: nothing changes, the same bytes.
  const int64_t audit_rows = Count("SELECT count(*) FROM audit_log");
  std::filesystem::remove(File(Ym(2027, 1), "deduction-request-202701.csv"));
  auto again = Run(Ym(2027, 1), "2027-01-20T07:00");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already_done);
  EXPECT_FALSE(again->planned_now);
  EXPECT_EQ(ReadAll(File(Ym(2027, 1), "deduction-request-202701.csv")), csv);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log"), audit_rows);
  EXPECT_EQ(Count("SELECT count(*) FROM bills"), 3);

  // February cannot run before January's results are in.
  charges_.push_back(Charge(6, kClinic, "c2", 1500, D(2026, 12, 1)));
  auto feb_early = Run(Ym(2027, 2), "2027-02-10T07:00");
  ASSERT_FALSE(feb_early.ok());
  EXPECT_NE(feb_early.status().message().find("2027-01"), std::string::npos);

  // A result file with a wrong amount is refused whole: nothing recorded.
  auto bad = Import(
      "2,0110112489,202701,2701000001,0,2292\r\n2,0140112745,202701,2701000002,1,1600\r\n"
      "8,2,3892\r\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2, field amount"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(Count("SELECT count(*) FROM deduction_results"), 0);
  const std::string result =
      "2,0110112489,202701,2701000001,0,2292\r\n2,0140112745,202701,2701000002,1,1500\r\n"
      "8,2,3792\r\n";
  auto imported = Import(result);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->deducted, 1);
  EXPECT_EQ(imported->not_deducted, 1);
  auto twice = Import(result);
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(twice->already_imported);
  // A file contradicting the recorded result is a conflict.
  auto contra = Import("2,0140112745,202701,2701000002,0,1500\r\n8,1,1500\r\n");
  ASSERT_FALSE(contra.ok());
  EXPECT_EQ(contra.status().code(), Code::kConflict);

  // February: the pharmacy's 1,500 is carried (retry), the clinic's new charge billed.
  auto feb = Run(Ym(2027, 2), "2027-02-10T07:00");
  ASSERT_TRUE(feb.ok()) << feb.status().ToString();
  EXPECT_EQ(*Cp932ToUtf8(ReadAll(File(Ym(2027, 2), "deduction-request-202702.csv"))),
            "2,0110112489,\"医療法人 愛全病院\",202702,1,1500,2702000001\r\n"
            "2,0140112745,\"さくら薬局\",202702,1,1500,2702000002\r\n"
            "8,2,2,3000\r\n");
  EXPECT_EQ(Count("SELECT count(*) FROM bill_items WHERE bill_number = '2702000002' "
                  "AND entry_id = 3 AND origin = 'carried'"),
            1);
  auto feb_result = ImportDeductionResult(*store_,
                                          "2,0110112489,202702,2702000001,0,1500\r\n2,0140112745,"
                                          "202702,2702000002,1,1500\r\n8,2,3000\r\n",
                                          "operator:t", At("2027-02-26T10:00"));
  ASSERT_TRUE(feb_result.ok()) << feb_result.status().ToString();

  // March: not deducted twice → a fallback invoice for the pharmacy; no deduction file.
  auto mar = Run(Ym(2027, 3), "2027-03-10T07:00");
  ASSERT_TRUE(mar.ok()) << mar.status().ToString();
  EXPECT_EQ(mar->deduction_bills, 0);
  EXPECT_EQ(mar->invoice_bills, 1);
  EXPECT_EQ(mar->fallback_invoices, 1);
  EXPECT_TRUE(mar->files.deduction_file.empty());
  EXPECT_FALSE(std::filesystem::exists(File(Ym(2027, 3), "deduction-request-202703.csv")));
  EXPECT_EQ(Count("SELECT count(*) FROM bills WHERE number = '2703000001' AND institution_code = "
                  "'0140112745' AND method = 'invoice' AND kind = 'fallback' AND amount_yen = 1500 "
                  "AND issue_date = '2027-03-10' AND due_date = '2027-04-30'"),
            1);
  // Every step audited.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'billing.run.plan'"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'billing.run.done'"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = "
                  "'billing.deduction_result.import'"),
            2);
}

TEST_P(RunTest, ResumesAfterACrashBetweenPlanAndDone) {
  // A run that recorded its bills and died before the files: the state stays "planned".
  auto first = Run(Ym(2027, 1), "2027-01-12T07:00");
  ASSERT_TRUE(first.ok());
  const std::string csv = ReadAll(File(Ym(2027, 1), "deduction-request-202701.csv"));
  std::filesystem::remove_all(settings_.files_dir);
  // Put the run back to the state a crash before step 3 leaves (the run owns the table).
  Status st = store::RunInTransaction(*store_, [](SqlTx& tx) -> Status {
    return tx
        .Exec(
            "UPDATE billing_runs SET state = 'planned', finished_at = NULL, "
            "deduction_file = '', deduction_sha256 = ''")
        .status();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto resumed = Run(Ym(2027, 1), "2027-01-12T07:00");
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_FALSE(resumed->planned_now);
  EXPECT_FALSE(resumed->already_done);
  EXPECT_EQ(ReadAll(File(Ym(2027, 1), "deduction-request-202701.csv")), csv);
  EXPECT_EQ(Count("SELECT count(*) FROM billing_runs WHERE state = 'done'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM bills"), 3);
}

TEST_P(RunTest, AnInstitutionInNoRegisterTakesTheNameOfItsLatestApplication) {
  // An insurer (7) is in no register: no method (invoice by default), the name of its latest
  // application on the bill, no address.
  constexpr char kInsurer[] = "33120015";
  Status st = store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
    for (const char* name : {"旧名 保険組合", "北海道保険組合"}) {
      RETURN_IF_ERROR(
          tx.Exec(
                "INSERT INTO applications (request_id, program, channel, account_id, "
                "idempotency_key, applicant_kind, category, prefecture, score_table, "
                "facility_code, institution_code, institution_name, contact_name, phone, email, "
                "terminal_name, state, register_version, hold_reason, submitted_at, decided_by, "
                "reject_reason, serial, common_name, download_password_hash, download_failures, "
                "download_count, revoked_by, claim_holder) VALUES ($1, 'common', 'web', '', '', "
                "'insurer', '7', '', '', '', $2, $3, 'x', 'x', 'x', 'x', 'pending', 1, '', 0, '', "
                "'', '', '', '', 0, 0, '', '')",
                {std::string(name) == "北海道保険組合" ? "r2" : "r1", kInsurer, name})
              .status());
    }
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  charges_.push_back(Charge(5, kInsurer, "i1", 2292, D(2026, 11, 15)));
  auto jan = Run(Ym(2027, 1), "2027-01-12T07:00");
  ASSERT_TRUE(jan.ok()) << jan.status().ToString();
  EXPECT_EQ(jan->invoice_bills, 2);
  EXPECT_EQ(Count("SELECT count(*) FROM bills WHERE institution_code = '33120015' AND "
                  "method = 'invoice' AND amount_yen = 2292 AND name = '北海道保険組合' AND "
                  "postal_code = '' AND address = ''"),
            1);
}

INSTANTIATE_TEST_SUITE_P(Backends, RunTest, ::testing::Values("sqlite", "postgres"), BackendName);

}  // namespace
}  // namespace claimsca::billing
