#pragma once

// Builds the to-be-signed X.509 certificates of claimsca: terminal (client) certificates
// and the CA hierarchy's own certificates. The profile is documented in
// docs/certificate-profile.md; keep the two in step.

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/ossl.h"

namespace claimsca::ca {

// Where relying parties find revocation data and the issuer's certificate. From config.
struct IssuerUrls {
  std::string crl_url;         // CRL distribution point (HTTP URL of the DER CRL)
  std::string ocsp_url;        // AIA id-ad-ocsp
  std::string ca_issuers_url;  // AIA id-ad-caIssuers (DER certificate of the issuer)
};

struct TerminalCertSpec {
  std::string serial;        // canonical hex, >= 64 bits of entropy
  std::string subject_code;  // 10-digit 医療機関等コード or 8-digit 保険者番号 (common);
                             // 介護保険事業所番号 or KJ user ID (kokuhoren)
  std::string common_name;   // unique decimal number
  std::string organization;  // subject O, e.g. the CA operator's name
  // The SubjectPublicKeyInfo to place, byte for byte (e.g. the CSR's, or crypto::PublicKeyDer of a
  // server-made key); not owned.
  std::string_view spki_der;
  Instant not_before{};
  Instant not_after{};
  std::string usage_category = {};  // 証明書利用区分, a second OU when not empty (kokuhoren)
};

// What an issuing CA's certificate contributes to, and constrains in, each certificate it
// signs: read once, so that a terminal TBS is written and linted without OpenSSL's X509
// objects (docs/certificate-profile.md, "How a certificate is made").
struct IssuerFacts {
  std::string subject_der;  // the issuer's subject Name, DER: the certificates' issuer
  std::string key_id;       // its subjectKeyIdentifier ("" when it has none)
  Instant not_before{};
  Instant not_after{};
  bool ec_key = false;  // an EC key (ecdsa-with-SHA256), else RSA (sha256WithRSAEncryption)
  static Result<IssuerFacts> Of(X509* issuer);
};

// The DER TBSCertificate of a terminal certificate (docs/certificate-profile.md): version
// 3, the serial, `sig_alg` (the issuer's AlgorithmIdentifier, DER), issuer, validity
// (UTCTime before 2050), subject C=JP, O, OU=code[, OU=usage category], CN, the SPKI as given and
// the profile's extensions. Errors name the field: a subject value that is not 1–64 characters of
// UTF-8, a serial that is not hex, an SPKI that does not parse, an issuer without a key id.
Result<std::string> EncodeTerminalTbs(const TerminalCertSpec& spec, const IssuerFacts& issuer,
                                      std::string_view sig_alg, const IssuerUrls& urls);

struct CaCertSpec {
  std::string serial;
  std::string common_name;
  std::string organization;
  EVP_PKEY* public_key = nullptr;  // not owned
  Instant not_before{};
  Instant not_after{};
  int path_len = 0;  // basicConstraints pathLenConstraint
};

// A CA certificate: self-signed when issuer is null (root), else under issuer.
Result<crypto::X509Ptr> BuildCaTbs(const CaCertSpec& spec, X509* issuer, EVP_PKEY* signing_key,
                                   const IssuerUrls& urls);

// The delegated OCSP responder certificate: id-kp-OCSPSigning, id-pkix-ocsp-nocheck.
Result<crypto::X509Ptr> BuildOcspResponderTbs(const CaCertSpec& spec, X509* issuer,
                                              EVP_PKEY* signing_key);

// The CMP signer certificate (docs/certificate-profile.md): protects the CMP server's
// responses; digitalSignature only, extendedKeyUsage id-kp-cmcRA (RFC 6402, RFC 9483 §3.1).
Result<crypto::X509Ptr> BuildCmpSignerTbs(const CaCertSpec& spec, X509* issuer,
                                          EVP_PKEY* signing_key);

// Sets the signature AlgorithmIdentifier in the TBS (and outer) of an unsigned cert.
Status SetSignatureAlgorithm(X509* cert, EVP_PKEY* signing_key);

// The exact DER of the TBSCertificate.
Result<std::string> TbsDer(X509* cert);

// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }, around
// exactly the given TBS bytes (e.g. the recorded intent that was signed), the
// AlgorithmIdentifier DER and the signature (placed in a BIT STRING with no unused bits).
std::string AssembleCertificate(std::string_view tbs, std::string_view sig_alg,
                                std::string_view signature);

}  // namespace claimsca::ca
