// The import of the bureau's list and the code swap (newinst/designations.h) on both back
// ends: a good xlsx (written by libxlsxwriter) swaps a clinic's 医科 and 歯科 records to their
// two real codes; bad files are refused whole with the row named and the database unchanged;
// a re-import changes nothing.

#include "newinst/designations.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "billing/ledger_test_fixture.h"
#include "billing/text_encoding.h"
#include "domain/codes.h"
#include "newinst/xlsx_fixture.h"

namespace claimsca::newinst {
namespace {

using store::SqlTx;
using testing::FixtureCell;

// Real codes (InstitutionCodeOk): 北海道 医科 and 歯科, and one with a wrong check digit.
constexpr char kReal1[] = "0110113719";
constexpr char kReal3[] = "0130113715";
constexpr char kBadDigit[] = "0110113718";
constexpr char kName[] = "さくら医院";

std::string Provisional(const char* score_table) {
  return std::string("01") + score_table +
         *domain::MakeProvisionalFacilityCode("01", score_table, 1);
}

constexpr char kNewinst[] =
    "INSERT INTO newinst_institutions (provisional_code, prefecture, score_table, category, name, "
    "postal_code, address, opening_month, state, reception_number, presented_at, created_at, "
    "created_by) VALUES ($1, '01', $2, $3, $4, '0600001', '札幌市中央区', '2027-01', 'presented', "
    "$5, "
    "1800000000, 1800000000, 'operator:t')";
constexpr char kDump[] =
    "SELECT 'n', provisional_code || '|' || state || '|' || coalesce(real_code, '-') FROM "
    "newinst_institutions "
    "UNION ALL SELECT 'a', account_id || '|' || institution_code FROM account_institutions "
    "UNION ALL SELECT 'p', request_id || '|' || institution_code || '|' || facility_code FROM "
    "applications "
    "UNION ALL SELECT 'f', institution_code || '|' || request_id FROM fee_charges "
    "UNION ALL SELECT 's', provisional_code || '|' || real_code FROM newinst_swaps ORDER BY 1, 2";
constexpr char kNetOf[] = "SELECT sum(total_yen) FROM fee_charges WHERE institution_code = $1";

class DesignationsTest : public billing::testing::LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    p1_ = Provisional("1");
    p3_ = Provisional("3");
    ASSERT_OK(store::RunInTransaction(*store_, [&](SqlTx& tx) -> Status {
      RETURN_IF_ERROR(tx.Exec(kNewinst, {p1_, "1", "1", kName, kReal1}).status());
      return tx.Exec(kNewinst, {p3_, "3", "2", kName, kReal3}).status();
    }));
    store::AccountRecord a;
    a.account_id = "sakura@example.jp";
    a.kind = "institution";
    a.institution_codes = {p1_, kReal1, p3_, kReal3};
    a.display_name = kName;
    a.email = a.account_id;
    a.password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA";
    a.created_at = kT0;
    ASSERT_OK(store_->CreateAccount(a, Audit("account.create", a.account_id, kT0)));
    Approve("20261201000001", p1_, "0b01", "2026-12-01");     // on the 仮コード
    Approve("20261201000002", kReal3, "0b02", "2026-12-02");  // on the 受付番号 (歯科)
    dir_ = std::filesystem::path(::testing::TempDir()) / ("designations_" + p1_ + GetParam());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    LedgerFixture::TearDown();
  }

  // The list as the bureau might send it: two title rows, the header on row 3, 都道府県 and
  // codes as NUMBER cells (leading zeros lost), 指定年月日 a date cell.
  std::string Xlsx(const std::vector<std::vector<std::string>>& rows,
                   bool with_date_column = true) {
    std::vector<FixtureCell> cells = {FixtureCell::Str(0, 0, "新規指定医療機関一覧表"),
                                      FixtureCell::Str(1, 0, "北海道厚生局"),
                                      FixtureCell::Str(2, 0, "都道府県"),
                                      FixtureCell::Str(2, 1, "点数表"),
                                      FixtureCell::Str(2, 2, "医療機関\nコード"),
                                      FixtureCell::Str(2, 3, "医療機関名称"),
                                      FixtureCell::Str(2, 4, "受付番号")};
    if (with_date_column) cells.push_back(FixtureCell::Str(2, 5, "指定年月日"));
    int r = 3;
    for (const auto& row : rows) {  // {real code, name, 受付番号}
      cells.push_back(FixtureCell::Num(r, 0, std::stod(row[0].substr(0, 2))));
      cells.push_back(FixtureCell::Num(r, 1, std::stod(row[0].substr(2, 1))));
      cells.push_back(FixtureCell::Num(r, 2, std::stod(row[0].substr(3))));
      cells.push_back(FixtureCell::Str(r, 3, row[1]));
      cells.push_back(FixtureCell::Num(r, 4, std::stod(row[2])));
      if (with_date_column) cells.push_back(FixtureCell::Date(r, 5, 2027, 1, 1));
      ++r;
    }
    const std::string path = (dir_ / "list.xlsx").string();
    EXPECT_TRUE(testing::WriteXlsx(path, {{"一覧", cells}}).ok());
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  Result<DesignationReport> Import(const std::string& bytes, bool dry_run = false) {
    ASSIGN_OR_RETURN(DesignationList list, ReadDesignationFile(bytes));
    FixedClock clock(kT0 + std::chrono::hours(24 * 40));
    return ImportDesignations(*store_, clock, list, {"list.xlsx", bytes, "operator:test", dry_run});
  }

  std::string Dump() {
    std::string out;
    EXPECT_TRUE(store::RunRead(*store_, [&](SqlTx& tx) -> Status {
                  ASSIGN_OR_RETURN(auto rows, tx.Query(kDump));
                  for (const auto& r : rows) {
                    ASSIGN_OR_RETURN(std::string k, r.Text(0));
                    ASSIGN_OR_RETURN(std::string v, r.Text(1));
                    out += k + " " + v + "\n";
                  }
                  return Status::Ok();
                }).ok());
    return out;
  }

  int64_t Net(const std::string& code) {
    int64_t net = 0;
    EXPECT_TRUE(store::RunRead(*store_, [&](SqlTx& tx) -> Status {
                  ASSIGN_OR_RETURN(auto r, tx.QueryFirst(kNetOf, {code}));
                  if (r && !r->IsNull(0)) {
                    ASSIGN_OR_RETURN(net, r->Int(0));
                  }
                  return Status::Ok();
                }).ok());
    return net;
  }

  std::string p1_, p3_;
  std::filesystem::path dir_;
};

TEST_P(DesignationsTest, AGoodListSwapsTheClinicsTwoCodesAndAReimportIsANoOp) {
  const std::string xlsx = Xlsx({{kReal1, kName, kReal1}, {kReal3, "さくら　医院", kReal3}});
  const std::string before = Dump();
  // A dry run checks and changes nothing.
  Result<DesignationReport> dry = Import(xlsx, /*dry_run=*/true);
  ASSERT_OK(dry.status());
  EXPECT_EQ(dry->swapped, 2);
  EXPECT_FALSE(dry->changed);
  EXPECT_EQ(Dump(), before);

  Result<DesignationReport> r = Import(xlsx);
  ASSERT_OK(r.status());
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->swapped, 2);
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->rows[0].row, 4);
  EXPECT_EQ(r->rows[0].provisional_code, p1_);  // 医科 → its own code
  EXPECT_EQ(r->rows[1].provisional_code, p3_);  // 歯科 → its own code
  EXPECT_EQ(r->rows[0].applications, 1);
  EXPECT_EQ(r->rows[0].charges_moved, 1);

  Result<store::AccountRecord> acc = store_->GetAccount("sakura@example.jp");
  ASSERT_OK(acc.status());
  EXPECT_EQ(acc->institution_codes, (std::vector<std::string>{kReal1, kReal3}));
  const std::string after = Dump();
  EXPECT_NE(after.find("n " + p1_ + "|designated|" + kReal1), std::string::npos) << after;
  EXPECT_NE(after.find("n " + p3_ + "|designated|" + kReal3), std::string::npos) << after;
  EXPECT_NE(after.find("p 20261201000001|" + std::string(kReal1) + "|0113719"), std::string::npos)
      << after;
  EXPECT_NE(after.find("s " + p1_ + "|" + kReal1), std::string::npos) << after;
  EXPECT_EQ(Net(p1_), 0);        // credited on the 仮コード
  EXPECT_EQ(Net(kReal1), 2292);  // charged on the real code
  EXPECT_EQ(Net(kReal3), 2292);  // already on the 受付番号 = the real code: nothing to move

  Result<DesignationReport> again = Import(xlsx);
  ASSERT_OK(again.status());
  EXPECT_EQ(again->swapped, 0);
  EXPECT_EQ(again->already_done, 2);
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(Dump(), after);
}

TEST_P(DesignationsTest, BadFilesAreRefusedWholeWithTheRowNamed) {
  const std::string before = Dump();
  struct Case {
    const char* what;
    std::vector<std::vector<std::string>> rows;
    const char* code;
    int row;
  } cases[] = {
      {"a duplicate row",
       {{kReal1, kName, kReal1}, {kReal3, kName, kReal3}, {kReal1, kName, kReal1}},
       "duplicate_row",
       6},
      {"a wrong check digit",
       {{kReal3, kName, kReal3}, {kBadDigit, kName, kReal1}},
       "bad_check_digit",
       5},
      {"a row matching nothing",
       {{kReal1, kName, kReal1}, {"2710123452", "なにわ診療所", "2710123452"}},
       "no_match",
       5},
      {"a name that contradicts", {{kReal1, "もみじ医院", kReal1}}, "name_contradicts", 4},
      {"歯科 row on the 医科 受付番号", {{kReal3, kName, kReal1}}, "score_table_contradicts", 4},
  };
  for (const Case& c : cases) {
    Result<DesignationReport> r = Import(Xlsx(c.rows));
    ASSERT_OK(r.status());
    EXPECT_EQ(r->refused, 1) << c.what;
    EXPECT_FALSE(r->changed) << c.what;
    bool named = false;
    for (const DesignationOutcome& o : r->rows) {
      if (o.kind != DesignationOutcome::Kind::kRefused) continue;
      EXPECT_EQ(o.code, c.code) << c.what << ": " << o.message_ja;
      EXPECT_EQ(o.row, c.row) << c.what;
      named = o.message_ja.rfind(std::to_string(c.row) + "行目: ", 0) == 0;
    }
    EXPECT_TRUE(named) << c.what;
    EXPECT_EQ(Dump(), before) << c.what;
  }
  // A missing column refuses the file before any row.
  Result<DesignationReport> r = Import(Xlsx({{kReal1, kName, kReal1}}, /*with_date_column=*/false));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("必須の列「指定年月日」がありません (missing_column)"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(Dump(), before);
}

TEST_P(DesignationsTest, CsvWithBomAndShiftJisAreAccepted) {
  const std::string csv = "医療機関等コード,医療機関名称,受付番号,指定年月日\r\n" +
                          std::string(kReal1) + "," + kName + "," + kReal1 + ",2027/01/01\r\n";
  Result<DesignationList> utf8 = ReadDesignationFile("\xEF\xBB\xBF" + csv);
  ASSERT_OK(utf8.status());
  ASSERT_EQ(utf8->rows.size(), 1u);
  EXPECT_EQ(utf8->rows[0].row, 2);
  EXPECT_EQ(utf8->rows[0].real_code, kReal1);
  EXPECT_EQ(utf8->rows[0].designated_on, "2027-01-01");
  Result<std::string> sjis = billing::Utf8ToCp932(csv);
  ASSERT_OK(sjis.status());
  Result<DesignationList> cp932 = ReadDesignationFile(*sjis);
  ASSERT_OK(cp932.status());
  ASSERT_EQ(cp932->rows.size(), 1u);
  EXPECT_EQ(cp932->rows[0].name, kName);
  Result<DesignationReport> r =
      ImportDesignations(*store_, FixedClock(kT0), *cp932, {"l.csv", csv, "operator:t", false});
  ASSERT_OK(r.status());
  EXPECT_EQ(r->swapped, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, DesignationsTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::newinst
