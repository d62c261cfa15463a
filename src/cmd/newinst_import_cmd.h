#pragma once

// `claimsca newinst import-designations FILE.xlsx|FILE.csv [--dry-run]` (docs/newinst.md
// "The bureau's list and the code swap"): imports the bureau's 新規指定医療機関一覧表 and swaps
// each designated clinic's 仮コード / 受付番号 for its real code. Prints one line per row;
// exits 1 when a row is refused (then nothing changed). Lives beside nicodes' newinst_cmd
// under the same `newinst` group.

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

struct NewinstImportCli {
  CLI::App* import = nullptr;
  std::string file;
  bool dry_run = false;
  std::string by = "operator";
};

void AddNewinstImportCli(CLI::App& cli, NewinstImportCli* out,
                         const std::function<void(CLI::App*)>& add_common);

// The exit code of the parsed command, or nullopt when it was not parsed.
std::optional<int> RunNewinstImportCli(const NewinstImportCli& cli,
                                       const std::function<Result<std::unique_ptr<App>>()>& open);

}  // namespace claimsca::cmd
