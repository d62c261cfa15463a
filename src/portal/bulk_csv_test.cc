#include "portal/bulk_csv.h"

#include <gtest/gtest.h>

#include "billing/text_encoding.h"

namespace claimsca::portal {
namespace {

constexpr char kHeader[] =
    "分類,都道府県コード,点数表,医療機関コード（7桁）,医療機関(薬局)名称,担当部署/"
    "担当者名,電話番号,"
    "メールアドレス,端末名称等\r\n";

TEST(BulkCsvTest, Utf8WithAndWithoutBomAndShiftJisReadAlike) {
  const std::string body = std::string(kHeader) +
                           "1,01,1,0113719,\"医療法人 \"\"愛全\"\"病院\",医事課,（03）1234-5678,"
                           "iji@example.jp,受付1\r\n"
                           "1,1,1,113719,愛全病院,医事課,03-1234-5678,iji@example.jp,受付2\r\n";
  auto sjis = billing::Utf8ToCp932(body);
  ASSERT_TRUE(sjis.ok());
  for (const std::string& bytes : {body, "\xEF\xBB\xBF" + body, *sjis}) {
    BulkFile f = ParseBulkCsv(bytes, 500);
    ASSERT_TRUE(f.errors.empty()) << f.errors.front();
    ASSERT_EQ(f.rows.size(), 2u);
    EXPECT_EQ(f.rows[0].line, 2);
    EXPECT_EQ(f.rows[0].form.institution_name, "医療法人 \"愛全\"病院");
    EXPECT_EQ(f.rows[0].form.phone, "（03）1234-5678");  // normalised by the form's rules
    EXPECT_EQ(f.rows[1].form.facility_code, "0113719");  // Excel's lost zero restored
    EXPECT_EQ(f.rows[1].form.terminal_name, "受付2");
    EXPECT_EQ(f.text, body);
  }
}

TEST(BulkCsvTest, FileErrors) {
  EXPECT_FALSE(ParseBulkCsv("", 500).errors.empty());
  EXPECT_FALSE(ParseBulkCsv(kHeader, 500).errors.empty());  // no rows
  EXPECT_FALSE(ParseBulkCsv("分類,色\n1,赤\n", 500).errors.empty());
  EXPECT_FALSE(ParseBulkCsv(std::string(kHeader) + "1,01\n", 500).errors.empty());
  EXPECT_FALSE(ParseBulkCsv(std::string(kHeader) + "\"1,01\n", 500).errors.empty());
  EXPECT_FALSE(ParseBulkCsv("\x82\xa0\xff\xff", 500).errors.empty());  // neither encoding
  std::string many = kHeader;
  for (int i = 0; i < 3; ++i) many += "1,01,1,0113719,a,b,0312345678,a@b.jp,t\n";
  EXPECT_FALSE(ParseBulkCsv(many, 2).errors.empty());
  EXPECT_TRUE(ParseBulkCsv(many, 3).errors.empty());
  // API names as the header, in another order, and blank lines.
  BulkFile api = ParseBulkCsv(
      "terminal_name,category,prefecture,score_table,facility_code,institution_name,contact_name,"
      "phone,email\n\nT1,1,01,1,0113719,n,c,0312345678,a@b.jp\n\n",
      500);
  ASSERT_TRUE(api.errors.empty());
  ASSERT_EQ(api.rows.size(), 1u);
  EXPECT_EQ(api.rows[0].line, 3);
  EXPECT_EQ(api.rows[0].form.terminal_name, "T1");
}

TEST(BulkCsvTest, TemplateReadsBack) {
  ra::ApplicationForm f;
  f.category = "1";
  f.prefecture = "01";
  f.score_table = "1";
  f.facility_code = "0113719";
  f.institution_name = "テスト中です#%& * > ? @, \"x\"";
  const std::string t = BulkTemplateCsv(f);
  EXPECT_TRUE(t.starts_with("\xEF\xBB\xBF"));
  BulkFile back = ParseBulkCsv(t, 500);
  ASSERT_TRUE(back.errors.empty());
  ASSERT_EQ(back.rows.size(), 1u);
  EXPECT_EQ(back.rows[0].form.institution_name, f.institution_name);
  EXPECT_EQ(back.rows[0].form.facility_code, "0113719");
}

}  // namespace
}  // namespace claimsca::portal
