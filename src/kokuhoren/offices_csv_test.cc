#include "kokuhoren/offices_csv.h"

#include <gtest/gtest.h>

namespace claimsca::kokuhoren {
namespace {

TEST(OfficesCsvTest, ParsesAndChecksEveryRow) {
  auto ok = ParseOfficesCsv(
      "\xEF\xBB\xBF"
      "care_office_number,name,postal_code,address,email\r\n"
      "1371234566,\"訪問介護 さくら, 本店\",100-0001,東京都千代田区千代田1-1,sakura@example.jp\r\n"
      "13a1234569,デイサービス あおば,,,\r\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].name, "訪問介護 さくら, 本店");
  EXPECT_EQ((*ok)[0].email, "sakura@example.jp");
  EXPECT_EQ((*ok)[1].care_office_number, "13A1234569");

  auto bad = ParseOfficesCsv(
      "care_office_number,name,postal_code,address,email\n"
      "1371234567,x,,,\n"
      "1371234566,,,,\n"
      "1371234566,y,12-34,,\n");
  ASSERT_FALSE(bad.ok());
  const std::string m = bad.status().message();
  EXPECT_NE(m.find("line 2, care_office_number: invalid"), std::string::npos) << m;
  EXPECT_NE(m.find("line 3, name: required"), std::string::npos) << m;
  EXPECT_NE(m.find("line 4, care_office_number: duplicate"), std::string::npos) << m;
  EXPECT_NE(m.find("line 4, postal_code"), std::string::npos) << m;
  EXPECT_FALSE(ParseOfficesCsv("number,name\n1371234566,x\n").ok());
}

TEST(OfficesCsvTest, OfficeNumbers) {
  auto ok = ParseOfficeNumbers("1371234566, 2710000015\n13a1234569\r\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, (std::vector<std::string>{"1371234566", "2710000015", "13A1234569"}));
  auto bad = ParseOfficeNumbers("1371234566\n1371234567\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("1371234567"), std::string::npos);
  EXPECT_FALSE(ParseOfficeNumbers(" \n").ok());
}

}  // namespace
}  // namespace claimsca::kokuhoren
