// 証明書有効期限切れ事前通知 on both back ends: once per certificate when its renewal
// window opens (inbox, and e-mail where registered), none for a renewed one.

#include "kokuhoren/reminders.h"

#include <gtest/gtest.h>

#include "kokuhoren/applications_test_fixture.h"

namespace claimsca::kokuhoren {
namespace {

using testing::kOffice;
using testing::kOfficeAccount;

class RemindersTest : public testing::KokuhorenTest {
 protected:
  Result<ExpiryNoticeReport> RunAt(Instant t) {
    clock_.Set(t);
    return notices_->Run(t);
  }
  void SetUp() override {
    KokuhorenTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    composer_ = std::make_unique<mail::Composer>(clock_, mail::OutboxOptions{});
    notices_ = std::make_unique<ExpiryNotices>(
        *store_, accounts_, *programs_.Find("kokuhoren").value(), composer_.get());
  }
  std::unique_ptr<mail::Composer> composer_;
  std::unique_ptr<ExpiryNotices> notices_;
};

TEST_P(RemindersTest, NoticesEachCertificateOnceWhenItsWindowOpens) {
  auto a = apps_->Apply(OfficeRequest());
  ASSERT_TRUE(a.ok());
  auto first = issuance_->Issue(a->id, "operator:sato");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const Instant opens = JstMidnight(AddMonths(JstDate(*first->not_after), -3));

  auto r = RunAt(opens - std::chrono::seconds(1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->noticed, 0);
  r = RunAt(opens);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->noticed, 1);
  EXPECT_EQ(r->emailed, 1);  // the office has an address
  r = RunAt(opens + std::chrono::hours(24));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->noticed, 0);  // once
  ASSERT_EQ(accounts_.posts().size(), 1u);
  const auto& post = accounts_.posts().front();
  EXPECT_EQ(post.account_id, kOfficeAccount);
  EXPECT_EQ(post.title, "証明書有効期限切れ事前通知");
  EXPECT_NE(post.body.find(kOffice), std::string::npos);
  EXPECT_NE(post.body.find(FormatDateJa(JstDate(*first->not_after))), std::string::npos);
  // The e-mail is in the outbox, once.
  auto mails = store_->DueMail(clock_.Now() + std::chrono::hours(24 * 400), 10);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ASSERT_EQ(mails->size(), 1u);
  EXPECT_EQ(mails->front().recipient, "office@example.jp");
  EXPECT_EQ(mails->front().kind, "kj_expiry_notice");

  // Renewed (continue from the end): the new certificate is noticed 3 months before ITS end.
  auto next = apps_->Apply(OfficeRequest(ValidityStart::kContinue));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  auto second = issuance_->Issue(next->id, "operator:sato");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(RunAt(*first->not_after - std::chrono::hours(1))->noticed, 0);
  r = RunAt(JstMidnight(AddMonths(JstDate(*second->not_after), -3)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->noticed, 1);
  EXPECT_EQ(r->ids, std::vector<std::string>{next->id});
  EXPECT_EQ(accounts_.posts().size(), 2u);
}

TEST_P(RemindersTest, ARevokedCertificateIsNotNoticed) {
  auto a = apps_->Apply(OfficeRequest());
  ASSERT_TRUE(a.ok());
  auto issued = issuance_->Issue(a->id, "operator:sato");
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  ASSERT_OK(store_->Revoke(issued->serial, clock_.Now(), 5, std::nullopt));
  auto r = RunAt(AddMonthsJst(*issued->not_after, -2));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->noticed, 0);
  EXPECT_TRUE(accounts_.posts().empty());
}

TEST_P(RemindersTest, AgentWordingAndNoMailWithoutAddress) {
  ApplyRequest req;
  req.account_id = testing::kAgentAccount;
  req.office_number = testing::kOffice2;
  req.issuance_password = "issue-a";
  req.payment = PaymentMethod::kTransfer;
  req.terms_accepted = true;
  auto a = apps_->Apply(req);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(apps_->ConfirmPayment(a->id, "system:import").ok());
  auto issued = issuance_->Issue(a->id, "operator:sato");
  ASSERT_TRUE(issued.ok());
  auto r = RunAt(AddMonthsJst(*issued->not_after, -2));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->noticed, 1);
  EXPECT_EQ(r->emailed, 0);
  ASSERT_EQ(accounts_.posts().size(), 1u);
  EXPECT_EQ(accounts_.posts().front().account_id, testing::kAgentAccount);
  EXPECT_NE(accounts_.posts().front().body.find("代理人請求"), std::string::npos);
  // Expired certificates are not noticed any more.
  EXPECT_EQ(RunAt(*issued->not_after + std::chrono::hours(1))->noticed, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, RemindersTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
