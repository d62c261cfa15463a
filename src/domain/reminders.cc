#include "domain/reminders.h"

#include <chrono>

namespace claimsca::domain {

const ReminderSchedule& ExpiryMailSchedule() {
  static const ReminderSchedule s{{75, 60, 45, 30, 15, 7}, true};
  return s;
}

const ReminderSchedule& ExpiryScreenSchedule() {
  static const ReminderSchedule s{{90, 60, 30, 15, 7}, true};
  return s;
}

const ReminderSchedule& DownloadMailSchedule() {
  static const ReminderSchedule s{{30, 15}, false};
  return s;
}

std::vector<DateRange> NewlyDueEndDates(const ReminderSchedule& schedule, Date today,
                                        std::optional<Date> covered) {
  using std::chrono::days;
  using std::chrono::sys_days;
  if (schedule.days_before.empty()) return {};
  const auto plus = [](Date d, int n) { return Date{sys_days(d) + days(n)}; };
  if (!covered || sys_days(*covered) >= sys_days(today)) {
    return {{today, plus(today, schedule.days_before.front())}};
  }
  std::vector<int> starts = schedule.days_before;
  if (schedule.daily_after) {
    for (int d = schedule.days_before.back() - 1; d >= 0; --d) starts.push_back(d);
  }
  std::vector<DateRange> ranges;
  for (auto it = starts.rbegin(); it != starts.rend(); ++it) {  // ascending thresholds
    DateRange r{plus(*covered, *it + 1), plus(today, *it)};
    if (!ranges.empty() && sys_days(r.first) <= sys_days(ranges.back().last) + days(1)) {
      if (sys_days(r.last) > sys_days(ranges.back().last)) ranges.back().last = r.last;
    } else {
      ranges.push_back(r);
    }
  }
  return ranges;
}

bool CoversWindow(const ReminderSchedule& schedule, Date today,
                  const std::vector<DateRange>& ranges) {
  using std::chrono::sys_days;
  if (schedule.days_before.empty()) return true;
  const sys_days last = sys_days(today) + std::chrono::days(schedule.days_before.front());
  for (const DateRange& r : ranges) {  // merged: the window lies in one range or in none
    if (sys_days(r.first) <= sys_days(today) && sys_days(r.last) >= last) return true;
  }
  return false;
}

int DaysUntil(Date today, Date end) {
  return static_cast<int>((std::chrono::sys_days(end) - std::chrono::sys_days(today)).count());
}

std::optional<int> ReminderStage(const ReminderSchedule& schedule, int days_left) {
  if (days_left < 0 || schedule.days_before.empty()) return std::nullopt;
  if (days_left > schedule.days_before.front()) return std::nullopt;
  if (days_left < schedule.days_before.back()) {
    return schedule.daily_after ? days_left : schedule.days_before.back();
  }
  std::optional<int> stage;
  for (int t : schedule.days_before) {
    if (t >= days_left) stage = t;  // descending: the last one that still fits is smallest
  }
  return stage;
}

}  // namespace claimsca::domain
