#include "domain/prefecture.h"

#include <gtest/gtest.h>

#include <string>

namespace claimsca::domain {
namespace {

TEST(PrefectureTest, FortySevenInJisOrder) {
  auto all = AllPrefectures();
  ASSERT_EQ(all.size(), 47u);
  for (size_t i = 0; i < all.size(); ++i) {
    std::string want = (i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
    EXPECT_EQ(all[i].code, want);
    EXPECT_FALSE(all[i].name_ja.empty());
    EXPECT_FALSE(all[i].romaji.empty());
  }
}

struct NameCase {
  const char* code;
  const char* name_ja;
};

TEST(PrefectureTest, KnownNames) {
  const NameCase cases[] = {{"01", "北海道"}, {"11", "埼玉県"},   {"12", "千葉県"},
                            {"13", "東京都"}, {"14", "神奈川県"}, {"26", "京都府"},
                            {"27", "大阪府"}, {"30", "和歌山県"}, {"46", "鹿児島県"},
                            {"47", "沖縄県"}};
  for (const auto& c : cases) {
    auto p = FindPrefecture(c.code);
    ASSERT_TRUE(p.has_value()) << c.code;
    EXPECT_EQ(p->name_ja, c.name_ja) << c.code;
  }
}

TEST(PrefectureTest, RejectsEverythingElse) {
  for (const char* bad :
       {"", "0", "1", "00", "48", "99", "001", " 01", "01 ", "1a", "０１", "-1"}) {
    EXPECT_FALSE(IsValidPrefecture(bad)) << "'" << bad << "'";
    EXPECT_FALSE(FindPrefecture(bad).has_value()) << "'" << bad << "'";
  }
  EXPECT_TRUE(IsValidPrefecture("01"));
  EXPECT_TRUE(IsValidPrefecture("47"));
}

TEST(PrefectureTest, ShortPayloadPrefectures) {
  for (const auto& p : AllPrefectures()) {
    bool want = p.code == "11" || p.code == "12" || p.code == "13" || p.code == "14";
    EXPECT_EQ(IsShortPayloadPrefecture(p.code), want) << p.code;
  }
  EXPECT_FALSE(IsShortPayloadPrefecture("1"));
}

}  // namespace
}  // namespace claimsca::domain
