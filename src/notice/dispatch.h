#pragma once

// When a notice goes out (DOMAIN.md §3): an application completed by 15:00 JST goes out
// on the next shipping day (Monday–Saturday, not a national holiday, not 12/29–1/3);
// one completed after 15:00 counts as completed the next day.

#include "common/clock.h"
#include "common/time_util.h"

namespace claimsca::notice {

// The JST date the notice of an application completed at `completed_at` is dispatched.
// 15:00:00 exactly is still "by 15:00".
Date DispatchDate(Instant completed_at);

// The date the notice of an application completed (approved) at `completed_at` goes out
// when the batch is printed at `printed_at`: its own DispatchDate — the 15:00 cut-off
// applies to the completion, not to the print (issue 24: approved 14:30, printed 16:00 →
// the next shipping day) — but never before the first shipping day after the print day
// (a batch printed late cannot go out in the past).
Date DispatchDateInBatch(Instant completed_at, Instant printed_at);

}  // namespace claimsca::notice
