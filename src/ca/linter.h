#pragma once

// The pre-signing linter: a to-be-signed terminal certificate that breaks the profile
// (RFC 5280 basics, key size, validity inside the issuer's and as the program says,
// required extensions) is never signed.

#include <string>
#include <vector>

#include "ca/program.h"
#include "common/status.h"
#include "crypto/ossl.h"

namespace claimsca::ca {

struct LintOptions {
  bool require_crl_url = true;
  bool require_ocsp_url = true;
  bool require_ca_issuers_url = true;
};

// Every finding, one short English sentence each ("keyUsage must be critical"). Empty when
// the certificate passes. Does not modify `cert` observably. `subject_key`, when given,
// is the decoded form of the certificate's SubjectPublicKeyInfo (the caller built the SPKI
// from it); otherwise the key is decoded from the certificate.
std::vector<std::string> LintTerminalCert(X509* cert, X509* issuer, const ProgramProfile& program,
                                          const LintOptions& options = {},
                                          EVP_PKEY* subject_key = nullptr);

// Status::Ok() or kLintFailed listing the findings.
Status CheckTerminalCert(X509* cert, X509* issuer, const ProgramProfile& program,
                         const LintOptions& options = {}, EVP_PKEY* subject_key = nullptr);

}  // namespace claimsca::ca
