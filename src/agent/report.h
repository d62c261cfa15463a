#pragma once

// The agent's report of a failed renewal to the server (issue 24 point 11,
// docs/renewal-and-cmp.md "Reporting failures"): POST /terminal/renewal-failures on the
// server's mTLS listener, authenticated by the certificate the agent failed to renew (the
// TLS client certificate, like POST /terminal/renew), the server verified against the
// trusted CA file.

#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::agent {

struct ReportTarget {
  std::string server;        // the mTLS listener, "host:port"
  std::string cert_file;     // the client certificate (PEM)
  std::string key_file;      // its key (PEM)
  std::string trusted_file;  // CA certificate(s) the server's certificate must chain to
};

// Sends one report with `reason` (UTF-8; the server keeps 500 bytes). Returns the
// server's JSON answer on 201; Unavailable when the server cannot be reached or the TLS
// handshake fails, FailedPrecondition with the server's answer for another status.
Result<std::string> ReportRenewalFailure(const ReportTarget& target, std::string_view reason);

}  // namespace claimsca::agent
