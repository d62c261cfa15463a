#pragma once

// Reminder schedules (DOMAIN.md §4, §5): how many days before an end date a reminder is
// due, and which "stage" of the schedule a day belongs to. A reminder is sent once per
// stage: a day that was missed (the job did not run, the terminal was off) is caught up
// on the next day of the same stage, and never twice. Pure.

#include <optional>
#include <vector>

#include "common/time_util.h"

namespace claimsca::domain {

struct ReminderSchedule {
  std::vector<int> days_before;  // descending, e.g. {75, 60, 45, 30, 15, 7}
  bool daily_after = false;      // then every day below the last, down to the end day (0)
};

// E-mail before the certificate's end: 75, 60, 45, 30, 15, 7 days, then daily.
const ReminderSchedule& ExpiryMailSchedule();
// On the terminal's screen: 90, 60, 30, 15, 7 days, then daily.
const ReminderSchedule& ExpiryScreenSchedule();
// E-mail before the download deadline: 30 and 15 days.
const ReminderSchedule& DownloadMailSchedule();

// Whole JST days from `today` to `end` (0 on the end day itself, negative after it).
int DaysUntil(Date today, Date end);

// The stage `days_left` falls in: the smallest threshold ≥ days_left, or days_left itself
// below the last threshold when daily_after (else the last threshold's stage, so a missed
// last reminder is still caught up). nullopt before the first threshold and after the end
// (days_left < 0).
std::optional<int> ReminderStage(const ReminderSchedule& schedule, int days_left);

struct DateRange {
  Date first;  // inclusive
  Date last;   // inclusive
  bool operator==(const DateRange&) const = default;
};

// The end dates whose reminder can be newly due at `today` when a complete run already
// covered `covered` (the last JST day the job finished): those that entered a stage after
// that day — for each day a stage begins (each threshold, and each day below the last when
// daily_after), the end dates `covered` + t + 1 .. `today` + t — merged, ascending. A daily
// job thus reads about one day's worth of end dates per threshold, not the whole window.
// Without a usable covered day (nullopt, or not before today: a first run, or a rehearsal
// that moved time back) the whole window today .. today + first threshold.
std::vector<DateRange> NewlyDueEndDates(const ReminderSchedule& schedule, Date today,
                                        std::optional<Date> covered);

// Whether `ranges` (NewlyDueEndDates of `schedule` at `today`) hold the whole window today ..
// today + first threshold: a first run, time moved back, or a gap of about two weeks or more
// since the covered day. Then nothing else can be due, and the job needs no second read of
// what was written since.
bool CoversWindow(const ReminderSchedule& schedule, Date today,
                  const std::vector<DateRange>& ranges);

}  // namespace claimsca::domain
