#include "ca/hierarchy.h"

#include "common/time_util.h"
#include "crypto/random.h"

namespace claimsca::ca {

Status SignCert(X509* cert, const crypto::Signer& signer) {
  if (X509_sign(cert, signer.key(), EVP_sha256()) <= 0) {
    return crypto::OpensslError("signing CA-level certificate");
  }
  return Status::Ok();
}

Result<crypto::X509Ptr> MakeRootCert(const HierarchySpec& spec, const crypto::Signer& root,
                                     Instant now) {
  CaCertSpec c;
  ASSIGN_OR_RETURN(c.serial, crypto::RandomSerial());
  c.common_name = spec.root_name;
  c.organization = spec.organization;
  c.public_key = root.key();
  c.not_before = now;
  c.not_after = AddMonthsJst(now, 12 * spec.root_years);
  c.path_len = 1;
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildCaTbs(c, nullptr, root.key(), {}));
  RETURN_IF_ERROR(SignCert(cert.get(), root));
  return cert;
}

Result<crypto::X509Ptr> MakeIssuingCert(const HierarchySpec& spec, X509* root_cert,
                                        const crypto::Signer& root, EVP_PKEY* issuing_key,
                                        Instant now) {
  CaCertSpec c;
  ASSIGN_OR_RETURN(c.serial, crypto::RandomSerial());
  c.common_name = spec.issuing_name;
  c.organization = spec.organization;
  c.public_key = issuing_key;
  c.not_before = now;
  c.not_after = AddMonthsJst(now, 12 * spec.issuing_years);
  c.path_len = 0;
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildCaTbs(c, root_cert, root.key(), spec.issuing_urls));
  RETURN_IF_ERROR(SignCert(cert.get(), root));
  return cert;
}

Result<crypto::X509Ptr> MakeOcspCert(const HierarchySpec& spec, X509* issuing_cert,
                                     const crypto::Signer& issuing, EVP_PKEY* ocsp_key,
                                     Instant now) {
  CaCertSpec c;
  ASSIGN_OR_RETURN(c.serial, crypto::RandomSerial());
  c.common_name = spec.ocsp_name;
  c.organization = spec.organization;
  c.public_key = ocsp_key;
  c.not_before = now;
  c.not_after = now + std::chrono::days(spec.ocsp_days);
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildOcspResponderTbs(c, issuing_cert, issuing.key()));
  RETURN_IF_ERROR(SignCert(cert.get(), issuing));
  return cert;
}

}  // namespace claimsca::ca
