// Approval with the portal account and the two letters (docs/qualcheck.md "Approval and the
// letters") on both back ends: {1, 2} gets an account with a temporary password printed on
// the ユーザー設定情報 and erased after printing; {1} gets an account holding the form's
// password (its hash); the subsidy form carries the cap, the deadline and the device rows.

#include "qualcheck/letters.h"

#include <gtest/gtest.h>

#include <map>

#include "pdf/testing/poppler.h"
#include "qualcheck/form_testing.h"
#include "qualcheck/initial_password.h"
#include "qualcheck/tracking.h"
#include "store/store_test_fixture.h"

namespace claimsca::qualcheck {
namespace {

using pdf::testing::NoSpace;
using pdf::testing::PdfFile;
using store::test::kT0;

const auth::KdfParams kTestKdf{1, 8 * 1024};

class QualcheckLettersTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    apps_ = std::make_unique<ApplicationStore>(*store_, bank_, kTestKdf);
    auth::AuthOptions o;
    o.kdf = kTestKdf;
    auth_ = std::make_unique<auth::AuthService>(*store_, clock_, o);
    auto s = crypto::SealedBox::Create(std::string(32, 's'));
    ASSERT_TRUE(s.ok());
    sealer_.emplace(std::move(*s));
  }
  Result<LettersBatch> Print() {
    return PrintLetters(*apps_, *store_, *sealer_, sender_, SubsidyTerms{}, "/out", kT0,
                        [&](const std::string& path, std::string_view data) {
                          files_[path] = std::string(data);
                          return Status::Ok();
                        });
  }
  BankDigits bank_{std::string(32, 'k')};
  FixedClock clock_{kT0};
  std::unique_ptr<ApplicationStore> apps_;
  std::unique_ptr<auth::AuthService> auth_;
  std::optional<crypto::SealedBox> sealer_;
  LetterSender sender_{"社会保険診療報酬支払基金", "1050004", "東京都港区新橋2丁目1番3号",
                       "https://portal.example.jp/"};
  std::map<std::string, std::string> files_;
};

TEST_P(QualcheckLettersTest, OneAndTwoTogetherGetAnAccountAndBothLetters) {
  Form f = testing::ExampleForm();
  f.kind1 = true;
  f.password.clear();
  auto id = apps_->SubmitPortal(f, "staff", kT0);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const Status approved =
      ApproveWithAccount(*apps_, *store_, *auth_, *sealer_, *id, "reviewer:kato", kT0);
  ASSERT_TRUE(approved.ok()) << approved.ToString();
  auto a = apps_->Get(*id);
  EXPECT_EQ(a->account_id, "yamada@example.jp");
  auto acc = store_->GetAccount("yamada@example.jp");
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(acc->institution_codes, std::vector<std::string>{"0110113719"});
  auto batch = Print();
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->letters, 1u);
  ASSERT_EQ(batch->files.size(), 3u);
  const std::string settings = NoSpace(PdfFile(files_[batch->files[0]]).Text());
  EXPECT_NE(settings.find("マイナ資格確認アプリユーザー設定情報"), std::string::npos);
  EXPECT_NE(settings.find("yamada@example.jp"), std::string::npos);
  EXPECT_NE(settings.find("2027/01/15"), std::string::npos);  // 運用開始（予定）日
  // The temporary password on the letter logs in; it is gone from the store afterwards.
  const size_t at = settings.find("仮パスワード");
  ASSERT_NE(at, std::string::npos);
  const std::string temp = settings.substr(at + std::string("仮パスワード").size(), 16);
  EXPECT_TRUE(auth_->Login("yamada@example.jp", temp).ok()) << temp;
  // ... and must be changed at the first login, until the holder sets their own.
  InitialPasswords initial(*store_);
  EXPECT_TRUE(*initial.MustChange("yamada@example.jp"));
  EXPECT_FALSE(*initial.MustChange("someone@example.jp"));
  // A password set another way (a reset by e-mail) ends the requirement as well.
  ASSERT_TRUE(store_
                  ->SetPasswordHash("yamada@example.jp", "$argon2id$v=19$m=65536,t=2,p=1$x$y",
                                    store::AuditEvent{.at = kT0,
                                                      .actor = "yamada@example.jp",
                                                      .action = "account.password_reset",
                                                      .subject = "yamada@example.jp",
                                                      .details = "{}"})
                  .ok());
  EXPECT_FALSE(*initial.MustChange("yamada@example.jp"));
  ASSERT_TRUE(initial.Done("yamada@example.jp").ok());
  EXPECT_FALSE(*initial.MustChange("yamada@example.jp"));
  EXPECT_TRUE(apps_->PendingLetters()->empty());
  const std::string subsidy = NoSpace(PdfFile(files_[batch->files[1]]).Text());
  for (const char* s : {"補助金に関する申請書", "31000", "2025/01/15", "スマートフォン",
                        "タブレット", "汎用カードリーダー"}) {
    EXPECT_NE(subsidy.find(s), std::string::npos) << s;
  }
  EXPECT_NE(files_[batch->files[2]].find(*id), std::string::npos);
  // A second batch prints nothing.
  EXPECT_EQ(Print()->letters, 0u);
}

TEST_P(QualcheckLettersTest, OneAloneKeepsTheFormsPassword) {
  Form f = testing::ExampleForm();
  f.kind1 = true;
  f.kind2 = false;
  auto id = apps_->SubmitPortal(f, "staff", kT0);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(
      ApproveWithAccount(*apps_, *store_, *auth_, *sealer_, *id, "reviewer:kato", kT0).ok());
  EXPECT_TRUE(auth_->Login("yamada@example.jp", "abc12345").ok());
  // The holder chose this password: nothing to change at the first login.
  EXPECT_FALSE(*InitialPasswords(*store_).MustChange("yamada@example.jp"));
  // The same e-mail cannot get a second account.
  auto again = apps_->SubmitPortal(f, "staff", kT0);
  EXPECT_EQ(
      ApproveWithAccount(*apps_, *store_, *auth_, *sealer_, *again, "reviewer:kato", kT0).code(),
      Code::kConflict);
  auto batch = Print();
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->files.size(), 2u);  // no subsidy form without 申請区分 2
}

// The letters' envelope is tracked like a notice: the mailing service's tracking list
// (request_id = the application id) imported all or nothing, shown on the application.
TEST_P(QualcheckLettersTest, TrackingOfTheLettersIsImported) {
  Form f = testing::ExampleForm();
  f.kind1 = true;
  f.password.clear();
  auto id = apps_->SubmitPortal(f, "staff", kT0);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(
      ApproveWithAccount(*apps_, *store_, *auth_, *sealer_, *id, "reviewer:kato", kT0).ok());
  const std::string shipped =
      "request_id,tracking_number,status,date\n" + *id + ",1234-5678-9012,発送済み,2027/01/18\n";
  auto rows = ParseLetterTracking(shipped);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // Not printed yet: nothing to track, the file is refused with its line.
  auto early = ImportLetterTracking(*store_, *rows, "operator:a", kT0);
  EXPECT_EQ(early.status().code(), Code::kNotFound);
  EXPECT_NE(early.status().message().find("line 2"), std::string::npos);
  ASSERT_TRUE(Print().ok());
  auto done = ImportLetterTracking(*store_, *rows, "operator:a", kT0);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(*done, 1);
  auto a = apps_->Get(*id);
  EXPECT_EQ(a->tracking_number, "1234-5678-9012");
  EXPECT_EQ(a->shipping_status, "shipped");
  EXPECT_EQ(a->shipping_status_on, "2027-01-18");
  EXPECT_EQ(*ImportLetterTracking(*store_, *rows, "operator:a", kT0), 0);  // repeated
  // A file with an unknown application changes nothing, not even its good rows.
  auto mixed = ParseLetterTracking("request_id,tracking_number,status,date\n" + *id +
                                   ",1234-5678-9012,お届け済み,2027-01-19\n"
                                   "QC0000000000,9999,発送済み,2027-01-19\n");
  ASSERT_TRUE(mixed.ok());
  auto refused = ImportLetterTracking(*store_, *mixed, "operator:a", kT0);
  EXPECT_EQ(refused.status().code(), Code::kNotFound);
  EXPECT_NE(refused.status().message().find("line 3"), std::string::npos);
  EXPECT_EQ(apps_->Get(*id)->shipping_status, "shipped");
  // Delivered.
  auto delivered = ParseLetterTracking("request_id,tracking_number,status,date\n" + *id +
                                       ",,お届け済み,2027-01-19\n");
  ASSERT_TRUE(ImportLetterTracking(*store_, *delivered, "operator:a", kT0).ok());
  EXPECT_EQ(apps_->Get(*id)->shipping_status, "delivered");
  EXPECT_EQ(apps_->Get(*id)->tracking_number, "1234-5678-9012");
  // A notice's request ID is not an application ID: the line and the column are named.
  auto bad = ParseLetterTracking(
      "request_id,tracking_number,status,date\n20270115000001,1,発送済み,2027-01-18\n");
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 2, request_id"), std::string::npos)
      << bad.status().message();
}

INSTANTIATE_TEST_SUITE_P(Backends, QualcheckLettersTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::qualcheck
