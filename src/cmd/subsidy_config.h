#pragma once

// The [subsidy] section of claimsca.toml (docs/qualcheck.md "Subsidy"): the dated schedule
// of the 資格確認限定型 subsidy, one [[subsidy.schedule]] table per period:
//
//   [[subsidy.schedule]]
//   from = "2024-06-13"      # JST date applications (and purchases) start
//   deadline = "2025-01-15"  # last JST day an application is accepted
//   cap_yen = 31000
//   rate = "3/4"
//
// Without the section the seed's entry applies (subsidy::SeedScheduleEntry).

#include <toml++/toml.h>

#include "cmd/config.h"
#include "common/status.h"

namespace claimsca::cmd {

// Reads table["subsidy"] into c.subsidy_schedule; InvalidArgument naming the key.
Status ReadSubsidyConfig(const toml::table& table, Config& c);
// Adds the [subsidy] section of `c` to `root` (RenderConfig).
void RenderSubsidyConfig(const Config& c, toml::table& root);

}  // namespace claimsca::cmd
