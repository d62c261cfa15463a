// The job runner (daily due times, one day at a time, leases, a failed run runs again) and
// the on-screen reminder walked over every day of a certificate's life, on both back ends.

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "jobs/reminders.h"
#include "jobs/runner.h"
#include "store/store_test_fixture.h"

namespace claimsca::jobs {
namespace {

using namespace store::test;  // NOLINT: the shared fixture and helpers

Instant At(const char* text) { return ParseInstant(text).value(); }

class JobsTest : public StoreTest {};

TEST_P(JobsTest, DailyJobsRunOncePerDayFromTheirTime) {
  FixedClock clock(At("2026-11-24T08:59"));
  Runner runner(*store_, clock, "host:1");
  int daily = 0, every = 0, failing = 0;
  bool fail_now = true;
  runner.Add(
      {"daily", 9 * 60, [&](Instant) -> Result<std::string> { return std::to_string(++daily); }});
  runner.Add({"every", std::nullopt,
              [&](Instant) -> Result<std::string> { return std::to_string(++every); }});
  runner.Add({"flaky", 9 * 60, [&](Instant) -> Result<std::string> {
                ++failing;
                if (fail_now) return Unavailable("smtp down");
                return std::string("ok");
              }});
  auto by_name = [](const std::vector<JobOutcome>& v) {
    std::map<std::string, JobOutcome> m;
    for (const auto& o : v) m[o.name] = o;
    return m;
  };
  auto r = by_name(runner.RunDue());
  EXPECT_TRUE(r["daily"].skipped);  // before 09:00 JST
  EXPECT_EQ(daily, 0);
  EXPECT_EQ(every, 1);
  clock.Set(At("2026-11-24T09:00"));
  r = by_name(runner.RunDue());
  EXPECT_EQ(daily, 1);
  EXPECT_FALSE(r["flaky"].status.ok());
  clock.Set(At("2026-11-24T18:00"));
  r = by_name(runner.RunDue());
  EXPECT_EQ(daily, 1) << "once per day";
  EXPECT_EQ(failing, 2) << "a failed daily run is not recorded: it runs again";
  fail_now = false;
  clock.Set(At("2026-11-24T19:00"));
  r = by_name(runner.RunDue());
  EXPECT_TRUE(r["flaky"].status.ok());
  clock.Set(At("2026-11-24T20:00"));
  runner.RunDue();
  EXPECT_EQ(failing, 3);
  // The next JST day (UTC still says the 24th at 15:30Z = 00:30 JST, not due before 09:00).
  clock.Set(At("2026-11-25T00:30"));
  runner.RunDue();
  EXPECT_EQ(daily, 1);
  clock.Set(At("2026-11-25T09:30"));
  runner.RunDue({"daily"});
  EXPECT_EQ(daily, 2);
  EXPECT_EQ(every, 6) << "--job daily runs only that one";
  EXPECT_EQ(**store_->LastJobDay("daily"), "2026-11-25");
}

TEST_P(JobsTest, AJobLeasedByAnotherProcessIsSkipped) {
  FixedClock clock(At("2026-11-24T10:00"));
  ASSERT_TRUE(*store_->TryLease("job:every", "other:2", clock.Now(), std::chrono::minutes(30)));
  Runner runner(*store_, clock, "host:1");
  int every = 0;
  runner.Add({"every", std::nullopt,
              [&](Instant) -> Result<std::string> { return std::to_string(++every); }});
  auto r = runner.RunDue();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].skipped);
  EXPECT_EQ(every, 0);
  clock.Set(At("2026-11-24T10:31"));  // the other's lease ran out (it died)
  runner.RunDue();
  EXPECT_EQ(every, 1);
}

TEST(ParseTimeOfDay, AcceptsOnlyHhMm) {
  EXPECT_EQ(*ParseTimeOfDay("00:00", "x"), 0);
  EXPECT_EQ(*ParseTimeOfDay("14:30", "x"), 870);
  for (const char* bad : {"24:00", "9:00", "09:60", "0900", "", "09:00 "}) {
    EXPECT_FALSE(ParseTimeOfDay(bad, "x").ok()) << bad;
  }
}

TEST_P(JobsTest, TheExpiryDialogFollowsTheScreenScheduleEveryDay) {
  store::CertificateRecord cert = Intent("5e01", "cn-1");
  cert.not_before = At("2026-11-24T10:00");
  cert.not_after = At("2030-02-24T10:00");
  // A terminal that asks every morning (twice on some days) from issuance to its end.
  std::vector<int> shown;
  for (Instant day = At("2026-11-25T08:00"); day < cert.not_after; day += std::chrono::hours(24)) {
    auto r = ScreenReminderFor(*store_, cert, day);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (r->show) {
      shown.push_back(r->days_left);
      EXPECT_NE(r->message.find("有効期限"), std::string::npos);
      auto again = ScreenReminderFor(*store_, cert, day + std::chrono::hours(1));
      EXPECT_TRUE(again->show) << "asked again the same day";
    }
  }
  EXPECT_EQ(shown, (std::vector<int>{90, 60, 30, 15, 7, 6, 5, 4, 3, 2, 1, 0}));
  // A terminal that was off from 95 to 85 days before: shown on the first day back.
  store::CertificateRecord other = cert;
  other.serial = "5e02";
  EXPECT_FALSE(ScreenReminderFor(*store_, other, At("2029-11-20T08:00"))->show);  // 96 days
  auto back = ScreenReminderFor(*store_, other, At("2029-11-30T08:00"));
  EXPECT_TRUE(back->show);
  EXPECT_EQ(back->days_left, 86);
  EXPECT_FALSE(ScreenReminderFor(*store_, other, At("2030-02-24T10:00"))->show) << "expired";
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsTest, ::testing::Values("sqlite", "postgres"), BackendName);

}  // namespace
}  // namespace claimsca::jobs
