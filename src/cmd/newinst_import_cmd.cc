#include "cmd/newinst_import_cmd.h"

#include <cstdio>
#include <filesystem>

#include "cmd/ca_files.h"
#include "cmd/newinst_cmd.h"
#include "newinst/designations.h"

namespace claimsca::cmd {

void AddNewinstImportCli(CLI::App& cli, NewinstImportCli* out,
                         const std::function<void(CLI::App*)>& add_common) {
  out->import = NewinstGroup(cli)->add_subcommand(
      "import-designations",
      "import the bureau's 新規指定医療機関一覧表 (xlsx or CSV) and swap the codes");
  out->import->add_option("file", out->file, "the list (.xlsx, or .csv in UTF-8 or Shift_JIS)")
      ->required();
  out->import->add_flag("--dry-run", out->dry_run, "check every row and report, change nothing");
  out->import->add_option("--by", out->by, "operator name for the audit trail")
      ->capture_default_str();
  add_common(out->import);
}

std::optional<int> RunNewinstImportCli(const NewinstImportCli& cli,
                                       const std::function<Result<std::unique_ptr<App>>()>& open) {
  if (cli.import == nullptr || !cli.import->parsed()) return std::nullopt;
  Result<std::string> bytes = ReadFile(cli.file);
  if (!bytes.ok()) return ExitWithError(bytes.status());
  Result<newinst::DesignationList> list = newinst::ReadDesignationFile(*bytes);
  if (!list.ok()) return ExitWithError(list.status());
  auto app = open();
  if (!app.ok()) return ExitWithError(app.status());
  const std::string name = std::filesystem::path(cli.file).filename().string();
  Result<newinst::DesignationReport> r = newinst::ImportDesignations(
      *(*app)->store, *(*app)->clock, *list, {name, *bytes, "operator:" + cli.by, cli.dry_run});
  if (!r.ok()) return ExitWithError(r.status());
  std::printf("row\tresult\treal_code\tprovisional_code\treception_number\treason_code\treason\n");
  for (const newinst::DesignationOutcome& o : r->rows) {
    // A row that passed in an import that changed nothing (refused or dry run) would swap.
    const bool would = o.kind == newinst::DesignationOutcome::Kind::kSwap && !r->changed;
    std::printf("%d\t%s\t%s\t%s\t%s\t%s\t%s\n", o.row,
                would ? "would_swap" : std::string(newinst::KindName(o.kind)).c_str(),
                o.real_code.c_str(), o.provisional_code.c_str(), o.reception_number.c_str(),
                o.code.c_str(), o.message_ja.c_str());
  }
  if (r->refused > 0) {
    std::fprintf(stderr, "refused: %d row(s); nothing was changed (the import is all-or-nothing)\n",
                 r->refused);
    return 1;
  }
  if (cli.dry_run) {
    std::fprintf(stderr, "dry run: %d to swap, %d already done; nothing was changed\n", r->swapped,
                 r->already_done);
  } else if (!r->changed) {
    std::fprintf(stderr, "nothing to do: every row is already done (%d)\n", r->already_done);
  } else {
    std::fprintf(stderr, "swapped: %d, already done: %d\n", r->swapped, r->already_done);
  }
  return 0;
}

}  // namespace claimsca::cmd
