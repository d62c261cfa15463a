#include "web/json_util.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace claimsca::web {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// What a JSON reader makes of the literal; throws if it is not valid JSON or UTF-8.
std::string Parse(std::string_view s) { return nlohmann::json::parse(Json(s)).get<std::string>(); }

TEST(AppendJsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Json("a\"b\\c\n\r\t\x01\x7f"), "\"a\\\"b\\\\c\\n\\r\\t\\u0001\x7f\"");
}

TEST(AppendJsonString, JapaneseIsWrittenAsItIs) {
  const std::string text = "証明書の有効期限が切れています（２，２９２円）😀";
  EXPECT_EQ(Json(text), "\"" + text + "\"");
  EXPECT_EQ(Parse(text), text);
}

TEST(AppendJsonString, MalformedUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(Parse("\xff"), fffd);
  EXPECT_EQ(Parse("a\xc3"), "a" + fffd);                            // truncated sequence
  EXPECT_EQ(Parse("\xc0\xaf"), fffd + fffd);                        // overlong '/'
  EXPECT_EQ(Parse("\xe0\x80\xaf"), fffd + fffd + fffd);             // overlong, 3 bytes
  EXPECT_EQ(Parse("\xed\xa0\x80"), fffd + fffd + fffd);             // a surrogate
  EXPECT_EQ(Parse("\xf4\x90\x80\x80"), fffd + fffd + fffd + fffd);  // past U+10FFFF
  EXPECT_EQ(Parse("\xe3\x81\x82\x80z"), "\xe3\x81\x82" + fffd + "z");
}

TEST(AppendJsonString, EveryByteStringGivesValidJson) {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(255 - i));
  EXPECT_NO_THROW(Parse(s));
}

}  // namespace
}  // namespace claimsca::web
