#pragma once

// The CA hierarchy that `claimsca init` creates: a root CA, an issuing CA under it, and
// under the issuing CA a delegated OCSP responder certificate and the CMP signer
// certificate (protection of CMP responses).

#include <string>

#include "ca/certificate_profile.h"
#include "common/clock.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"

namespace claimsca::ca {

struct HierarchySpec {
  std::string organization;
  std::string root_name;     // CN of the root
  std::string issuing_name;  // CN of the issuing CA
  std::string ocsp_name;     // CN of the OCSP responder certificate
  std::string cmp_name;      // CN of the CMP signer certificate
  int root_years = 20;
  int issuing_years = 12;  // must outlast every terminal certificate it signs
  int ocsp_days = 400;
  int cmp_days = 400;       // cut to the issuing CA's notAfter
  IssuerUrls issuing_urls;  // revocation pointers placed in the issuing CA certificate
};

// Self-signed root certificate for `root`'s key.
Result<crypto::X509Ptr> MakeRootCert(const HierarchySpec& spec, const crypto::Signer& root,
                                     Instant now);
// Issuing CA certificate for `issuing_key`, signed by the root.
Result<crypto::X509Ptr> MakeIssuingCert(const HierarchySpec& spec, X509* root_cert,
                                        const crypto::Signer& root, EVP_PKEY* issuing_key,
                                        Instant now);
// A new certificate for the issuing CA's key (the public key of `current`) with today's
// profile, signed by the root: a fresh serial, valid from `now` until `current`'s notAfter
// (cut to the root's). FailedPrecondition when `current` has expired or when the spec's
// name would give a subject other than `current`'s, byte for byte (the certificates it
// signed name it as their issuer).
Result<crypto::X509Ptr> ReissueIssuingCert(const HierarchySpec& spec, X509* root_cert,
                                           const crypto::Signer& root, X509* current, Instant now);
// OCSP responder certificate for `ocsp_key`, signed by the issuing CA.
Result<crypto::X509Ptr> MakeOcspCert(const HierarchySpec& spec, X509* issuing_cert,
                                     const crypto::Signer& issuing, EVP_PKEY* ocsp_key,
                                     Instant now);
// CMP signer certificate for `cmp_key`, signed by the issuing CA: valid from an hour
// before `now` (terminal clocks lag) until `now` + spec.cmp_days, both cut to the issuing
// CA's validity.
Result<crypto::X509Ptr> MakeCmpCert(const HierarchySpec& spec, X509* issuing_cert,
                                    const crypto::Signer& issuing, EVP_PKEY* cmp_key, Instant now);

// Signs a complete TBS with the signer (SHA-256).
Status SignCert(X509* cert, const crypto::Signer& signer);

}  // namespace claimsca::ca
