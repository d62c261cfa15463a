#include "mail/mime_read.h"

#include <gtest/gtest.h>

#include "mail/mime.h"

namespace claimsca::mail {
namespace {

TEST(MimeReadTest, ReadsBackWhatBuildMimeWrote) {
  MailMessage m;
  m.from_address = "no-reply@ca.example.jp";
  m.from_name = "共通認証局";
  m.to_address = "iji@example.jp";
  // Long enough to be folded over several encoded-words.
  m.subject =
      "【電子証明書 発行完了通知】医療法人社団 とても長い名前のクリニックの電子証明書について";
  m.body = "医事課 様\n\nリンク: http://127.0.0.1:8080/portal/\n最後の行";
  m.message_id = "1@ca.example.jp";
  m.date = Instant{} + std::chrono::hours(24 * 365 * 56);
  auto mime = BuildMime(m);
  ASSERT_TRUE(mime.ok()) << mime.status().ToString();
  auto read = ReadMime(*mime);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->subject, m.subject);
  EXPECT_EQ(read->to, m.to_address);
  EXPECT_EQ(read->body, m.body);
  EXPECT_NE(read->from.find("共通認証局"), std::string::npos) << read->from;
  EXPECT_NE(read->date.find("+0900"), std::string::npos);
}

TEST(MimeReadTest, QuotedWordsPlainHeadersAndErrors) {
  EXPECT_EQ(DecodeHeaderWords("=?UTF-8?Q?a_b=3Dc?= plain"), "a b=c plain");
  EXPECT_EQ(DecodeHeaderWords("no words"), "no words");
  EXPECT_EQ(DecodeHeaderWords("=?iso-2022-jp?B?GyRC?="), "=?iso-2022-jp?B?GyRC?=");
  auto plain = ReadMime("Subject: hi\r\nTo: <a@b.jp>\r\n\r\nline1\r\nline2\r\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->body, "line1\nline2\n");
  EXPECT_EQ(plain->to, "a@b.jp");
  EXPECT_FALSE(ReadMime("Subject: no body separator").ok());
  EXPECT_FALSE(ReadMime("Content-Transfer-Encoding: base64\r\n\r\n!!!!\r\n").ok());
}

}  // namespace
}  // namespace claimsca::mail
