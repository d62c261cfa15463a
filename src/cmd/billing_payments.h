#pragma once

// `claimsca billing import-payments | payments queue | payments resolve | unpaid |
// revoke-unpaid` (docs/billing.md "payments"; docs/operations.md): the bank's payment file,
// the operator queue, the unpaid invoices and their confirmed revocation. main.cc adds the
// subcommands under `billing` and runs the one parsed.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

struct PaymentsCli {
  CLI::App* import = nullptr;
  CLI::App* queue = nullptr;
  CLI::App* resolve = nullptr;
  CLI::App* unpaid = nullptr;
  CLI::App* revoke = nullptr;
  std::string file;
  int64_t id = 0;
  std::string invoice, ignore, refund;
  std::string by = "operator";
  bool confirm = false;
};

// Adds the commands to `billing`; `add_common` adds main.cc's --data/--set/--at options.
void AddPaymentsCli(CLI::App* billing, PaymentsCli* cli,
                    const std::function<void(CLI::App*)>& add_common);

// Runs the parsed command with the App `open` builds and returns its exit code; nullopt
// when none of them was parsed.
std::optional<int> RunPaymentsCli(const PaymentsCli& cli,
                                  const std::function<Result<std::unique_ptr<App>>()>& open);

}  // namespace claimsca::cmd
