#include "domain/normalize.h"

#include <gtest/gtest.h>

#include <string>

namespace claimsca::domain {
namespace {

struct Case {
  const char* in;
  const char* want;
};

TEST(TrimSpacesTest, AsciiAndIdeographic) {
  const Case cases[] = {
      {"", ""},
      {"  ", ""},
      {"　", ""},
      {" 　01\t", "01"},
      {"　東京　都　", "東京　都"},
      {"\r\nabc\n", "abc"},
      {"a b", "a b"},
  };
  for (const auto& c : cases) EXPECT_EQ(TrimSpaces(c.in), c.want) << c.in;
}

TEST(NormalizeCodeTest, FoldsFullWidthAndTrims) {
  const Case cases[] = {
      {"０１１３７１９", "0113719"},
      {"　０１　", "01"},
      {" 0113719 ", "0113719"},
      {"ｎ", "n"},
      {"ＡＢＣ", "ABC"},
      {"ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"},
      {"011－3719", "011-3719"},   // folded, not removed: fails the digits rule later
      {"011ー3719", "011ー3719"},  // ー is not a hyphen outside phone numbers
      {"01１3", "0113"},
      {"東京", "東京"},
      {"\xff"
       "01",
       "\xff"
       "01"},  // invalid UTF-8 passes through
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeCode(c.in), c.want) << c.in;
}

TEST(NormalizePhoneTest, HyphenLikes) {
  const Case cases[] = {
      {"０３－１２３４－５６７８", "03-1234-5678"},
      {"03ー1234ー5678", "03-1234-5678"},  // katakana prolonged sound mark
      {"03ｰ1234ｰ5678", "03-1234-5678"},    // half-width one
      {"03‐1234‐5678", "03-1234-5678"},    // U+2010
      {"03–1234—5678", "03-1234-5678"},    // en and em dash
      {"03―1234−5678", "03-1234-5678"},    // U+2015, U+2212
      {" 04312345678　", "04312345678"},
      // The written forms a receptionist copies from letterheads (issue 24 point 4).
      {"（03）1234-5678", "03-1234-5678"},
      {"(03)1234-5678", "03-1234-5678"},
      {"０３−１２３４−５６７８", "03-1234-5678"},
      {"03 1234 5678", "03-1234-5678"},
      {"０３　１２３４　５６７８", "03-1234-5678"},
      {"03（1234）5678", "03-1234-5678"},
      {"03 - 1234 - 5678", "03-1234-5678"},
      {"-03-1234-5678-", "03-1234-5678"},
      {"+81 3-1234-5678", "03-1234-5678"},
      {"+81(0)3-1234-5678", "03-1234-5678"},
      {"＋８１－９０－１２３４－５６７８", "090-1234-5678"},
      {"03-1234-5678 内線12", "03-1234-5678 内線12"},  // not a phone form: left for refusal
      {"TEL03-1234-5678", "TEL03-1234-5678"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizePhone(c.in), c.want) << c.in;
}

TEST(NormalizeTextTest, OnlyTrims) {
  const Case cases[] = {
      {"テスト中です#%& * > ? @", "テスト中です#%& * > ? @"},
      {"　医療法人　ＡＢＣ会　", "医療法人　ＡＢＣ会"},
      {"ー長音ー", "ー長音ー"},
      {" <b>x</b> ", "<b>x</b>"},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeText(c.in), c.want) << c.in;
}

TEST(PhoneTest, Syntax) {
  const std::pair<const char*, bool> cases[] = {
      {"0312345678", true},
      {"03-1234-5678", true},
      {"04312345678", true},
      {"090-1234-5678", true},
      {"0120-123-456", true},
      {"0-3-1-2-3-4-5-6-7-8", true},
      {"031234567", false},     // 9 digits
      {"031234567890", false},  // 12 digits
      {"3312345678", false},    // does not start with 0
      {"-0312345678", false},
      {"03-1234-5678-", false},
      {"03--12345678", false},
      {"03 1234 5678", false},
      {"(03)1234-5678", false},
      {"+81312345678", false},
      {"０３１２３４５６７８", false},  // normalise first
      {"", false},
  };
  for (const auto& [phone, ok] : cases) EXPECT_EQ(IsValidPhone(phone), ok) << phone;
  EXPECT_EQ(PhoneDigits("03-1234-5678"), "0312345678");
}

TEST(EmailTest, Syntax) {
  const std::pair<std::string, bool> cases[] = {
      {"taro@example.jp", true},
      {"t.yamada+ca@clinic.example.co.jp", true},
      {"11@22.33", true},  // the seed's own sample value
      {"a!#$%&'*+-/=?^_`{|}~@x-y.jp", true},
      {"taro@localhost", false},  // needs a dot in the domain
      {"taro@", false},
      {"@example.jp", false},
      {"taro", false},
      {"taro@@example.jp", false},
      {"ta@ro@example.jp", false},
      {".taro@example.jp", false},
      {"taro.@example.jp", false},
      {"ta..ro@example.jp", false},
      {"taro@example..jp", false},
      {"taro@.example.jp", false},
      {"taro@example.jp.", false},
      {"taro@-example.jp", false},
      {"taro@example-.jp", false},
      {"taro@exa_mple.jp", false},
      {"\"taro\"@example.jp", false},
      {"taro yamada@example.jp", false},
      {"taro@[192.0.2.1]", false},
      {"たろう@example.jp", false},
      {"taro@例え.jp", false},
      {"ｔａｒｏ@example.jp", false},  // normalise first
      {std::string(64, 'a') + "@example.jp", true},
      {std::string(65, 'a') + "@example.jp", false},
      {"a@" + std::string(63, 'b') + ".jp", true},
      {"a@" + std::string(64, 'b') + ".jp", false},
      {"a@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(63, 'd') + "." +
           std::string(57, 'e') + ".jp",
       true},  // 254 characters
      {"a@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(63, 'd') + "." +
           std::string(58, 'e') + ".jp",
       false},  // 255
      {"", false},
  };
  for (const auto& [email, ok] : cases) EXPECT_EQ(IsValidEmail(email), ok) << email;
}

TEST(Utf8LengthTest, CountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("東京都"), 3u);
  EXPECT_EQ(Utf8Length("𠮷野家"), 3u);                      // 4-byte code point
  EXPECT_EQ(Utf8Length("\xe6\x9d"), std::nullopt);          // truncated
  EXPECT_EQ(Utf8Length("\xc0\xaf"), std::nullopt);          // overlong '/'
  EXPECT_EQ(Utf8Length("\xed\xa0\x80"), std::nullopt);      // surrogate
  EXPECT_EQ(Utf8Length("\xf4\x90\x80\x80"), std::nullopt);  // > U+10FFFF
  EXPECT_EQ(Utf8Length("\x80"), std::nullopt);
}

TEST(CheckTextTest, Table) {
  const std::pair<std::string, TextIssue> cases[] = {
      {"テスト中です#%& * > ? @", TextIssue::kOk},
      {"<script>alert(1)</script>", TextIssue::kOk},
      {"医療法人社団　𠮷田クリニック", TextIssue::kOk},
      {"O'Brien & 山田 \"x\" ; -- DROP", TextIssue::kOk},
      {"絵文字😀も可", TextIssue::kOk},
      {"a\tb", TextIssue::kControlCharacter},
      {"a\nb", TextIssue::kControlCharacter},
      {std::string("a\0b", 3), TextIssue::kControlCharacter},
      {"a\x7f", TextIssue::kControlCharacter},
      {"a\u0085", TextIssue::kControlCharacter},  // NEL (C1)
      {"a\u2028b", TextIssue::kControlCharacter},
      {"abc\u202Etxt.exe", TextIssue::kControlCharacter},  // right-to-left override
      {"a\u2066b", TextIssue::kControlCharacter},
      {"\xe3\x81", TextIssue::kInvalidUtf8},
      {"\xff", TextIssue::kInvalidUtf8},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(CheckText(text, 100), want) << text;

  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "あ";
  EXPECT_EQ(CheckText(hundred, 100), TextIssue::kOk);
  EXPECT_EQ(CheckText(hundred + "a", 100), TextIssue::kTooLong);
  EXPECT_EQ(CheckText("", 100), TextIssue::kOk);
}

}  // namespace
}  // namespace claimsca::domain
