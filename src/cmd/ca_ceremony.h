#pragma once

// Root key ceremonies (docs/revocation.md, docs/operations.md): the commands that need the
// root CA's key, which may be kept offline between ceremonies.
//   claimsca ca arl              sign a new authority revocation list (ca/root.crl), listing
//                                the revoked issuing CA certificates; --revoke adds one
//   claimsca ca reissue-issuing  a new certificate for the issuing CA's key with today's
//                                profile (CRL distribution point → the ARL, AIA → the root),
//                                for data directories made before the profile had them
//   claimsca ca add-issuing      a program's own issuing CA (and its OCSP responder) in a
//                                data directory made before programs had them

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cmd/config.h"
#include "common/clock.h"
#include "crl/arl.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"

namespace claimsca::cmd {

// The ARL file of a data directory (ca/root.crl), served at /crl/root.crl.
std::string ArlPath(const Config& config);

// The ARL in force: NotFound when the data directory has none yet.
Result<crl::ArlContents> LoadArl(const Config& config, X509* root);

// Signs a new ARL with `root_signer` (the entries of `previous`, the ARL in force or null,
// plus `revoke`) and writes it to ArlPath atomically. Returns its DER.
Result<std::string> WriteArl(const Config& config, X509* root, const crypto::Signer& root_signer,
                             Instant now, std::chrono::seconds validity,
                             const crl::ArlContents* previous,
                             std::vector<ca::CrlEntry> revoke = {});

struct ArlCommand {
  std::vector<std::string> revoke_files;  // PEM certificates of issuing CAs to revoke
  std::string reason = "unspecified";     // RFC 5280 reason name
  std::string invalidity;                 // ISO 8601, optional
  int validity_days = static_cast<int>(crl::kDefaultArlValidity.count());
  std::string out;  // also write the DER here
};
// `claimsca ca arl`. Returns the process exit code.
int RunCaArl(const Config& config, const Clock& clock, const ArlCommand& command);

// `claimsca ca reissue-issuing`: same subject and key, a new serial, valid from now until
// the current certificate's notAfter; the current certificate is kept in ca/archive/. Makes
// the ARL too if there is none. Returns the process exit code.
int RunReissueIssuing(const Config& config, const Clock& clock);

// `claimsca ca add-issuing --program <id>`: makes the program's issuing CA (the issuer_id
// and issuing_name of [programs.<id>], or the program's defaults when the configuration
// names none: "issuing-kj-1" for kokuhoren, the name derived from [ca] issuing_name) and
// writes them into claimsca.toml. Certificates issued before keep their issuer (the
// deployment's) until they end; new ones come from the new CA after a restart. Returns
// the process exit code.
int RunAddIssuing(const Config& config, const Clock& clock, const std::string& program);

}  // namespace claimsca::cmd
