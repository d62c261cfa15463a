#pragma once

// What the daily reminders job reads besides the end dates that became due since its last
// run (jobs::EnqueueReminderMails, docs/notices-and-mail.md "What a daily run reads"): the
// issued applications written since a time — issued, renewed, a renewal reverted, edited,
// downloaded — through the index of migration 097 on applications.changed_at (the writer's
// clock at the application operation's last write, ApplicationTx::Update). Thread-safe like
// the rest of the store.

#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::store {

struct ApplicationRecord;

class ChangedApplicationReader {
 public:
  virtual ~ChangedApplicationReader() = default;
  // As ScheduleStore::ListExpiringApplications (issued, the certificate ends in
  // (now, before], seq > after_seq, by seq), among the rows written at or after `since`.
  virtual Result<std::vector<ApplicationRecord>> ListExpiringChangedSince(
      Instant since, Instant now, Instant before, int64_t after_seq, int limit) = 0;
  // As ScheduleStore::ListUndownloadedApplications, among the rows written at or after
  // `since`.
  virtual Result<std::vector<ApplicationRecord>> ListUndownloadedChangedSince(
      Instant since, Instant now, Instant before, int64_t after_seq, int limit) = 0;
};

}  // namespace claimsca::store
