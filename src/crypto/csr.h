#pragma once

// PKCS#10 certificate signing request parsing and validation.
//
// Ownership: ParsedCsr owns its objects. Thread-safety: ParseCsr is reentrant.

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"

namespace claimsca::crypto {

// Inputs larger than this are rejected before parsing.
inline constexpr size_t kMaxCsrSize = 64 * 1024;

struct ParsedCsr {
  EvpPkeyPtr public_key;
  KeyAlgorithm algorithm = KeyAlgorithm::kEcP256;
  // RFC 2253 rendering with UTF-8 kept as is, e.g. "CN=受付PC1,O=Example".
  std::string subject_text;
  // The CSR's SubjectPublicKeyInfo, DER (algorithm, parameters and key bits as the CSR has
  // them), for copying into the certificate.
  std::string spki_der;
};

// Parses and validates a CSR given as PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE
// REQUEST", surrounding whitespace allowed, nothing else) or DER. Every failure is
// Code::kBadCsr with a precise message: oversized input, not parseable, trailing data,
// version other than v1, unsupported key (see KeyAlgorithmOf), invalid public key, a
// signature made with MD5 or weaker, or a signature that does not verify with the CSR's
// own key (failed proof of possession).
Result<ParsedCsr> ParseCsr(std::string_view pem_or_der);

namespace internal {
// The two paths of ParseCsr, exposed for tests. The fast path reads the usual shape of a
// request (strict DER; RSA or EC P-256/P-384 keys; SHA-2 signatures) without OpenSSL's
// generic decoders and returns nullopt for anything it does not accept; the general path
// (OpenSSL's d2i_X509_REQ) then decides and gives the precise error. The fast path never
// accepts a request the general path rejects.
std::optional<ParsedCsr> ParseCsrDerFast(std::string_view der);
Result<ParsedCsr> ParseCsrDerGeneral(std::string_view der);
}  // namespace internal

}  // namespace claimsca::crypto
