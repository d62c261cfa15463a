#pragma once

// The pre-signing linter: a to-be-signed terminal certificate that breaks the profile
// (RFC 5280 basics, key size, validity inside the issuer's and as the program says,
// required extensions) is never signed.

#include <string>
#include <string_view>
#include <vector>

#include "ca/certificate_profile.h"
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
// the certificate passes. `tbs` is the DER TBSCertificate exactly as it will be signed; it
// is read by a strict DER reader of its own (crypto/der.h), not through OpenSSL's X509
// objects, and a TBS that does not parse is a finding. `subject_key`, when given, is the
// decoded form of the TBS's SubjectPublicKeyInfo (the caller built the SPKI from it);
// otherwise the key is decoded from the TBS.
std::vector<std::string> LintTerminalTbs(std::string_view tbs, const IssuerFacts& issuer,
                                         const ProgramProfile& program,
                                         const LintOptions& options = {},
                                         EVP_PKEY* subject_key = nullptr);

// The same for a certificate (or TBS held as X509) and its issuer's certificate.
std::vector<std::string> LintTerminalCert(X509* cert, X509* issuer, const ProgramProfile& program,
                                          const LintOptions& options = {},
                                          EVP_PKEY* subject_key = nullptr);

// Status::Ok() or kLintFailed listing the findings.
Status CheckTerminalTbs(std::string_view tbs, const IssuerFacts& issuer,
                        const ProgramProfile& program, const LintOptions& options = {},
                        EVP_PKEY* subject_key = nullptr);

}  // namespace claimsca::ca
