#pragma once

// Key generation, classification and (encrypted) serialisation.
//
// Ownership: functions taking EVP_PKEY* borrow it; returned EvpPkeyPtr are owned by the
// caller. Passwords are borrowed, never copied into long-lived buffers, never logged and
// never put into error messages.
// Thread-safety: all functions are reentrant; an EVP_PKEY may be read from several threads.

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/ossl.h"

namespace claimsca::crypto {

enum class KeyAlgorithm { kRsa2048, kRsa3072, kRsa4096, kEcP256, kEcP384 };

// "rsa2048", "rsa3072", "rsa4096", "ecp256", "ecp384" (case-sensitive); else InvalidArgument.
Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name);
// The inverse of ParseKeyAlgorithm.
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);
bool IsRsa(KeyAlgorithm algorithm);

// A fresh key pair (RSA with e = 65537, or EC on the named curve).
Result<EvpPkeyPtr> GenerateKey(KeyAlgorithm algorithm);

// The algorithm of a (public or private) key. InvalidArgument with a precise message for
// anything else: other key types, RSA sizes other than 2048/3072/4096 bits, an RSA public
// exponent that is even or outside [65537, 2^256), EC curves other than P-256/P-384.
Result<KeyAlgorithm> KeyAlgorithmOf(const EVP_PKEY* key);

// PBKDF2-HMAC-SHA256 iteration count used for keys encrypted at rest.
inline constexpr int kKeyPbkdf2Iterations = 600'000;

// Iterations for keys encrypted under a machine-generated random secret of >= 128 bits
// (the key pool): stretching adds nothing to such a secret, and a pooled key must decrypt
// in about a millisecond.
inline constexpr int kRandomSecretPbkdf2Iterations = 2048;

// PKCS#8 EncryptedPrivateKeyInfo (PBES2: PBKDF2-HMAC-SHA256 with a 16-byte random salt and
// `iterations` (>= 1000), AES-256-CBC). The password must not be empty.
Result<std::string> EncryptPrivateKeyDer(EVP_PKEY* key, std::string_view password,
                                         int iterations = kKeyPbkdf2Iterations);
// Decrypts EncryptedPrivateKeyInfo DER (any PBE scheme OpenSSL's default provider supports).
// Unauthorized if the password is wrong; InvalidArgument if the DER does not parse.
Result<EvpPkeyPtr> DecryptPrivateKeyDer(std::string_view der, std::string_view password);

// The same as PEM ("-----BEGIN ENCRYPTED PRIVATE KEY-----").
Result<std::string> WriteEncryptedKeyPem(EVP_PKEY* key, std::string_view password,
                                         int iterations = kKeyPbkdf2Iterations);
Result<EvpPkeyPtr> ReadEncryptedKeyPem(std::string_view pem, std::string_view password);
// The PBKDF2 iteration count of an encrypted key PEM (PBES2 only; InvalidArgument else).
Result<int> EncryptedKeyPbkdf2Iterations(std::string_view pem);

// SubjectPublicKeyInfo DER / PEM ("-----BEGIN PUBLIC KEY-----") of a key, and back.
Result<std::string> PublicKeyDer(const EVP_PKEY* key);
Result<EvpPkeyPtr> PublicKeyFromDer(std::string_view der);
Result<std::string> PublicKeyPem(const EVP_PKEY* key);
Result<EvpPkeyPtr> PublicKeyFromPem(std::string_view pem);

}  // namespace claimsca::crypto
