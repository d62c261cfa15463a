#pragma once

// Reminders (DOMAIN.md §4, §5; docs/notices-and-mail.md):
//   - e-mail before the download deadline (30, 15 days) while the PKCS#12 was never
//     downloaded;
//   - e-mail before the certificate's end (75, 60, 45, 30, 15, 7 days, then daily);
//   - the expiry dialog on the terminal's screen (90, 60, 30, 15, 7 days, then daily),
//     answered to the terminal that asks with its certificate.
// Each is due once per stage of its schedule (domain::ReminderStage): the outbox's dedup
// key "<serial>|expiry_reminder|<stage>" / "<request_id>|download_reminder|<stage>" and the
// onscreen_reminders table make a repeated or resumed run send nothing twice, and a day the
// job did not run is caught up the next day of the same stage.

#include <optional>
#include <string>

#include "ca/program.h"
#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"
#include "mail/outbox.h"
#include "store/store.h"

namespace claimsca::jobs {

struct ReminderReport {
  int expiry_mails = 0;    // written now
  int download_mails = 0;  // written now
  int already_sent = 0;    // due, but written before (a repeated run)
  int read = 0;            // applications read (both reads below)
};

// Writes every reminder e-mail due at `now` into the outbox. The expiry mail names when
// renewal opens from the certificate's program profile. `covered`: the last JST day a run
// finished (the job's job_runs day). A daily run reads
//   1. the applications whose end (or download deadline) entered a stage of the schedule
//      after that day (domain::NewlyDueEndDates): about one day of end dates per stage,
//      however many certificates there are;
//   2. the issued applications written since the start of that day (changed_at, migration
//      097: issued, renewed, a renewal reverted, edited, downloaded) whose end lies
//      anywhere in the window: one issued since with a short validity, or re-issued with
//      the same period, is due in a stage that began before it existed.
// Together they send exactly what reading the whole window would (the dedup keys hold back
// what was sent before; jobs/reminders_test.cc). nullopt, a day not before today's, or a
// gap of about two weeks (domain::CoversWindow) reads the whole window instead.
Result<ReminderReport> EnqueueReminderMails(store::Store& store, const mail::Composer& composer,
                                            const ca::ProgramRegistry& programs, Instant now,
                                            std::optional<Date> covered = std::nullopt);

struct ScreenReminder {
  bool show = false;  // show the expiry dialog today
  int days_left = 0;  // whole JST days to the certificate's end
  Instant not_after{};
  std::string title;    // for the dialog, Japanese
  std::string message;  // ditto; empty when show is false
};

// Whether the terminal holding `cert` should show the expiry dialog at `now`: on the first
// day it asks within each stage (and again if it asks again that day).
Result<ScreenReminder> ScreenReminderFor(store::ScheduleStore& store,
                                         const store::CertificateRecord& cert, Instant now);

}  // namespace claimsca::jobs
