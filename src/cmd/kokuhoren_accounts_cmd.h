#pragma once

// `claimsca kokuhoren office add|import|list` and `claimsca kokuhoren agent add|list`
// (docs/kokuhoren.md "Offices, agents and accounts"): registration of 国保連 offices and
// agents with their accounts, and the registration result notices (one PDF, a page per
// registration). Each returns the process exit code.

#include <string>
#include <vector>

#include "cmd/app.h"
#include "kokuhoren/accounts.h"

namespace claimsca::cmd {

// Registers `office` and writes its notice to `notice_file` (PDF).
int RunKokuhorenOfficeAdd(App& app, const kokuhoren::Office& office, const std::string& notice_file,
                          const std::string& by);
// Registers every office of the CSV file (kokuhoren/offices_csv.h) and writes one notice
// PDF; the file is checked whole first (nothing registered on an error). If a registration
// fails midway, the notices of those registered so far are still written, then the error.
int RunKokuhorenOfficeImport(App& app, const std::string& csv_file, const std::string& notice_file,
                             const std::string& by);
// Registers an agent for `offices` plus the numbers in `offices_file` (if not empty).
int RunKokuhorenAgentAdd(App& app, kokuhoren::Agent agent, const std::string& offices_file,
                         const std::string& notice_file, const std::string& by);
// An administrator's reset of a kj account's lost login password, with its notice.
int RunKokuhorenAccountReset(App& app, const std::string& user_id, const std::string& notice_file,
                             const std::string& by);
// Tab-separated lists.
int RunKokuhorenOfficeList(App& app);
int RunKokuhorenAgentList(App& app);

}  // namespace claimsca::cmd
