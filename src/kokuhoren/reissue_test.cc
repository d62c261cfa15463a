#include "kokuhoren/reissue.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "kokuhoren/accounts_test_fixture.h"
#include "kokuhoren/inbox.h"
#include "kokuhoren/sealed_notice.h"

namespace claimsca::kokuhoren {
namespace {

using std::chrono::minutes;

constexpr char kLogin[] = "Sakura-Station-2026";

// The one entry of a ZIP archive, read back with libzip: {name, bytes}.
std::pair<std::string, std::string> Unzip(const std::string& zip) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  EXPECT_NE(src, nullptr);
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
  EXPECT_NE(za, nullptr);
  if (za == nullptr) return {};
  EXPECT_EQ(zip_get_num_entries(za, 0), 1);
  const std::string name = zip_get_name(za, 0, ZIP_FL_ENC_RAW);
  zip_stat_t st;
  zip_stat_index(za, 0, 0, &st);
  std::string bytes(st.size, '\0');
  zip_file_t* f = zip_fopen_index(za, 0, 0);
  EXPECT_EQ(zip_fread(f, bytes.data(), st.size), static_cast<zip_int64_t>(st.size));
  zip_fclose(f);
  zip_close(za);
  return {name, bytes};
}

// Runs a command line; its exit status.
int Shell(const std::string& cmd) {
  const int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReissueTest : public testing::KjStoreTest {
 protected:
  void SetUp() override {
    KjStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    tmp_ =
        std::filesystem::path(::testing::TempDir()) / ("kj_reissue_" + store::test::RandomHex(6));
    std::filesystem::create_directories(tmp_);
  }
  void TearDown() override {
    std::filesystem::remove_all(tmp_);
    KjStoreTest::TearDown();
  }
  std::filesystem::path tmp_;
  NoticeSender sender_{"東京都国民健康保険団体連合会", "1020072", "東京都千代田区飯田橋3-5-1", ""};
};

TEST_P(ReissueTest, NewGenerationNoticeEncryptedWithTheLoginPasswordInTheInbox) {
  const Registration reg = AddOffice(testing::kOffice1);
  ASSERT_OK(accounts_->ChangePassword(reg.user_id, reg.temporary_password, kLogin));

  // A wrong login password re-issues nothing (and counts as a failed login).
  auto wrong = ReissueIssuancePassword(*store_, *accounts_, clock_, sender_, reg.user_id,
                                       "not-the-password-1");
  EXPECT_EQ(wrong.status().code(), Code::kUnauthorized);
  EXPECT_EQ(*accounts_->IssuancePasswordGeneration(reg.account_id), 1);

  auto r = ReissueIssuancePassword(*store_, *accounts_, clock_, sender_, reg.user_id, kLogin);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->generation, 2);
  EXPECT_EQ(*accounts_->IssuancePasswordGeneration(reg.account_id), 2);
  // The registration notice's issuance password no longer works.
  EXPECT_EQ(accounts_->VerifyIssuancePassword(reg.user_id, reg.issuance_password).status().code(),
            Code::kUnauthorized);

  auto m = GetMessage(*store_, reg.account_id, r->message_id);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->title, "証明書発行用パスワード通知書");
  EXPECT_EQ(m->attachment_name, "証明書発行用パスワード通知書.zip");
  const auto [name, pdf] = Unzip(m->attachment);
  EXPECT_EQ(name, "証明書発行用パスワード通知書.pdf");
  ASSERT_TRUE(pdf.starts_with("%PDF-"));

  // qpdf (the command line tool, an outside client): opens with the login password only.
  const auto in = tmp_ / "notice.pdf";
  const auto out = tmp_ / "plain.pdf";
  std::ofstream(in, std::ios::binary) << pdf;
  EXPECT_EQ(Shell("qpdf --decrypt '" + in.string() + "' '" + out.string() + "'"), 2)
      << "opened without a password";
  EXPECT_EQ(Shell("qpdf --password=wrong-password --decrypt '" + in.string() + "' '" +
                  out.string() + "'"),
            2);
  EXPECT_EQ(Shell("qpdf --password=" + std::string(reg.temporary_password) + " --decrypt '" +
                  in.string() + "' '" + out.string() + "'"),
            2)
      << "opened with the old temporary password";
  ASSERT_EQ(Shell("qpdf --password=" + std::string(kLogin) + " --decrypt '" + in.string() + "' '" +
                  out.string() + "'"),
            0);
  // The new issuance password printed in it is the current generation's.
  ASSERT_EQ(
      Shell("pdftotext -layout '" + out.string() + "' '" + (tmp_ / "plain.txt").string() + "'"), 0);
  const std::string text = ReadFile(tmp_ / "plain.txt");
  EXPECT_NE(text.find(reg.user_id), std::string::npos) << text;
  std::smatch found;
  const std::regex password(R"(証明書発行用パスワード\s+([A-Za-z0-9]{12}))");
  ASSERT_TRUE(std::regex_search(text, found, password)) << text;
  auto g = accounts_->VerifyIssuancePassword(reg.user_id, found[1].str());
  ASSERT_TRUE(g.ok()) << g.status().ToString() << " " << found[1].str();
  EXPECT_EQ(*g, 2);

  // Again: a third generation, a second message.
  clock_.Advance(minutes(5));
  auto again = ReissueIssuancePassword(*store_, *accounts_, clock_, sender_, reg.user_id, kLogin);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->generation, 3);
  EXPECT_EQ(ListMessages(*store_, reg.account_id)->size(), 2u);
}

TEST(SealedNoticeTest, RefusesBadInput) {
  EXPECT_EQ(EncryptPdf("not a pdf", "password-1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(EncryptPdf("%PDF-1.4", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ZipOne("", "x", 0).status().code(), Code::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReissueTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
