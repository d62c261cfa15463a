#pragma once

// The deadline reminders of a 仮コード whose 受付番号 is still missing (docs/newinst.md
// "受付番号 and its deadlines"): N open days before each deadline ([newinst]
// reminder_days_before, default 5 and 1), by e-mail to the row's address (each once, by
// its dedupe key) and on the portal page. Pure.

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "newinst/institutions.h"

namespace claimsca::newinst {

enum class DeadlineKind { kReply, kPresentation };

struct Reminder {
  DeadlineKind kind;
  Date deadline;
  int days_before = 0;     // the reminder of N open days before (0: the deadline day itself)
  std::string dedupe_key;  // "newinst.remind.<仮コード>.<reply|presentation>.<N>"
};

// The reminder due for `in` on `today`, or nullopt: the row is still provisional, and for
// the nearest deadline not yet past, `today` is on or after the date N open days before it
// (domain::AddBusinessDays) for some N in `days_before`; the smallest such N is the one
// due (a job that ran late sends the latest reminder only). The presentation deadline is
// taken once the reply deadline has passed.
std::optional<Reminder> DueReminder(const Institution& in, Date today,
                                    const std::vector<int>& days_before);

// "5,1" → {5, 1} ([newinst] reminder_days_before): non-negative integers below 60,
// comma-separated; InvalidArgument quoting the text otherwise.
Result<std::vector<int>> ParseReminderDays(std::string_view text);

// True when `in` is still provisional and `today` is after its presentation deadline.
bool PresentationOverdue(const Institution& in, Date today);

}  // namespace claimsca::newinst
