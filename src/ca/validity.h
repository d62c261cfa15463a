#pragma once

// The validity rules of a program that count whole Asia/Tokyo days (issue 24,
// docs/certificate-profile.md "Validity and month arithmetic"): a certificate is valid to
// the end of its printed end date, and renewal opens at the start of a day.

#include "ca/program.h"
#include "common/clock.h"
#include "common/time_util.h"

namespace claimsca::ca {

// The last second of a JST date: 23:59:59 JST.
Instant JstEndOfDay(Date d);

// When renewal opens for a certificate of `program` ending at `not_after`: 00:00 JST of
// the day renewal_window_days days (or renewal_window_months calendar months) before its
// JST end date — whole JST days, as the reminders count them.
Instant RenewalOpens(const ProgramProfile& program, Instant not_after);

}  // namespace claimsca::ca
