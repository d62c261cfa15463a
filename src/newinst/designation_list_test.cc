// The list's layout (newinst/designation_list.h): columns by header name, the header row
// found below title rows, codes with lost leading zeros restored, dates in their forms.

#include "newinst/designation_list.h"

#include <gtest/gtest.h>

namespace claimsca::newinst {
namespace {

TEST(DesignationList, CodeCells) {
  EXPECT_EQ(NormaliseCodeCell("110113719", 10), "0110113719");  // a number cell lost the 0
  EXPECT_EQ(NormaliseCodeCell("０１１０１１３７１９", 10), "0110113719");
  EXPECT_EQ(NormaliseCodeCell("01-1011371-9", 10), "0110113719");
  EXPECT_EQ(NormaliseCodeCell("1", 2), "01");
  EXPECT_EQ(NormaliseCodeCell("13100000131", 10), "");  // too long
  EXPECT_EQ(NormaliseCodeCell("13A", 10), "");
  EXPECT_EQ(NormaliseCodeCell("", 10), "");
}

TEST(DesignationList, CsvHeaderBelowTitlesSevenDigitCodesAndDates) {
  const std::string csv =
      "新規指定医療機関一覧表,,,,,,\n"
      ",,,,,,\n"
      "都道府県,点数表,医療機関 コード,医療機関名称,受付番号,仮コード,指定年月日\n"
      "1,1,113719,さくら医院,110113719,,令和9年1月1日\n"
      ",,,,,,\n"
      "東京都,1,8814790,中央クリニック,,1310012347,2027-01-01\n"
      "13,1,8814790,日付なし,1318814790,,2027/13/01\n";
  Result<DesignationList> l = ReadDesignationCsv(csv);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->header_row, 3);
  ASSERT_EQ(l->rows.size(), 3u);  // the blank line is skipped
  EXPECT_EQ(l->rows[0].row, 4);
  EXPECT_EQ(l->rows[0].real_code, "0110113719");
  EXPECT_EQ(l->rows[0].reception_number, "0110113719");
  EXPECT_EQ(l->rows[0].designated_on, "2027-01-01");
  EXPECT_EQ(l->rows[1].row, 6);
  EXPECT_EQ(l->rows[1].prefecture, "13");
  EXPECT_EQ(l->rows[1].provisional_code, "1310012347");
  EXPECT_EQ(l->rows[1].problem_code, "bad_code");  // 東京都 is not the 2 digits of the code
  EXPECT_EQ(l->rows[2].problem_code, "bad_date");
  EXPECT_NE(l->rows[2].problem_ja.find("2027/13/01"), std::string::npos);
}

TEST(DesignationList, MissingColumnsAreNamed) {
  Result<DesignationList> l = ReadDesignationCsv("医療機関名称,受付番号\nさくら医院,0110113719\n");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("no_header_row"), std::string::npos);
  l = ReadDesignationCsv(
      "医療機関等コード,医療機関名称,指定年月日\n0110113719,さくら医院,2027-01-01\n");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("必須の列「受付番号」"), std::string::npos);
  l = ReadDesignationCsv(
      "医療機関コード,医療機関名称,受付番号,指定年月日\n0113719,さくら医院,0110113719,2027-01-"
      "01\n");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("必須の列「都道府県」"), std::string::npos);
}

}  // namespace
}  // namespace claimsca::newinst
