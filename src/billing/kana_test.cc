#include "billing/kana.h"

#include <gtest/gtest.h>

namespace claimsca::billing {
namespace {

TEST(ZenginKana, DecodesHalfWidthKanaToFullWidth) {
  EXPECT_EQ(DecodeZenginText("\xB8\xD8\xC6\xC2\xB8"), "クリニツク");  // ｸﾘﾆﾂｸ
  EXPECT_EQ(DecodeZenginText("2612000123\xB8\xD8\xC6\xC2\xB8   "), "2612000123クリニツク");
  EXPECT_EQ(DecodeZenginText("\xB6\xDE\xCA\xDF\xB3\xDE"), "ガパヴ");  // ｶﾞﾊﾟｳﾞ
  EXPECT_EQ(DecodeZenginText("\xB1\xDE\xCF\xDF"), "ア゛マ゜");        // no composed form
  EXPECT_EQ(DecodeZenginText("\xBC\xAC)ABC\\(\xB0)"), "シャ)ABC¥(ー)");
  EXPECT_EQ(DecodeZenginText("\xA1\xA2\xA3\xA4\xA5\xA6\xDD"), "。「」、・ヲン");
  EXPECT_EQ(DecodeZenginText("   "), "");
  EXPECT_EQ(DecodeZenginText(" A "), " A");
}

TEST(ZenginKana, ZenginCharacters) {
  EXPECT_TRUE(IsZenginCharacter(' '));
  EXPECT_TRUE(IsZenginCharacter('~'));
  EXPECT_TRUE(IsZenginCharacter(0xA1));
  EXPECT_TRUE(IsZenginCharacter(0xDF));
  EXPECT_FALSE(IsZenginCharacter('\r'));
  EXPECT_FALSE(IsZenginCharacter(0x7F));
  EXPECT_FALSE(IsZenginCharacter(0xA0));
  EXPECT_FALSE(IsZenginCharacter(0xE0));
  EXPECT_FALSE(IsZenginCharacter(0x83));  // a Shift_JIS lead byte
}

TEST(ZenginKana, Utf8HalfWidthKanaBecomeSingleBytes) {
  std::string out;
  ASSERT_TRUE(Utf8HalfWidthKanaToSingleBytes("12ｸﾘﾆﾂｸ ", &out));
  EXPECT_EQ(out, "12\xB8\xD8\xC6\xC2\xB8 ");
  EXPECT_FALSE(Utf8HalfWidthKanaToSingleBytes("ABC", &out));         // nothing to convert
  EXPECT_FALSE(Utf8HalfWidthKanaToSingleBytes("クリニック", &out));  // full width: not the layout
  EXPECT_FALSE(Utf8HalfWidthKanaToSingleBytes("ｸ\xEF\xBD", &out));   // truncated sequence
}

TEST(ZenginKana, PayerNameKeyFoldsWidthCaseSmallKanaAndSpaces) {
  const std::string key = PayerNameKey("クリニツク");
  EXPECT_EQ(PayerNameKey("ｸﾘﾆｯｸ"), key);
  EXPECT_EQ(PayerNameKey("ｸ ﾘ ﾆ ﾂ ｸ"), key);
  EXPECT_EQ(PayerNameKey("くりにっく"), key);
  EXPECT_EQ(PayerNameKey("クリニック　"), key);
  EXPECT_EQ(PayerNameKey("ｶﾞｯｺｳ"), PayerNameKey("ガツコウ"));
  EXPECT_EQ(PayerNameKey("ｶ\xE3\x82\x99"), "ガ");  // combining voiced mark
  EXPECT_EQ(PayerNameKey("ａｂｃ 123"), "ABC123");
  EXPECT_NE(PayerNameKey("ｸﾘﾆﾂｸ"), PayerNameKey("ｸﾞﾘﾆﾂｸ"));
  EXPECT_EQ(PayerNameKey("A\xFF"), "A\xFF");  // invalid UTF-8 kept
}

}  // namespace
}  // namespace claimsca::billing
