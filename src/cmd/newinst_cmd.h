#pragma once

// `claimsca newinst issue | list | show | present | remind` (docs/newinst.md,
// docs/operations.md):
// the operator's side of the 仮コード and the 受付番号. main.cc adds the subcommands under the
// `newinst` group (created here if another part did not create it first) and runs the one
// parsed.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/app.h"
#include "jobs/runner.h"
#include "newinst/institutions.h"

namespace claimsca::cmd {

struct NewinstCli {
  CLI::App* issue = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* present = nullptr;
  CLI::App* remind = nullptr;
  newinst::NewInstitution entry;
  std::string state, code, reception;
  std::string by = "operator";
};

// The `newinst` group of `cli` (found or added).
CLI::App* NewinstGroup(CLI::App& cli);

// Adds the commands to the `newinst` group; `add_common` adds main.cc's --data/--set/--at.
void AddNewinstCli(CLI::App& cli, NewinstCli* out,
                   const std::function<void(CLI::App*)>& add_common);

// Runs the parsed command with the App `open` builds and returns its exit code; nullopt
// when none of them was parsed.
std::optional<int> RunNewinstCli(const NewinstCli& cli,
                                 const std::function<Result<std::unique_ptr<App>>()>& open);

// The daily job "newinst-remind" (at jobs.reminders_at): the 受付番号 deadline reminders
// by e-mail (newinst::SendDeadlineReminders). InvalidArgument for a bad
// [newinst] reminder_days_before.
Status AddNewinstReminderJob(App& app, jobs::Runner& runner);

}  // namespace claimsca::cmd
