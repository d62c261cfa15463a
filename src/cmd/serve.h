#pragma once

#include <string>

#include "cmd/app.h"

namespace claimsca::cmd {

// Runs the HTTP(S) listeners until SIGINT/SIGTERM. Returns the process exit code.
// `list_routes`: build every route as serving would, print the route table
// (web::RouteTable, one line each) on stdout and return without listening.
int RunServe(App& app, bool list_routes = false);

// Publishes a CRL now; prints its number. Returns the process exit code.
int RunCrl(App& app, const std::string& out_path);

}  // namespace claimsca::cmd
