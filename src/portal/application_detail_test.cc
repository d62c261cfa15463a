// The detail page's words per state (application_detail.h; docs/portal.md "The detail page").

#include "portal/application_detail.h"

#include <gtest/gtest.h>

#include <regex>

namespace claimsca::portal {
namespace {

using store::ApplicationRecord;
using store::ApplicationState;

Instant At(const char* iso) { return *ParseInstant(iso); }

std::string Says(const nlohmann::json& j) {
  std::string all;
  for (const auto& s : j["says"]) all += s.get<std::string>() + "\n";
  return all + j["next"].get<std::string>() + "\n" + j["notice"].get<std::string>();
}

// Every value of the dates table is YYYY/MM/DD.
void ExpectGuideDates(const nlohmann::json& j) {
  ASSERT_FALSE(j["dates"].empty());
  for (const auto& d : j["dates"]) {
    EXPECT_TRUE(
        std::regex_match(d["value"].get<std::string>(), std::regex("[0-9]{4}/[0-9]{2}/[0-9]{2}")))
        << d.dump();
  }
}

ApplicationRecord Submitted() {
  ApplicationRecord a;
  a.request_id = "20261124000001";
  a.submitted_at = At("2026-11-24T10:00");
  return a;
}

ApplicationRecord Issued() {
  ApplicationRecord a = Submitted();
  a.state = ApplicationState::kIssued;
  a.decided_at = a.issued_at = At("2026-11-24T10:00");
  a.download_deadline = At("2027-05-23T23:59:59");
  a.not_after = At("2030-02-24T23:59:59");
  a.common_name = "123456789012";
  a.sealed_password = "sealed";
  return a;
}

DetailFacts Now(const char* iso) {
  DetailFacts f;
  f.now = At(iso);
  return f;
}

TEST(DetailStatus, RejectedShowsTheReasonAndNoNotice) {
  ApplicationRecord a = Submitted();
  a.state = ApplicationState::kRejected;
  a.decided_at = At("2026-11-25T09:00");
  a.reject_reason = "医療機関名称が届出と違います。";
  const auto j = DetailStatus(a, Now("2026-11-26T10:00"));
  EXPECT_EQ(j["state"], "発行申請棄却");
  EXPECT_EQ(j["reject_reason"], "医療機関名称が届出と違います。");
  EXPECT_EQ(j["notice"], "");
  const std::string says = Says(j);
  EXPECT_NE(says.find("発行通知書も送られません"), std::string::npos) << says;
  EXPECT_EQ(says.find("郵送します"), std::string::npos) << says;
  EXPECT_EQ(says.find("発送します"), std::string::npos) << says;
  EXPECT_TRUE(j["apply_again"]);
  EXPECT_EQ(j["dates"].back()["label"], "棄却日");
  EXPECT_EQ(j["dates"].back()["value"], "2026/11/25");
  ExpectGuideDates(j);
  // No reason written: the page says so and points to the contact.
  a.reject_reason.clear();
  EXPECT_NE(DetailStatus(a, Now("2026-11-26T10:00"))["reject_reason"].get<std::string>().find(
                "問い合わせ"),
            std::string::npos);
}

TEST(DetailStatus, CancelledSaysWhetherAFeeWasCredited) {
  ApplicationRecord a = Submitted();
  a.state = ApplicationState::kCancelled;
  a.cancelled_at = At("2026-11-24T11:00");
  DetailFacts f = Now("2026-11-24T12:00");
  std::string says = Says(DetailStatus(a, f));
  EXPECT_NE(says.find("キャンセルされました"), std::string::npos);
  EXPECT_NE(says.find("承認の前にキャンセルしたため、発行料はかかりません"), std::string::npos);
  EXPECT_NE(says.find("発行通知書は送られません"), std::string::npos);
  EXPECT_EQ(says.find("郵送します"), std::string::npos);
  f.fee_credited = true;
  says = Says(DetailStatus(a, f));
  EXPECT_NE(says.find("いったん計上した発行料は取り消しました"), std::string::npos) << says;
  ExpectGuideDates(DetailStatus(a, f));
}

TEST(DetailStatus, PendingSaysTheNoticeFollowsApproval) {
  const auto j = DetailStatus(Submitted(), Now("2026-11-24T12:00"));
  EXPECT_EQ(j["state"], "発行承認待ち");
  EXPECT_NE(j["notice"].get<std::string>().find("承認されたあとに作成"), std::string::npos);
  EXPECT_FALSE(j["apply_again"]);
}

TEST(DetailStatus, IssuedBeforeTheNoticeSaysUntilWhenCancellingIsFree) {
  DetailFacts f = Now("2026-11-24T10:30");
  f.free_cancel_until = At("2026-11-24T14:00");
  const auto j = DetailStatus(Issued(), f);
  EXPECT_EQ(j["state"], "発行済み");
  const std::string says = Says(j);
  EXPECT_NE(says.find("2026/11/24 14:00（発行通知書の作成）まで"), std::string::npos) << says;
  EXPECT_NE(says.find("ダウンロード有効期限：2027/05/23"), std::string::npos) << says;
  EXPECT_NE(j["notice"].get<std::string>().find("まだ作成していません"), std::string::npos);
  ExpectGuideDates(j);
  EXPECT_EQ(j["dates"].size(), 4u);  // 申請日, 発行日, ダウンロード有効期限, 証明書有効期限
  EXPECT_EQ(j["dates"][3]["value"], "2030/02/24");
}

TEST(DetailStatus, IssuedAndDownloadedTellsWhenRenewalOpens) {
  ApplicationRecord a = Issued();
  a.sealed_password.clear();
  a.download_count = 1;
  a.last_downloaded_at = At("2026-11-27T09:15");
  DetailFacts f = Now("2026-12-01T10:00");
  f.renewal_opens = At("2029-11-26T00:00");
  std::string says = Says(DetailStatus(a, f));
  EXPECT_NE(says.find("最後のダウンロード：2026/11/27 09:15"), std::string::npos) << says;
  EXPECT_NE(says.find("2029/11/26から"), std::string::npos) << says;
  f.now = At("2029-12-01T10:00");
  says = Says(DetailStatus(a, f));
  EXPECT_NE(says.find("更新できます"), std::string::npos) << says;
  // Past its end: 有効期限切れ, renewal impossible.
  f.now = At("2030-02-25T00:00");
  const auto j = DetailStatus(a, f);
  EXPECT_EQ(j["state"], "有効期限切れ");
  EXPECT_NE(Says(j).find("更新できません"), std::string::npos);
}

TEST(DetailStatus, IssuedPastTheDownloadDeadlineWithoutDownload) {
  ApplicationRecord a = Issued();
  a.sealed_password.clear();
  const auto j = DetailStatus(a, Now("2027-05-24T00:00"));
  EXPECT_EQ(j["state"], "ダウンロード期限切れ");
  EXPECT_NE(Says(j).find("ダウンロード有効期限（2027/05/23）を過ぎた"), std::string::npos);
}

TEST(DetailStatus, RevokedSaysWhyAndWhen) {
  ApplicationRecord a = Issued();
  a.state = ApplicationState::kRevoked;
  a.revoked_at = At("2026-12-01T09:00");
  a.revocation_reason = 1;
  DetailFacts f = Now("2026-12-02T09:00");
  auto j = DetailStatus(a, f);
  EXPECT_NE(Says(j).find("盗難や紛失"), std::string::npos);
  EXPECT_EQ(j["dates"].back()["value"], "2026/12/01");
  f.unpaid = true;
  EXPECT_NE(Says(DetailStatus(a, f)).find("お支払いがなかったため"), std::string::npos);
}

}  // namespace
}  // namespace claimsca::portal
