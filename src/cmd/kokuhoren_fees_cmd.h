#pragma once

// `claimsca kokuhoren balance | ledger | offset-file | invoice | import-payments`
// (docs/kokuhoren.md "Fees", docs/operations.md): the 国保連 fee ledger from the command line.
// main.cc adds the subcommands under `kokuhoren` and runs the one parsed, as it does for
// `billing`'s payment commands.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/app.h"
#include "kokuhoren/transfer.h"

namespace claimsca::cmd {

struct KokuhorenFeesCli {
  CLI::App* balance = nullptr;
  CLI::App* ledger = nullptr;
  CLI::App* offset_file = nullptr;
  CLI::App* invoice = nullptr;
  CLI::App* import = nullptr;
  std::string office, month, out, application, number, note, file;
  std::string by = "operator";
};

// Adds the commands to `kokuhoren`; `add_common` adds main.cc's --data/--set/--at options.
void AddKokuhorenFeesCli(CLI::App* kokuhoren, KokuhorenFeesCli* cli,
                         const std::function<void(CLI::App*)>& add_common);

// Moves an application whose 振込 fee was just paid from awaiting_payment to pending.
using PaymentRelease =
    std::function<Status(App& app, const std::string& application_id, const std::string& actor)>;

// Runs the parsed command with the App `open` builds and returns its exit code; nullopt
// when none of them was parsed. `release` runs for every payment the import applied.
std::optional<int> RunKokuhorenFeesCli(const KokuhorenFeesCli& cli,
                                       const std::function<Result<std::unique_ptr<App>>()>& open,
                                       const PaymentRelease& release);

}  // namespace claimsca::cmd
