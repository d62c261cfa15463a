#pragma once

// Issuance with a server-made key, delivered as a password-protected PKCS#12 (the path
// the guide describes: the terminal downloads a .p12 and imports it). The private key
// exists in clear only in memory, for the time it takes to build the PKCS#12.

#include <string>
#include <vector>

#include "ca/issuer.h"
#include "ca/key_pool.h"
#include "crypto/pkcs12.h"

namespace claimsca::ca {

struct IssuedPkcs12 {
  IssuedCertificate certificate;
  std::string pkcs12_der;
  std::string password;  // handed over once; the caller stores only a hash
};

struct ServerKeyRequest {
  IssueRequest issue;
  std::string key_algorithm;  // empty: the program's default
  crypto::P12Mode mode = crypto::P12Mode::kModern;
  std::string password;  // empty: a fresh random download password
};

// `chain` holds the issuing CA and the root, in that order (not owned).
Result<IssuedPkcs12> IssueWithServerKey(Issuer& issuer, KeyPool& pool,
                                        const ProgramRegistry& programs,
                                        const std::vector<X509*>& chain,
                                        const ServerKeyRequest& request);

}  // namespace claimsca::ca
