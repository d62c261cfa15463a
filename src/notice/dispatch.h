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

}  // namespace claimsca::notice
