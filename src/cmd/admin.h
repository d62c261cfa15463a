#pragma once

// Operator commands: `claimsca admin import-register`, `claimsca audit verify`.

#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

// Imports the institution register (医療機関等マスタ) from a CSV file as a new version, in
// one transaction, and records it in the audit trail. Returns the process exit code.
int RunImportRegister(App& app, const std::string& csv_path, const std::string& operator_name);

// Looks a code up in the current register version and prints it.
int RunRegisterLookup(App& app, const std::string& institution_code);

// Walks the hash-chained audit trail; exit code 0 when intact, 5 when broken.
int RunAuditVerify(App& app);

}  // namespace claimsca::cmd
