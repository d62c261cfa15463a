#pragma once

// Certificates of newly opened institutions from the command line (docs/newinst.md,
// "Certificates on the real code", "Not designated"; docs/operations.md):
//   claimsca newinst supersede [--at …]     the superseded revocation once (also the job
//                                           "newinst-supersede", every run of `serve`)
//   claimsca newinst withdraw CODE [--by N] 指定なし: everything on the 仮コード / 受付番号
//                                           CODE withdrawn (operator, newinst_manage)
// main.cc adds the commands under `newinst` (shared with the other parts) and runs the
// one parsed.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/app.h"
#include "jobs/runner.h"

namespace claimsca::cmd {

struct NewinstCertsCli {
  CLI::App* supersede = nullptr;
  CLI::App* withdraw = nullptr;
  std::string code, by = "operator";
};

// Adds the commands to the `newinst` group of `cli` (made when absent); `add_common`
// adds main.cc's --data/--set/--at options.
void AddNewinstCertsCli(CLI::App& cli, NewinstCertsCli* out,
                        const std::function<void(CLI::App*)>& add_common);
// Runs the parsed command with the App `open` builds; nullopt when none was parsed.
std::optional<int> RunNewinstCertsCli(const NewinstCertsCli& cli,
                                      const std::function<Result<std::unique_ptr<App>>()>& open);

// The portal's 指定なし page (PortalDeps::newinst_withdraw): the withdrawal for the caller,
// answered with the sentence the page shows. `app` must outlive it.
std::function<Result<std::string>(const ra::Caller&, const std::string&)> NewinstWithdrawForPages(
    App& app);

// The job "newinst-supersede", every run ([newinst] reissue_grace_days).
void AddNewinstCertsJobs(App& app, jobs::Runner& runner);

}  // namespace claimsca::cmd
