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

// Registration-authority commands (docs/applications.md). The operator named by `by`
// acts with every role: whoever runs these holds the data directory anyway. Each change
// is recorded in the audit trail under "operator:<by>".
struct ApplicationQuery {
  std::string state;  // "" = any
  std::string institution_code;
  bool held = false;
  int limit = 50;
};
int RunListApplications(App& app, const ApplicationQuery& q);
int RunShowApplication(App& app, const std::string& request_id);
int RunApprove(App& app, const std::string& request_id, const std::string& by);
int RunReject(App& app, const std::string& request_id, const std::string& reason,
              const std::string& by);
// Revokes one application's certificate, every certificate of an institution, or the
// serials listed (one per line) in a file; exactly one of the three.
int RunRevokeApplications(App& app, const std::string& request_id,
                          const std::string& institution_code, const std::string& serials_file,
                          const std::string& reason, const std::string& by);
// Prints the download password of an issued application, once (for the notice).
int RunDownloadPassword(App& app, const std::string& request_id, const std::string& by);
// Creates an account; the password is read from `password_file` ("-" = standard input).
int RunCreateAccount(App& app, store::AccountRecord account, const std::string& password_file,
                     const std::string& by);

}  // namespace claimsca::cmd
