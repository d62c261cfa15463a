#include "domain/reminders.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <utility>

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

TEST(NewlyDueEndDates, AFirstRunOrTimeMovedBackReadsTheWholeWindow) {
  const Date today{year(2027), month(3), day(1)};
  const Date end75{year(2027), month(5), day(15)};
  const std::vector<DateRange> whole{{today, end75}};
  EXPECT_EQ(NewlyDueEndDates(ExpiryMailSchedule(), today, std::nullopt), whole);
  EXPECT_EQ(NewlyDueEndDates(ExpiryMailSchedule(), today, today), whole);
  EXPECT_EQ(NewlyDueEndDates(ExpiryMailSchedule(), today, Date{year(2027), month(3), day(9)}),
            whole);
}

TEST(NewlyDueEndDates, TheDayAfterADailyRunReadsOneEndDatePerStage) {
  const Date today{year(2027), month(3), day(1)};
  const Date yesterday{year(2027), month(2), day(28)};
  const auto d = [&](int n) { return Date{std::chrono::sys_days(today) + std::chrono::days(n)}; };
  // 0..7 merge into one range (daily below 7); then 15, 30, 45, 60, 75 alone.
  EXPECT_EQ(NewlyDueEndDates(ExpiryMailSchedule(), today, yesterday),
            (std::vector<DateRange>{{d(0), d(7)},
                                    {d(15), d(15)},
                                    {d(30), d(30)},
                                    {d(45), d(45)},
                                    {d(60), d(60)},
                                    {d(75), d(75)}}));
  EXPECT_EQ(NewlyDueEndDates(DownloadMailSchedule(), today, yesterday),
            (std::vector<DateRange>{{d(15), d(15)}, {d(30), d(30)}}));
}

TEST(CoversWindow, OnlyAFirstRunTimeMovedBackOrAGapOfAboutTwoWeeksReadsTheWholeWindow) {
  const Date today{year(2027), month(3), day(1)};
  const auto ago = [&](int n) { return Date{std::chrono::sys_days(today) - std::chrono::days(n)}; };
  // From this gap on the newly due end dates are the whole window: the largest step between
  // thresholds is 15 days; the download schedule's last stage (15) lasts to the end day, so
  // its end day entered it 15 days before and a gap of 15 still leaves it out.
  for (const auto& [s, whole_from] :
       {std::pair{&ExpiryMailSchedule(), 15}, std::pair{&DownloadMailSchedule(), 16}}) {
    EXPECT_TRUE(CoversWindow(*s, today, NewlyDueEndDates(*s, today, std::nullopt)));
    EXPECT_TRUE(CoversWindow(*s, today, NewlyDueEndDates(*s, today, today)));
    EXPECT_TRUE(CoversWindow(*s, today, NewlyDueEndDates(*s, today, ago(-3))));
    for (int gap = 1; gap <= 40; ++gap) {
      EXPECT_EQ(CoversWindow(*s, today, NewlyDueEndDates(*s, today, ago(gap))), gap >= whole_from)
          << gap;
    }
    EXPECT_TRUE(CoversWindow(*s, today, NewlyDueEndDates(*s, today, ago(400))));
  }
}

// The property the daily job relies on: over any sequence of run days, reading only the
// newly due end dates sends exactly the (end date, stage) reminders that reading the whole
// window every time would (the outbox's dedup keys stop the repeats of the latter).
TEST(NewlyDueEndDates, SendsWhatAFullScanWouldOverAnySequenceOfRuns) {
  using std::chrono::days;
  using std::chrono::sys_days;
  const Date start{year(2027), month(1), day(1)};
  std::mt19937 rng(20261207);
  for (const ReminderSchedule* s :
       {&ExpiryMailSchedule(), &DownloadMailSchedule(), &ExpiryScreenSchedule()}) {
    for (int trial = 0; trial < 200; ++trial) {
      std::set<std::pair<int, int>> full;  // (end day number, stage)
      std::set<std::pair<int, int>> incremental;
      std::optional<Date> covered;
      int run = 0;
      for (int step = 0; step < 12; ++step) {
        run += std::uniform_int_distribution<int>(1, 25)(rng);
        const Date today{sys_days(start) + days(run)};
        for (int e = run; e <= run + s->days_before.front(); ++e) {
          auto stage = ReminderStage(*s, e - run);
          if (stage) full.insert({e, *stage});
        }
        for (const DateRange& r : NewlyDueEndDates(*s, today, covered)) {
          for (sys_days e = sys_days(r.first); e <= sys_days(r.last); e += days(1)) {
            const int n = static_cast<int>((e - sys_days(start)).count());
            auto stage = ReminderStage(*s, n - run);
            if (stage) incremental.insert({n, *stage});
          }
        }
        covered = today;
      }
      ASSERT_EQ(incremental, full) << "trial " << trial;
    }
  }
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
