#include "cmd/rehearsal.h"

#include "common/time_util.h"
#include "jobs/live_marker.h"

namespace claimsca::cmd {

const Clock& WallClock() {
  static const SystemClock kWall;
  return kWall;
}

bool RunsAhead(const Clock& clock) {
  return clock.Now() > WallClock().Now() + std::chrono::seconds(60);
}

bool OnRealTime(const Clock& clock) {
  const auto d = clock.Now() - WallClock().Now();
  return d <= std::chrono::seconds(60) && d >= -std::chrono::seconds(60);
}

Status GuardRehearsal(App& app, bool force) {
  if (force || !RunsAhead(*app.clock)) return Status::Ok();
  ASSIGN_OR_RETURN(bool live, jobs::IsServiceLive(*app.store, "rehearsal:" + ProcessHolder(),
                                                  WallClock().Now()));
  if (!live) return Status::Ok();
  return FailedPrecondition(
      "--at " + FormatJst(app.clock->Now()) +
      " lies in the future and a claimsca serve is running on this database: a rehearsal "
      "here acts on live data (mails, purges, notices, CRLs). Rehearse on a copy of the data "
      "directory and database (docs/operations.md), or add --force");
}

}  // namespace claimsca::cmd
