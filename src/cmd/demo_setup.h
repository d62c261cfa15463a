#pragma once

// The demo deployment of `make run` (docs/operations.md "Demo"): what `init --demo` sets
// and creates besides the CA (the institution register of data/, an operator login and a
// clinic login), and what `serve` prints of it.

#include <openssl/x509.h>

#include <string>

#include "cmd/app.h"
#include "cmd/config.h"
#include "common/status.h"

namespace claimsca::cmd {

// The settings of a demo before init writes claimsca.toml: demo.enabled (the demo
// mailbox) and the demo contact of the お問い合わせ page.
void SetDemoConfig(Config& c);

// The file (in the data directory) with the demo logins, 0600: "key=value" lines
// operator_id, operator_password, clinic_id, clinic_password, clinic_code.
inline constexpr const char* kDemoLoginsFile = "demo-logins.txt";

// After `init --demo --register FILE` (`make run`): imports `register_csv`
// (data/institutions-2025-08.csv), creates the operator account demo-operator (reviewer, operator,
// administrator) and the clinic account clinic@demo.example.jp for the register's first 東京都 医科
// institution, each with a random password, writes them to kDemoLoginsFile and prints them.
Status RunDemoSetup(App& app, const std::string& register_csv);

// serve in demo mode: the demo's lines of the start-up text (logins and the demo mailbox)
// for the listener `base` ("http://HOST:PORT"); FailedPrecondition unless the root
// certificate is a demo root (its CN says "Demo": made by `init --demo`), so that
// demo.enabled cannot turn a production CA's mail into a web page.
Result<std::string> DemoServeLines(const Config& c, X509* root, const std::string& base);

}  // namespace claimsca::cmd
