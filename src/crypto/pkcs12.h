#pragma once

// PKCS#12 (.p12 / .pfx) bundles for delivering a key with its certificate and chain.
//
// Ownership: inputs are borrowed; ParsedPkcs12 owns its objects. Thread-safety: reentrant.
// Passwords are never logged or included in error messages.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/ossl.h"

namespace claimsca::crypto {

enum class P12Mode {
  // PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for the key and the certificates, HMAC-SHA256
  // MAC; what `openssl pkcs12 -export` writes in OpenSSL 3. Windows 10 1709+, macOS, NSS.
  kModern,
  // pbeWithSHA1And3-KeyTripleDES-CBC for the key and the certificates, HMAC-SHA1 MAC; for
  // old Windows importers. Needs only OpenSSL's default provider (no RC2).
  kLegacy,
};

// Iteration count of the PBE and the MAC in both modes (OpenSSL's default).
inline constexpr int kPkcs12Iterations = 2048;

// DER of a PFX holding `key`, `cert` (both with friendlyName and localKeyId) and `chain`
// (extra CA certificates, e.g. issuing CA then root). `friendly_name` is UTF-8 and stored as
// a BMPString; it may be empty (then no friendlyName). `password` must be 1..256 printable
// ASCII characters (PKCS#12 password encoding is only interoperable for ASCII), else
// InvalidArgument. The key must match the certificate.
Result<std::string> MakePkcs12(EVP_PKEY* key, X509* cert, const std::vector<X509*>& chain,
                               std::string_view friendly_name, std::string_view password,
                               P12Mode mode);

struct ParsedPkcs12 {
  EvpPkeyPtr key;
  X509Ptr cert;                // the certificate matching the key
  std::vector<X509Ptr> chain;  // the other certificates, in file order
  std::string friendly_name;   // UTF-8, of the certificate (empty if none)
};

// Verifies the MAC and decrypts. Unauthorized for a wrong password; InvalidArgument if the
// DER does not parse or holds no key and certificate.
Result<ParsedPkcs12> ParsePkcs12(std::string_view der, std::string_view password);

}  // namespace claimsca::crypto
