// MIME building: encoded-words (length, UTF-8 boundaries, round trip), no header
// injection, JST Date, base64 body, address checks.

#include "mail/mime.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "common/time_util.h"

namespace claimsca::mail {
namespace {

std::string DecodeBase64(std::string_view in) {
  static const std::string kB64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const size_t v = kB64.find(c);
    if (v == std::string::npos) continue;  // '=' and line breaks
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

// Decodes a folded run of "=?UTF-8?B?...?=" words; checks each word's length.
std::string DecodeWords(const std::string& folded) {
  std::string out;
  size_t pos = 0;
  while ((pos = folded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t end = folded.find("?=", pos + 10);
    EXPECT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - pos, 75u) << "encoded-word longer than 75";
    const std::string piece = DecodeBase64(folded.substr(pos + 10, end - pos - 10));
    out += piece;
    pos = end + 2;
  }
  return out;
}

TEST(Mime, AsciiStaysPlainJapaneseIsEncoded) {
  EXPECT_EQ(EncodeHeaderValue("Hello world", 9), "Hello world");
  EXPECT_NE(EncodeHeaderValue("a =?x?= b", 9), "a =?x?= b");  // looks like a word: encoded
  const std::string subject = "【電子証明書 申請情報受付通知】";
  const std::string enc = EncodeHeaderValue(subject, 9);
  EXPECT_EQ(enc.rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_EQ(DecodeWords(enc), subject);
}

TEST(Mime, LongValuesFoldAtCharacterBoundaries) {
  std::string value;
  for (int i = 0; i < 30; ++i) value += "医療法人社団テスト中です#%& * > ? @";
  const std::string enc = EncodeHeaderValue(value, 9);
  EXPECT_EQ(DecodeWords(enc), value);
  // Each piece decodes to whole UTF-8 characters (no character split between words).
  size_t pos = 0;
  while ((pos = enc.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t end = enc.find("?=", pos + 10);
    const std::string piece = DecodeBase64(enc.substr(pos + 10, end - pos - 10));
    const auto last = static_cast<unsigned char>(piece.back());
    const auto first = static_cast<unsigned char>(piece.front());
    EXPECT_FALSE((first & 0xc0) == 0x80) << "piece starts inside a character";
    EXPECT_TRUE(last < 0x80 || (last & 0xc0) == 0x80);
    pos = end + 2;
  }
  // Folded lines stay within 78 characters ("Subject: " counted on the first).
  std::istringstream lines("Subject: " + enc);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), 79u) << line;  // + '\r'
}

MailMessage Sample() {
  MailMessage m;
  m.from_address = "no-reply@ca.example.jp";
  m.from_name = "共通認証局";
  m.to_address = "yamada@example.jp";
  m.subject = "【電子証明書 発行完了通知】";
  m.body = "山田 様\n\n発行しました。\n";
  m.message_id = "abc123@ca.example.jp";
  m.date = *ParseInstant("2026-11-22T17:04:15+09:00");
  return m;
}

TEST(Mime, BuildsHeadersAndBase64Body) {
  auto mime = BuildMime(Sample());
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  const std::string& t = *mime;
  EXPECT_NE(t.find("Date: Sun, 22 Nov 2026 17:04:15 +0900\r\n"), std::string::npos) << t;
  EXPECT_NE(t.find("From: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(t.find(" <no-reply@ca.example.jp>\r\n"), std::string::npos);
  EXPECT_NE(t.find("To: <yamada@example.jp>\r\n"), std::string::npos);
  EXPECT_NE(t.find("Message-ID: <abc123@ca.example.jp>\r\n"), std::string::npos);
  EXPECT_NE(t.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(t.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(t.find("Content-Transfer-Encoding: base64\r\n"), std::string::npos);
  const size_t body_at = t.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  EXPECT_EQ(DecodeBase64(t.substr(body_at + 4)), "山田 様\r\n\r\n発行しました。\r\n");
  // Only ASCII on the wire.
  for (char c : t) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
}

TEST(Mime, NoHeaderInjection) {
  MailMessage m = Sample();
  m.subject = "hello\r\nBcc: victim@example.com";
  m.from_name = "x\r\nBcc: victim@example.com";
  auto mime = BuildMime(m);
  ASSERT_TRUE(mime.ok());
  EXPECT_EQ(mime->find("\r\nBcc:"), std::string::npos) << *mime;
  for (const char* bad :
       {"a@b\r\nBcc: c@d", "no-at-sign", "a b@c", "<a@b>", "a@b,c@d", "@b", "a@"}) {
    m = Sample();
    m.to_address = bad;
    EXPECT_EQ(BuildMime(m).status().code(), Code::kInvalidArgument) << bad;
  }
  m = Sample();
  m.message_id.clear();
  EXPECT_EQ(BuildMime(m).status().code(), Code::kInvalidArgument);
}

TEST(Mime, DateIsJst) {
  EXPECT_EQ(FormatRfc5322DateJst(*ParseInstant("2026-12-31T15:00:00Z")),
            "Fri, 1 Jan 2027 00:00:00 +0900");
  EXPECT_EQ(Base64("ab"), "YWI=");
  EXPECT_EQ(Base64("abc"), "YWJj");
  EXPECT_EQ(Base64("a"), "YQ==");
}

}  // namespace
}  // namespace claimsca::mail
