#pragma once

// The deadline reminders by e-mail (docs/newinst.md "受付番号 and its deadlines"): every
// 仮コード still waiting for its 受付番号 (state provisional) with an address gets the
// reminder DueReminder says is due, once per (code, deadline, N): the outbox's dedup key is
// the reminder's, and the run checks it first so that a daily job writes neither a second
// mail nor a second audit row. The portal page shows the same reminder on screen.

#include <string>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "mail/outbox.h"
#include "newinst/reminders.h"
#include "store/store.h"

namespace claimsca::newinst {

struct ReminderMailReport {
  int mailed = 0;                  // mails written to the outbox by this run
  int already_sent = 0;            // due, but sent by an earlier run
  std::vector<std::string> codes;  // the 仮コード mailed, in order
};

// The mail's text for `in` and `r`: which deadline, its date, what to do, and the warning
// that a later presentation does not guarantee use from the opening day.
std::string ReminderMailBody(const Institution& in, const Reminder& r);

// One run at `now` (JST date): mails every due reminder (kind "newinst_deadline"), each in
// its own transaction with its audit row "newinst.remind".
Result<ReminderMailReport> SendDeadlineReminders(store::Store& store,
                                                 const mail::Composer& composer,
                                                 const std::vector<int>& days_before, Instant now);

}  // namespace claimsca::newinst
