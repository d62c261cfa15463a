#include "billing/text_encoding.h"

#include <gtest/gtest.h>

namespace claimsca::billing {
namespace {

TEST(TextEncodingTest, KanaAndKanjiRoundTrip) {
  // テスト髙 in CP932: 髙 is an NEC-selected IBM extension, present in CP932.
  auto sjis = Utf8ToCp932("テスト医院髙");
  ASSERT_TRUE(sjis.ok()) << sjis.status().ToString();
  EXPECT_EQ(sjis->substr(0, 6), "\x83\x65\x83\x58\x83\x67");
  EXPECT_EQ(sjis->substr(sjis->size() - 2), "\xfb\xfc");
  auto back = Cp932ToUtf8(*sjis);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "テスト医院髙");
}

TEST(TextEncodingTest, AsciiUnchanged) {
  auto s = Utf8ToCp932("ABC,123\r\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "ABC,123\r\n");
}

TEST(TextEncodingTest, UnmappableBecomesGeta) {
  // 𠮷 (U+20BB7) is not in CP932.
  auto s = Utf8ToCp932(
      "a\xf0\xa0\xae\xb7"
      "b");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, std::string("a") + std::string(kCp932Geta) + "b");
}

TEST(TextEncodingTest, IllFormedUtf8Refused) {
  auto s = Utf8ToCp932("ab\xff");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("byte 2"), std::string::npos) << s.status().message();
  EXPECT_FALSE(Utf8ToCp932("\xe3\x81").ok());  // truncated sequence
}

TEST(TextEncodingTest, BadCp932Refused) {
  auto s = Cp932ToUtf8("ok\x81");  // lead byte without its trail byte
  ASSERT_FALSE(s.ok());
}

}  // namespace
}  // namespace claimsca::billing
