// Subsidy applications on both back ends: apply (with its receipts and the schedule entry
// kept), one per institution, approve / reject, the approved-use rule, the audit trail.

#include "subsidy/store.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "subsidy/store_test_fixture.h"

namespace claimsca::subsidy {
namespace {

using namespace testing;  // NOLINT: the fixture's names

TEST_P(SubsidyStoreTest, ApplyKeepsTheReceiptsAndTheAmount) {
  std::vector<Receipt> rs = {{DeviceKind::kTablet, Day(2024, 8, 1), 30'000, "A商店"},
                             {DeviceKind::kCardReader, Day(2024, 8, 2), 11'333, "B電機"}};
  Result<Application> a =
      subsidies_->Apply({kClinic, "テスト診療所", Channel::kPaper, rs, "operator:suzuki"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->application_id, "SUB000001");
  EXPECT_EQ(a->eligible_yen, 41'333);
  EXPECT_EQ(a->amount_yen, 30'999);
  Result<Application> got = subsidies_->Get("SUB000001");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->state, State::kSubmitted);
  EXPECT_EQ(got->channel, Channel::kPaper);
  EXPECT_EQ(got->receipts, rs);
  EXPECT_EQ(got->entry, SeedScheduleEntry());
  EXPECT_EQ(got->applied_date, Day(2024, 12, 1));
  EXPECT_EQ(got->amount_yen, 30'999);
  EXPECT_EQ(got->applied_by, "operator:suzuki");
  EXPECT_CODE(subsidies_->Get("SUB000009").status(), kNotFound);

  auto audit = store_->AuditBySubject("SUB000001", 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].action, "subsidy.apply");
}

TEST_P(SubsidyStoreTest, OnePerInstitutionAgainOnlyAfterRejection) {
  ASSERT_TRUE(ApplyFor(kClinic, 10'000).ok());
  Result<Application> second = ApplyFor(kClinic, 20'000);
  EXPECT_CODE(second.status(), kConflict);
  EXPECT_NE(second.status().message().find("SUB000001"), std::string::npos);
  ASSERT_TRUE(subsidies_->Reject("SUB000001", "領収書の宛名が違います", "operator:r").ok());
  Result<Application> again = ApplyFor(kClinic, 20'000);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->application_id, "SUB000002");
  ASSERT_TRUE(subsidies_->Approve("SUB000002", "operator:r").ok());
  EXPECT_CODE(ApplyFor(kClinic, 20'000).status(), kConflict);  // approved: still one only
}

TEST_P(SubsidyStoreTest, OnlyWithAnApprovedUse) {
  approved_.erase(kClinic2);
  Result<Application> a = ApplyFor(kClinic2, 10'000);
  EXPECT_CODE(a.status(), kFailedPrecondition);
  EXPECT_NE(a.status().message().find("申請区分2"), std::string::npos);
  auto list = subsidies_->List(std::nullopt, std::nullopt);
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_P(SubsidyStoreTest, RefusedAfterTheDeadlineWithTheDate) {
  clock_.Set(ParseInstant("2025-01-15T23:59:59+09:00").value());
  ASSERT_TRUE(ApplyFor(kClinic, 100'000).ok());
  clock_.Set(ParseInstant("2025-01-16T00:00:00+09:00").value());
  Result<Application> late = ApplyFor(kClinic2, 100'000);
  EXPECT_CODE(late.status(), kFailedPrecondition);
  EXPECT_EQ(late.status().message(),
            "補助金の申請期限（2025/01/15）を過ぎているため申請できません。");
}

TEST_P(SubsidyStoreTest, ReviewStatesAndList) {
  ASSERT_TRUE(ApplyFor(kClinic, 41'336).ok());
  ASSERT_TRUE(ApplyFor(kClinic2, 4'000).ok());
  EXPECT_CODE(subsidies_->Reject("SUB000001", "", "operator:r").status(), kInvalidArgument);
  Result<Application> ok = subsidies_->Approve("SUB000001", "operator:r");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->approval_date, "2024-12-01");
  EXPECT_EQ(ok->amount_yen, 31'000);
  EXPECT_CODE(subsidies_->Approve("SUB000001", "operator:r").status(), kFailedPrecondition);
  EXPECT_CODE(subsidies_->Reject("SUB000001", "x", "operator:r").status(), kFailedPrecondition);
  ASSERT_TRUE(subsidies_->Reject("SUB000002", "対象外の機器", "operator:r").ok());
  EXPECT_CODE(subsidies_->Approve("SUB000002", "operator:r").status(), kFailedPrecondition);

  auto all = subsidies_->List(std::nullopt, std::nullopt);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].application_id, "SUB000002");  // newest first
  EXPECT_EQ((*all)[0].reject_reason, "対象外の機器");
  auto approved = subsidies_->List(State::kApproved, std::nullopt);
  ASSERT_TRUE(approved.ok());
  ASSERT_EQ(approved->size(), 1u);
  EXPECT_EQ((*approved)[0].institution_code, kClinic);
  auto mine = subsidies_->List(std::nullopt, std::string(kClinic2));
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].state, State::kRejected);
  auto none = subsidies_->List(State::kApproved, std::string(kClinic2));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto audit = store_->AuditBySubject("SUB000002", 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[1].action, "subsidy.reject");
  int64_t rows = 0;
  ASSERT_OK(store_->VerifyAuditChain(&rows));
}

INSTANTIATE_TEST_SUITE_P(Backends, SubsidyStoreTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::subsidy
