#pragma once

// `claimsca kokuhoren balance | ledger | offset-file | invoice | confirm-payment |
// import-payments` (docs/kokuhoren.md "Fees", docs/operations.md): the 国保連 fee ledger
// from the command line. main.cc adds the subcommands under `kokuhoren` and runs the one
// parsed, as it does for `billing`'s payment commands.

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
  CLI::App* confirm = nullptr;
  CLI::App* import = nullptr;
  std::string office, month, out, application, number, note, file;
  std::string by = "operator";
};

// Adds the commands to `kokuhoren`; `add_common` adds main.cc's --data/--set/--at options.
void AddKokuhorenFeesCli(CLI::App* kokuhoren, KokuhorenFeesCli* cli,
                         const std::function<void(CLI::App*)>& add_common);

// Runs the parsed command with the App `open` builds and returns its exit code; nullopt
// when none of them was parsed. `on_paid` is the applications part's hook (the application
// leaves awaiting_payment), run in the payment's transaction.
std::optional<int> RunKokuhorenFeesCli(const KokuhorenFeesCli& cli,
                                       const std::function<Result<std::unique_ptr<App>>()>& open,
                                       const std::function<kokuhoren::PaymentHook(App&)>& on_paid);

}  // namespace claimsca::cmd
