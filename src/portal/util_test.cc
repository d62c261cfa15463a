#include "portal/util.h"

#include <gtest/gtest.h>

namespace claimsca::portal {
namespace {

TEST(CookieValue, FindsTheNamedCookieAmongOthers) {
  EXPECT_EQ(CookieValue("a=1; claimsca_session=abc; b=2", "claimsca_session"), "abc");
  EXPECT_EQ(CookieValue("claimsca_session=abc", "claimsca_session"), "abc");
  EXPECT_EQ(CookieValue(" x = \"quoted\" ;y=2", "x"), "quoted");
  EXPECT_EQ(CookieValue("xclaimsca_session=abc", "claimsca_session"), std::nullopt);
  EXPECT_EQ(CookieValue("", "a"), std::nullopt);
  EXPECT_EQ(CookieValue("a", "a"), std::nullopt);
  EXPECT_EQ(CookieValue("a=; b=1", "a"), "");
}

TEST(SetCookie, IsHttpOnlyStrictAndSecureOnlyOverTls) {
  EXPECT_EQ(SetCookie("s", "v", false), "s=v; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SetCookie("s", "v", true, 7200),
            "s=v; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=7200");
  EXPECT_EQ(SetCookie("s", "", false, 0), "s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

TEST(FormDecode, DecodesPlusAndPercentAndRefusesBadEscapes) {
  EXPECT_EQ(FormDecode("a+b%20c"), "a b c");
  EXPECT_EQ(FormDecode("%E5%8F%97%E4%BB%98PC1"), "受付PC1");
  EXPECT_EQ(FormDecode("%3Cscript%3E"), "<script>");
  EXPECT_EQ(FormDecode("100%"), std::nullopt);
  EXPECT_EQ(FormDecode("%4"), std::nullopt);
  EXPECT_EQ(FormDecode("%zz"), std::nullopt);
}

TEST(FormData, ParsesPairsFirstValueWinsMalformedDropped) {
  FormData f =
      FormData::Parse("csrf=abc&name=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E&name=x&bad=%&flag");
  EXPECT_EQ(f.Get("csrf"), "abc");
  EXPECT_EQ(f.Get("name"), "山田 太郎");
  EXPECT_FALSE(f.Has("bad"));
  EXPECT_TRUE(f.Has("flag"));
  EXPECT_EQ(f.Get("flag"), "");
  EXPECT_EQ(f.Get("missing"), "");
  EXPECT_FALSE(FormData::Parse("").Has("csrf"));
}

TEST(CsrfMatches, RequiresAnEqualNonEmptyValue) {
  EXPECT_TRUE(CsrfMatches("0123456789abcdef", "0123456789abcdef"));
  EXPECT_FALSE(CsrfMatches("0123456789abcdef", "0123456789abcdeF"));
  EXPECT_FALSE(CsrfMatches("0123456789abcdef", "0123456789abcde"));
  EXPECT_FALSE(CsrfMatches("0123456789abcdef", ""));
  EXPECT_FALSE(CsrfMatches("", ""));
}

TEST(SecurityHeaders, CarryTheStrictPolicy) {
  auto h = SecurityHeaders();
  auto find = [&](std::string_view name) {
    for (const auto& [k, v] : h) {
      if (k == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(find("Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(find("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(find("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(find("Cache-Control"), "no-store");
}

TEST(Helpers, GroupDigitsUrlEncodeRequestId) {
  EXPECT_EQ(GroupDigits(0), "0");
  EXPECT_EQ(GroupDigits(792), "792");
  EXPECT_EQ(GroupDigits(1500), "1,500");
  EXPECT_EQ(GroupDigits(1234567), "1,234,567");
  EXPECT_EQ(UrlEncode("a b&c=/受"), "a%20b%26c%3D%2F%E5%8F%97");
  EXPECT_TRUE(IsRequestIdSyntax("20260101000001"));
  EXPECT_FALSE(IsRequestIdSyntax("2026010100000"));
  EXPECT_FALSE(IsRequestIdSyntax("2026010100000x"));
}

TEST(ParseMultipartTest, ReadsFieldsAndFilesAndRefusesMalformedBodies) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\na,b\r\n1,2\r\n\r\n--XyZ--\r\n";
  auto parts = ParseMultipart("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->at("csrf"), "abc");
  EXPECT_EQ(parts->at("file"), "a,b\r\n1,2\r\n");
  EXPECT_TRUE(ParseMultipart("multipart/form-data; boundary=\"XyZ\"", body).has_value());
  EXPECT_FALSE(ParseMultipart("application/x-www-form-urlencoded", body).has_value());
  EXPECT_FALSE(ParseMultipart("multipart/form-data; boundary=Other", body).has_value());
  EXPECT_FALSE(ParseMultipart("multipart/form-data; boundary=XyZ", body.substr(0, body.size() - 12))
                   .has_value())
      << "no closing delimiter";
  EXPECT_FALSE(ParseMultipart("multipart/form-data; boundary=XyZ",
                              "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--")
                   .has_value())
      << "a part without a name";
}

// Found by fuzz/form_fuzz.cc: a part without content (its blank line's CRLF starts the
// delimiter) made the content length wrap around, and the part read as the rest of the body.
TEST(ParseMultipartTest, PartWithoutContentIsEmpty) {
  const std::string body =
      "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--B\r\n"
      "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n--B--\r\n";
  auto parts = ParseMultipart("multipart/form-data; boundary=B", body);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->at("a"), "");
  EXPECT_EQ(parts->at("b"), "x");
  auto last = ParseMultipart("multipart/form-data; boundary=B",
                             "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--B--\r\n");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->at("a"), "");
}
TEST(IdAndActionTest, SplitsTheIdFromTheAction) {
  EXPECT_EQ(IdAndAction("/p/123", "/p/"), std::make_pair(std::string("123"), std::string()));
  EXPECT_EQ(IdAndAction("/p/123/revoke", "/p/"),
            std::make_pair(std::string("123"), std::string("revoke")));
  EXPECT_EQ(IdAndAction("/p/", "/p/"), std::make_pair(std::string(), std::string()));
}

Instant At(std::string_view iso) {
  auto t = ParseInstant(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? *t : Instant{};
}

TEST(FormatDateJa, IsTheGuidesZeroPaddedSlashDateInTokyo) {
  using namespace std::chrono;
  EXPECT_EQ(FormatDateJa(Date{year{2026}, month{1}, day{5}}), "2026/01/05");
  EXPECT_EQ(FormatDateJa(Date{year{2030}, month{12}, day{31}}), "2030/12/31");
  // 23:30 UTC on the 6th is 08:30 JST on the 7th; 14:59:59 UTC is still the same JST day.
  EXPECT_EQ(FormatDateJa(At("2026-12-06T23:30:00Z")), "2026/12/07");
  EXPECT_EQ(FormatDateJa(At("2026-12-06T14:59:59Z")), "2026/12/06");
  EXPECT_EQ(FormatDateJa(At("2026-12-06T15:00:00Z")), "2026/12/07");
  EXPECT_EQ(FormatDateJa(std::optional<Instant>(At("2027-02-28T23:59:59+09:00"))), "2027/02/28");
  EXPECT_EQ(FormatDateJa(std::optional<Instant>()), "");
}

TEST(FormatDateTimeJa, AddsTheTokyoHourAndMinute) {
  EXPECT_EQ(FormatDateTimeJa(At("2026-12-06T23:05:59Z")), "2026/12/07 08:05");
  EXPECT_EQ(FormatDateTimeJa(At("2026-03-01T00:00:00+09:00")), "2026/03/01 00:00");
  EXPECT_EQ(FormatDateTimeJa(At("2026-03-01T23:59:00+09:00")), "2026/03/01 23:59");
  EXPECT_EQ(FormatDateTimeJa(std::optional<Instant>()), "");
}

TEST(FormatDateJa, ReadsStoredIsoTextAndLeavesOtherTextAlone) {
  EXPECT_EQ(FormatDateJa(std::string_view("2026-11-22")), "2026/11/22");
  EXPECT_EQ(FormatDateJa(std::string_view("2026-11-22T01:00:00Z")), "2026/11/22");
  EXPECT_EQ(FormatDateJa(std::string_view("2026-11-21T16:00:00Z")), "2026/11/22");
  EXPECT_EQ(FormatDateTimeJa(std::string_view("2026-11-22T10:05:00+09:00")), "2026/11/22 10:05");
  EXPECT_EQ(FormatDateJa(std::string_view("")), "");
  EXPECT_EQ(FormatDateJa(std::string_view("未定")), "未定");
}

}  // namespace
}  // namespace claimsca::portal
