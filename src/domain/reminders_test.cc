#include "domain/reminders.h"

#include <gtest/gtest.h>

namespace claimsca::domain {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

TEST(ReminderStage, ExpiryMailFollowsTheScheduleThenDaily) {
  const ReminderSchedule& s = ExpiryMailSchedule();
  EXPECT_EQ(ReminderStage(s, 76), std::nullopt);
  EXPECT_EQ(ReminderStage(s, 75), 75);
  EXPECT_EQ(ReminderStage(s, 61), 75);  // a missed 75th day is caught up, same stage
  EXPECT_EQ(ReminderStage(s, 60), 60);
  EXPECT_EQ(ReminderStage(s, 46), 60);
  EXPECT_EQ(ReminderStage(s, 45), 45);
  EXPECT_EQ(ReminderStage(s, 30), 30);
  EXPECT_EQ(ReminderStage(s, 15), 15);
  EXPECT_EQ(ReminderStage(s, 8), 15);  // the 7-day one is not due yet
  EXPECT_EQ(ReminderStage(s, 7), 7);
  for (int d = 6; d >= 0; --d) EXPECT_EQ(ReminderStage(s, d), d) << d;
  EXPECT_EQ(ReminderStage(s, -1), std::nullopt);
}

TEST(ReminderStage, ScreenAndDownloadSchedules) {
  EXPECT_EQ(ReminderStage(ExpiryScreenSchedule(), 91), std::nullopt);
  EXPECT_EQ(ReminderStage(ExpiryScreenSchedule(), 90), 90);
  EXPECT_EQ(ReminderStage(ExpiryScreenSchedule(), 75), 90);
  EXPECT_EQ(ReminderStage(ExpiryScreenSchedule(), 59), 60);
  EXPECT_EQ(ReminderStage(ExpiryScreenSchedule(), 3), 3);
  EXPECT_EQ(ReminderStage(DownloadMailSchedule(), 31), std::nullopt);
  EXPECT_EQ(ReminderStage(DownloadMailSchedule(), 30), 30);
  EXPECT_EQ(ReminderStage(DownloadMailSchedule(), 16), 30);
  EXPECT_EQ(ReminderStage(DownloadMailSchedule(), 15), 15);
  EXPECT_EQ(ReminderStage(DownloadMailSchedule(), 1), 15);
  EXPECT_EQ(ReminderStage(DownloadMailSchedule(), 0), 15);
  EXPECT_EQ(ReminderStage(DownloadMailSchedule(), -1), std::nullopt);
}

TEST(ReminderStage, DistinctStagesOverAWholeWindow) {
  // Walking day by day from 100 days before to the end day gives each stage once, in order.
  std::vector<int> stages;
  for (int d = 100; d >= 0; --d) {
    auto s = ReminderStage(ExpiryMailSchedule(), d);
    if (s && (stages.empty() || stages.back() != *s)) stages.push_back(*s);
  }
  EXPECT_EQ(stages, (std::vector<int>{75, 60, 45, 30, 15, 7, 6, 5, 4, 3, 2, 1, 0}));
}

TEST(DaysUntil, CountsCalendarDays) {
  const Date a{year(2026), month(11), day(22)};
  EXPECT_EQ(DaysUntil(a, a), 0);
  EXPECT_EQ(DaysUntil(a, Date{year(2027), month(2), day(20)}), 90);
  EXPECT_EQ(DaysUntil(a, Date{year(2026), month(11), day(21)}), -1);
  EXPECT_EQ(DaysUntil(Date{year(2028), month(2), day(28)}, Date{year(2028), month(3), day(1)}), 2);
}

}  // namespace
}  // namespace claimsca::domain
