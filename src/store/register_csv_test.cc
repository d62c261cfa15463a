// ParseRegisterCsv: pure parsing and validation of the register file.

#include "store/register_csv.h"

#include <gtest/gtest.h>

#include <string>

namespace claimsca::store {
namespace {

const std::string kHeader = std::string(kRegisterCsvHeader) + "\n";

TEST(RegisterCsvTest, ParsesRowsAndDerivesCodeAndCategory) {
  auto rows =
      ParseRegisterCsv("\xEF\xBB\xBF" + kHeader +
                       "01,1,0113719,ＮＴＴ東日本 札幌病院,0600061,札幌市中央区南１条西１５丁目\r\n"
                       "13,1,8814790,\"東京, \"\"テスト\"\" 病院\",1000001,千代田区\n"
                       "01,1,0113719,ＮＴＴ東日本 札幌病院,0600061,札幌市中央区南１条西１５丁目\n"
                       "13,7,8814790,職域診療所,1000001,千代田区\n"
                       "\n");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);  // the verbatim repeat is kept once
  EXPECT_EQ((*rows)[0].institution_code, "0110113719");
  EXPECT_EQ((*rows)[0].category, "1");
  EXPECT_EQ((*rows)[0].billing_method, "deduction");
  EXPECT_EQ((*rows)[0].address, "札幌市中央区南１条西１５丁目");
  EXPECT_EQ((*rows)[1].institution_code, "1318814790");
  EXPECT_EQ((*rows)[1].name, "東京, \"テスト\" 病院");
  // 職域診療所 (score table 7) may only pay by invoice (DOMAIN.md §7).
  EXPECT_EQ((*rows)[2].category, "s");
  EXPECT_EQ((*rows)[2].billing_method, "invoice");
}

TEST(RegisterCsvTest, ReportsLineAndFieldOfTheFirstErrors) {
  auto rows = ParseRegisterCsv(kHeader +
                               "01,1,0113719,ok,0600061,札幌\n"
                               "48,1,0113719,bad pref,0600061,x\n"
                               "01,1,0113718,bad check,0600061,x\n"
                               "01,1,0113719,changed,0600061,札幌\n"
                               "01,9,0113719,bad table,060-0061,x\n"
                               "01,1,0113719\n");
  ASSERT_FALSE(rows.ok());
  const std::string& m = rows.status().message();
  EXPECT_EQ(rows.status().code(), Code::kInvalidArgument);
  EXPECT_NE(m.find("line 3, prefecture"), std::string::npos) << m;
  EXPECT_NE(m.find("line 4, institution_code: check digit"), std::string::npos) << m;
  EXPECT_NE(m.find("line 5, institution_code: 0110113719 already on line 2"), std::string::npos)
      << m;
  EXPECT_NE(m.find("line 6, score_table"), std::string::npos) << m;
  EXPECT_NE(m.find("line 6, postal_code"), std::string::npos) << m;
  EXPECT_NE(m.find("line 7, line: expected 6 fields"), std::string::npos) << m;
}

TEST(RegisterCsvTest, RefusesWrongHeaderAndEmptyInput) {
  EXPECT_EQ(ParseRegisterCsv("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ParseRegisterCsv(kHeader).status().code(), Code::kInvalidArgument);
  auto bad = ParseRegisterCsv("code,name\n01,1,0113719,a,0600061,b\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1, header"), std::string::npos);
}

}  // namespace
}  // namespace claimsca::store
