#include "kokuhoren/notice_pdf.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "kokuhoren/accounts_test_fixture.h"

namespace claimsca::kokuhoren {
namespace {

// The text of a PDF (pdftotext, an outside reader).
std::string PdfText(const std::string& pdf) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / ("kj_notice_" + store::test::RandomHex(6));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "n.pdf", std::ios::binary) << pdf;
  const std::string cmd = "pdftotext -layout '" + (dir / "n.pdf").string() + "' '" +
                          (dir / "n.txt").string() + "' 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir / "n.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  std::filesystem::remove_all(dir);
  return ss.str();
}

Registration Office() {
  Registration r;
  r.kind = "kj_office";
  r.account_id = "kj12345678";
  r.user_id = "KJ12345678";
  r.temporary_password = "Temp7pass8Xy";
  r.issuance_password = "Issu3Pass9Wz";
  r.name = "訪問介護ステーションさくら";
  r.postal_code = "1000001";
  r.address = "東京都千代田区千代田1-1";
  r.offices = {testing::kOffice1};
  return r;
}

TEST(NoticePdfTest, OnePagePerRegistrationWithTheSecrets) {
  Registration agent = Office();
  agent.kind = "kj_agent";
  agent.account_id = "kj87654321";
  agent.user_id = "KJ87654321";
  agent.name = "介護請求代行株式会社";
  agent.offices.clear();
  for (int i = 0; i < 120; ++i) agent.offices.push_back(testing::OfficeNumber(i));
  const NoticeSender sender{"東京都国民健康保険団体連合会", "1020072", "東京都千代田区飯田橋3-5-1",
                            "https://kj.example.jp/"};
  const Date on{std::chrono::year(2026), std::chrono::month(12), std::chrono::day(6)};
  auto pdf = RegistrationNoticesPdf({Office(), agent}, sender, on);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  const std::string text = PdfText(*pdf);
  const size_t page2 = text.find('\f');
  ASSERT_NE(page2, std::string::npos) << text;
  const std::string first = text.substr(0, page2), second = text.substr(page2);
  EXPECT_NE(first.find("電子請求登録結果に関するお知らせ"), std::string::npos) << first;
  EXPECT_NE(first.find("KJ12345678"), std::string::npos);
  EXPECT_NE(first.find("Temp7pass8Xy"), std::string::npos);
  EXPECT_NE(first.find("Issu3Pass9Wz"), std::string::npos);
  EXPECT_NE(first.find(testing::kOffice1), std::string::npos);
  EXPECT_NE(first.find("2026/12/06"), std::string::npos);
  EXPECT_NE(second.find("代理人申請登録結果に関するお知らせ"), std::string::npos) << second;
  EXPECT_NE(second.find("KJ87654321"), std::string::npos);
  EXPECT_NE(second.find("120 事業所"), std::string::npos);
  EXPECT_NE(second.find(testing::OfficeNumber(98)), std::string::npos);
  EXPECT_EQ(second.find(testing::OfficeNumber(99)), std::string::npos);  // beyond the page
  EXPECT_NE(second.find("ほか 21 事業所"), std::string::npos) << second;
  // Deterministic: the same input, the same bytes.
  auto again = RegistrationNoticesPdf({Office(), agent}, sender, on);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *pdf);
  EXPECT_EQ(RegistrationNoticesPdf({}, sender, on).status().code(), Code::kInvalidArgument);

  // A login password reset: its own title, no issuance password.
  Registration reset = Office();
  reset.issuance_password.clear();
  auto reset_pdf = RegistrationNoticesPdf({reset}, sender, on);
  ASSERT_TRUE(reset_pdf.ok());
  const std::string reset_text = PdfText(*reset_pdf);
  EXPECT_NE(reset_text.find("仮パスワード再発行のお知らせ"), std::string::npos) << reset_text;
  EXPECT_NE(reset_text.find("Temp7pass8Xy"), std::string::npos);
  EXPECT_EQ(reset_text.find("Issu3Pass9Wz"), std::string::npos);
}

}  // namespace
}  // namespace claimsca::kokuhoren
