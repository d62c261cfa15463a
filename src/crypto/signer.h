#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::crypto {

// A CA signing key. The private key never leaves its back end in clear: the key-file back
// end keeps it encrypted at rest (PKCS#8, AES-256-CBC, PBKDF2) and only in memory while
// running; the PKCS#11 back end keeps it inside the token (CKA_SENSITIVE, not extractable)
// and signs there.
//
// Thread-safety: all methods may be called from several threads at once.
class Signer {
 public:
  virtual ~Signer() = default;

  // A handle usable with OpenSSL's signing functions (X509_sign, X509_CRL_sign,
  // OCSP_basic_sign, EVP_DigestSign). For PKCS#11 this is a key whose operations go to the
  // token. Owned by the Signer; valid for its lifetime.
  virtual EVP_PKEY* key() const = 0;

  // Signs `data` with SHA-256 (RSA PKCS#1 v1.5 or ECDSA, by key type) and returns the
  // signature bytes as they go into an X.509 BIT STRING.
  virtual Result<std::string> SignSha256(std::string_view data) const;

  // DER of the AlgorithmIdentifier that SignSha256 produces (sha256WithRSAEncryption
  // with NULL parameters, or ecdsa-with-SHA256).
  Result<std::string> SignatureAlgorithmDer() const;

  // Human-readable description for logs ("file:/path", "pkcs11:token=...;object=...").
  virtual std::string Describe() const = 0;
};

}  // namespace claimsca::crypto
