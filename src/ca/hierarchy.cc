#include "ca/hierarchy.h"

#include <algorithm>
#include <ctime>

#include "common/time_util.h"
#include "crypto/random.h"

namespace claimsca::ca {

Status SignCert(X509* cert, const crypto::Signer& signer) {
  if (X509_sign(cert, signer.key(), EVP_sha256()) <= 0) {
    return crypto::OpensslError("signing CA-level certificate");
  }
  return Status::Ok();
}

namespace {

Result<Instant> InstantOf(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return crypto::OpensslError("CA certificate validity");
  return Instant{std::chrono::seconds(timegm(&tm))};
}

std::string NameDer(X509_NAME* name) {
  unsigned char* der = nullptr;
  const int n = i2d_X509_NAME(name, &der);
  std::string out = n > 0 ? std::string(reinterpret_cast<char*>(der), static_cast<size_t>(n)) : "";
  OPENSSL_free(der);
  return out;
}

// The fields every CA-level certificate shares: a fresh serial, the names, validity from now.
Result<CaCertSpec> BaseSpec(const HierarchySpec& spec, std::string common_name,
                            EVP_PKEY* public_key, Instant now, Instant not_after) {
  CaCertSpec c;
  ASSIGN_OR_RETURN(c.serial, crypto::RandomSerial());
  c.common_name = std::move(common_name);
  c.organization = spec.organization;
  c.public_key = public_key;
  c.not_before = now;
  c.not_after = not_after;
  return c;
}

}  // namespace

Result<crypto::X509Ptr> MakeRootCert(const HierarchySpec& spec, const crypto::Signer& root,
                                     Instant now) {
  ASSIGN_OR_RETURN(CaCertSpec c, BaseSpec(spec, spec.root_name, root.key(), now,
                                          AddMonthsJst(now, 12 * spec.root_years)));
  c.path_len = 1;
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildCaTbs(c, nullptr, root.key(), {}));
  RETURN_IF_ERROR(SignCert(cert.get(), root));
  return cert;
}

Result<crypto::X509Ptr> MakeIssuingCert(const HierarchySpec& spec, X509* root_cert,
                                        const crypto::Signer& root, EVP_PKEY* issuing_key,
                                        Instant now) {
  // Cut to the root's end: an issuing CA added years after the root (a program's own,
  // `claimsca ca add-issuing`) cannot outlive it.
  ASSIGN_OR_RETURN(const Instant root_end, InstantOf(X509_get0_notAfter(root_cert)));
  ASSIGN_OR_RETURN(CaCertSpec c,
                   BaseSpec(spec, spec.issuing_name, issuing_key, now,
                            std::min(root_end, AddMonthsJst(now, 12 * spec.issuing_years))));
  c.path_len = 0;
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildCaTbs(c, root_cert, root.key(), spec.issuing_urls));
  RETURN_IF_ERROR(SignCert(cert.get(), root));
  return cert;
}

Result<crypto::X509Ptr> ReissueIssuingCert(const HierarchySpec& spec, X509* root_cert,
                                           const crypto::Signer& root, X509* current, Instant now) {
  ASSIGN_OR_RETURN(const Instant current_end, InstantOf(X509_get0_notAfter(current)));
  ASSIGN_OR_RETURN(const Instant root_end, InstantOf(X509_get0_notAfter(root_cert)));
  const Instant not_after = std::min(current_end, root_end);
  if (not_after <= now) {
    return FailedPrecondition(
        "the issuing CA certificate has expired: a new issuing CA is needed, not a re-issue");
  }
  ASSIGN_OR_RETURN(CaCertSpec c,
                   BaseSpec(spec, spec.issuing_name, X509_get0_pubkey(current), now, not_after));
  c.path_len = 0;
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildCaTbs(c, root_cert, root.key(), spec.issuing_urls));
  if (NameDer(X509_get_subject_name(cert.get())) != NameDer(X509_get_subject_name(current))) {
    return FailedPrecondition(
        "the configured issuing CA name (ca.organization, ca.issuing_name) differs from the "
        "current certificate's subject");
  }
  RETURN_IF_ERROR(SignCert(cert.get(), root));
  return cert;
}

Result<crypto::X509Ptr> MakeOcspCert(const HierarchySpec& spec, X509* issuing_cert,
                                     const crypto::Signer& issuing, EVP_PKEY* ocsp_key,
                                     Instant now) {
  ASSIGN_OR_RETURN(CaCertSpec c, BaseSpec(spec, spec.ocsp_name, ocsp_key, now,
                                          now + std::chrono::days(spec.ocsp_days)));
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildOcspResponderTbs(c, issuing_cert, issuing.key()));
  RETURN_IF_ERROR(SignCert(cert.get(), issuing));
  return cert;
}

Result<crypto::X509Ptr> MakeCmpCert(const HierarchySpec& spec, X509* issuing_cert,
                                    const crypto::Signer& issuing, EVP_PKEY* cmp_key, Instant now) {
  ASSIGN_OR_RETURN(const Instant issuing_start, InstantOf(X509_get0_notBefore(issuing_cert)));
  ASSIGN_OR_RETURN(const Instant issuing_end, InstantOf(X509_get0_notAfter(issuing_cert)));
  // Made when a server starts and checked at once by terminals whose clocks may lag:
  // valid from an hour earlier, never outside the issuing CA's validity.
  const Instant not_before = std::max(now - std::chrono::hours(1), issuing_start);
  const Instant not_after = std::min(now + std::chrono::days(spec.cmp_days), issuing_end);
  if (not_after <= now) return FailedPrecondition("the issuing CA certificate has expired");
  ASSIGN_OR_RETURN(CaCertSpec c, BaseSpec(spec, spec.cmp_name, cmp_key, not_before, not_after));
  ASSIGN_OR_RETURN(crypto::X509Ptr cert, BuildCmpSignerTbs(c, issuing_cert, issuing.key()));
  RETURN_IF_ERROR(SignCert(cert.get(), issuing));
  return cert;
}

}  // namespace claimsca::ca
