#pragma once

// `claimsca subsidy apply | list | show | approve | reject | payment-file | mark-paid`
// (docs/qualcheck.md "Subsidy", docs/operations.md): the 資格確認限定型 subsidy from the
// command line. `apply` keys a paper form (channel paper); the others are the review and
// the payment. main.cc adds the group and runs the command parsed.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmd/app.h"
#include "subsidy/store.h"

namespace claimsca::cmd {

// The subsidy store of `app`: its [subsidy] schedule, its clock, and the approved-use
// lookup on qualcheck's applications (申請区分 2 approved and not ended on today's JST date).
Result<std::unique_ptr<subsidy::SubsidyStore>> WireSubsidy(App& app);

// The institution's name from the register (NotFound when the code is in none).
Result<std::string> InstitutionName(App& app, const std::string& code);

struct SubsidyCli {
  CLI::App* apply = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* approve = nullptr;
  CLI::App* reject = nullptr;
  CLI::App* payment_file = nullptr;
  CLI::App* mark_paid = nullptr;
  std::string code, id, state, reason, date, out, file;
  std::vector<std::string> receipts;  // "kind,YYYY-MM-DD,yen,vendor"
  std::string by = "operator";
};

// Adds the `subsidy` group to `cli`; `add_common` adds main.cc's --data/--set/--at options.
void AddSubsidyCli(CLI::App& cli, SubsidyCli* s, const std::function<void(CLI::App*)>& add_common);

// Runs the parsed command with the App `open` builds; nullopt when none was parsed.
std::optional<int> RunSubsidyCli(const SubsidyCli& s,
                                 const std::function<Result<std::unique_ptr<App>>()>& open);

}  // namespace claimsca::cmd
