#pragma once

// Time rehearsals on live data (docs/operations.md, issue 23 item 10). A command run with
// `--at` more than a minute ahead of the real clock is a rehearsal. Whatever it does, it
// leaves nothing that stops the running service: leases are timed by the real clock
// (WallClock), a daily job recorded for a future day does not stop today's run, a CRL
// dated in the future is replaced at once, a signer certificate not yet valid is renewed
// at the next start. Still, it acts on the data (mails, purges, notices), so it is refused
// while a live `serve` runs on the same database, unless forced.

#include "cmd/app.h"
#include "common/clock.h"

namespace claimsca::cmd {

// The real clock, for leases, the live marker and audit checkpoints. Stateless.
const Clock& WallClock();

// True when `clock` runs more than a minute ahead of the real clock.
bool RunsAhead(const Clock& clock);
// True when `clock` is within a minute of the real clock (no `--at`, or a negligible one).
bool OnRealTime(const Clock& clock);

// Ok unless `app`'s clock runs ahead while a live `serve` holds the marker
// (jobs/live_marker.h) and `force` is false: FailedPrecondition then.
Status GuardRehearsal(App& app, bool force);

}  // namespace claimsca::cmd
