// newinst::SendDeadlineReminders on both back ends: each reminder once (a daily job run
// twice a day writes neither a second mail nor a second audit row), the reply deadline then
// the presentation deadline, nothing once the 受付番号 is presented or without an address.

#include "newinst/reminder_mail.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/clock.h"
#include "newinst/institutions.h"
#include "store/store_test_fixture.h"

namespace claimsca::newinst {
namespace {

using store::test::kT0;

// 9:00 JST on a day of March 2027 (opening month 2027-04: the reply deadline is Wednesday
// 2027-03-10, the presentation deadline Monday 2027-03-15).
Instant March(unsigned day) {
  return JstMidnight(Date{std::chrono::year{2027}, std::chrono::March, std::chrono::day{day}}) +
         std::chrono::hours(9);
}

class ReminderMailTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    institutions_ = std::make_unique<InstitutionStore>(*store_);
    NewInstitution n;
    n.prefecture = "13";
    n.score_table = "1";
    n.category = "1";
    n.name = "オン資クリニック";
    n.postal_code = "1008916";
    n.address = "東京都千代田区霞が関１－２－２";
    n.opening_month = "2027-04";
    n.email = "clinic@example.jp";
    auto a = institutions_->Issue(n, "operator:op", kT0);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    code_ = a->provisional_code;
    n.email = "";  // a second clinic without an address: never mailed
    ASSERT_TRUE(institutions_->Issue(n, "operator:op", kT0).ok());
  }

  ReminderMailReport Run(Instant at) {
    FixedClock clock(at);
    mail::Composer composer(clock, mail::OutboxOptions{});
    auto r = SendDeadlineReminders(*store_, composer, {5, 1}, at);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ReminderMailReport{};
  }

  std::unique_ptr<InstitutionStore> institutions_;
  std::string code_;
};

TEST_P(ReminderMailTest, EachReminderOnceThenNoneAfterPresentation) {
  EXPECT_EQ(Run(March(2)).mailed, 0);    // 6 open days before the 10th
  ReminderMailReport r = Run(March(3));  // 5 open days before: 3, 4, 5, 8, 9
  EXPECT_EQ(r.mailed, 1);
  ASSERT_EQ(r.codes.size(), 1u);
  EXPECT_EQ(r.codes.front(), code_);
  r = Run(March(3) + std::chrono::hours(5));
  EXPECT_EQ(r.mailed, 0);
  EXPECT_EQ(r.already_sent, 1);
  EXPECT_EQ(Run(March(4)).mailed, 0);   // still the 5-day reminder: sent
  EXPECT_EQ(Run(March(9)).mailed, 1);   // 1 open day before the reply deadline
  EXPECT_EQ(Run(March(11)).mailed, 1);  // the presentation deadline's 5-day reminder
  EXPECT_EQ(Run(March(12)).mailed, 1);  // and its 1-day reminder (the 15th is a Monday)
  EXPECT_EQ(Run(March(12)).mailed, 0);

  auto mails = store_->DueMail(March(31), 100);
  ASSERT_TRUE(mails.ok()) << mails.status().ToString();
  ASSERT_EQ(mails->size(), 4u);
  for (const auto& m : *mails) {
    EXPECT_EQ(m.recipient, "clinic@example.jp");
    EXPECT_EQ(m.kind, "newinst_deadline");
  }
  std::set<std::string> keys;
  for (const auto& m : *mails) keys.insert(m.dedup_key);
  const std::string k = "newinst.remind." + code_;
  EXPECT_EQ(keys, (std::set<std::string>{k + ".presentation.1", k + ".presentation.5",
                                         k + ".reply.1", k + ".reply.5"}));

  // Presented: no more reminders.
  auto p = institutions_->Present(code_, "1310123455", "clinic", March(13));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(Run(March(15)).mailed, 0);
}

TEST(ReminderMailBody, NamesTheDeadlineAndTheWarning) {
  Institution in;
  in.provisional_code = "1310000013";
  in.name = "オン資クリニック";
  in.opening_month = "2027-04";
  Reminder r{DeadlineKind::kPresentation,
             Date{std::chrono::year{2027}, std::chrono::March, std::chrono::day{15}}, 1, "k"};
  const std::string body = ReminderMailBody(in, r);
  EXPECT_NE(body.find("仮コード 1310000013、診療開始月 2027年4月"), std::string::npos) << body;
  EXPECT_NE(body.find("受付番号の提示期限は 2027/03/15(月) です"), std::string::npos) << body;
  EXPECT_NE(body.find("保証できません"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReminderMailTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::newinst
