#pragma once

// PKCS#10 certificate signing request parsing and validation.
//
// Ownership: ParsedCsr owns its objects. Thread-safety: ParseCsr is reentrant.

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"

namespace claimsca::crypto {

// Inputs larger than this are rejected before parsing.
inline constexpr size_t kMaxCsrSize = 64 * 1024;

struct ParsedCsr {
  X509ReqPtr req;
  EvpPkeyPtr public_key;
  KeyAlgorithm algorithm;
  // RFC 2253 rendering with UTF-8 kept as is, e.g. "CN=受付PC1,O=Example".
  std::string subject_text;
};

// Parses and validates a CSR given as PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE
// REQUEST", surrounding whitespace allowed, nothing else) or DER. Every failure is
// Code::kBadCsr with a precise message: oversized input, not parseable, trailing data,
// version other than v1, unsupported key (see KeyAlgorithmOf), invalid public key, a
// signature made with MD5 or weaker, or a signature that does not verify with the CSR's
// own key (failed proof of possession).
Result<ParsedCsr> ParseCsr(std::string_view pem_or_der);

}  // namespace claimsca::crypto
