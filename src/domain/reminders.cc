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
