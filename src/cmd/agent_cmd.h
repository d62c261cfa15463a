#pragma once

#include <string>

#include "agent/agent.h"

namespace claimsca::cmd {

// `claimsca agent check|status`. `at` empty: the system clock; else a fixed instant,
// moved one day per check when `days` > 1. Returns the process exit code.
int RunAgent(const agent::AgentOptions& options, const std::string& at, bool status_only, int days);

}  // namespace claimsca::cmd
