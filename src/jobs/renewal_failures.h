#pragma once

// "Renewal is failing" (issue 24 point 11; docs/notices-and-mail.md): the terminal's agent
// reports each failed renewal to the server (POST /terminal/renewal-failures, mTLS with the
// certificate it failed to renew), one row per certificate and JST day (migration 090);
// the daily reminders job mails the institution ONCE per certificate (outbox dedup key
// "<serial>|renewal_failing") when failures were reported on `min_days` different days
// before its end and it is still the application's current, unrevoked, unexpired
// certificate.

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "mail/outbox.h"
#include "store/store.h"

namespace claimsca::jobs {

// The days counted by default (`[jobs] renewal_failing_days`).
inline constexpr int kRenewalFailingDays = 3;
// A reason is kept to this many bytes (cut at a UTF-8 character boundary).
inline constexpr size_t kRenewalFailureReasonMax = 500;

struct RenewalFailureRecorded {
  std::string day;      // the JST date it was counted on, YYYY-MM-DD
  int64_t reports = 0;  // reports of that day so far
  int64_t days = 0;     // different days with reports for this certificate
};

// Records one failure reported by the holder of `cert` at `now` from `client`. The first
// report of a day is audited ("terminal.renewal_failure"); later ones of that day only
// count. InvalidArgument for an empty reason; FailedPrecondition for a revoked or expired
// certificate (nothing to renew).
Result<RenewalFailureRecorded> RecordRenewalFailure(store::Store& store,
                                                    const store::CertificateRecord& cert,
                                                    std::string_view reason,
                                                    std::string_view client, Instant now);

struct RenewalFailingReport {
  int mails = 0;         // written now
  int already_sent = 0;  // due, but written before
};

// Writes the "renewal is failing" mails due at `now` (min_days ≥ 1).
Result<RenewalFailingReport> EnqueueRenewalFailingMails(store::Store& store,
                                                        const mail::Composer& composer,
                                                        int min_days, Instant now);

}  // namespace claimsca::jobs
