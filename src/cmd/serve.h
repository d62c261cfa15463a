#pragma once

#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

// Runs the HTTP(S) listeners until SIGINT/SIGTERM. Returns the process exit code.
int RunServe(App& app);

// Publishes a CRL now; prints its number. Returns the process exit code.
int RunCrl(App& app, const std::string& out_path);

}  // namespace claimsca::cmd
