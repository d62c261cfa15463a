// `claimsca agent`: runs the terminal agent (src/agent) from the command line.

#include "cmd/agent_cmd.h"

#include <cstdio>

#include "cmd/app.h"
#include "common/iso_date.h"
#include "common/time_util.h"

namespace claimsca::cmd {

int RunAgent(const agent::AgentOptions& options, const std::string& at, bool status_only,
             int days) {
  std::unique_ptr<Clock> clock;
  if (at.empty()) {
    clock = std::make_unique<SystemClock>();
  } else {
    auto t = ParseInstant(at);
    if (!t.ok()) return ExitWithError(t.status().WithContext("--at"));
    clock = std::make_unique<FixedClock>(*t);
  }
  agent::Agent a(options, *clock);
  if (status_only) {
    auto line = a.StatusLine();
    if (!line.ok()) return ExitWithError(line.status());
    std::printf("%s\n", line->c_str());
    return 0;
  }
  if (days < 1) return ExitWithError(InvalidArgument("--days: at least 1"));
  auto* fixed = dynamic_cast<FixedClock*>(clock.get());
  if (days > 1 && fixed == nullptr) {
    return ExitWithError(InvalidArgument("--days: only with --at (a rehearsal)"));
  }
  const Instant start = clock->Now();
  for (int d = 0; d < days; ++d) {
    if (fixed != nullptr) fixed->Set(start + std::chrono::days(d));
    auto r = a.CheckOnce();
    if (!r.ok()) return ExitWithError(r.status());
    std::printf("%s %s\n", IsoDate(JstDate(clock->Now())).c_str(), r->line.c_str());
  }
  return 0;
}

}  // namespace claimsca::cmd
