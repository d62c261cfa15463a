#pragma once

// A Signer whose private key lives in a password-encrypted PEM file (PKCS#8, see keys.h).
//
// Thread-safety: immutable after construction; key() and SignSha256 may be used from several
// threads at once (OpenSSL 3 EVP_PKEY objects are safe for concurrent signing).

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/ossl.h"
#include "crypto/signer.h"

namespace claimsca::crypto {

class KeyFileSigner : public Signer {
 public:
  // Reads and decrypts "-----BEGIN ENCRYPTED PRIVATE KEY-----" from `path`. NotFound if the
  // file is missing, Unauthorized for a wrong password, InvalidArgument for an unsupported
  // key (see KeyAlgorithmOf) or a malformed file.
  static Result<std::unique_ptr<KeyFileSigner>> Load(const std::string& path,
                                                     std::string_view password);

  // Generates a key and writes it encrypted with `password` (PBKDF2 with `iterations`) to
  // `path`, mode 0600, atomically (temp file in the same directory, fsync, link into place,
  // fsync of the directory). Never overwrites: Conflict if `path` exists.
  static Result<std::unique_ptr<KeyFileSigner>> Create(const std::string& path,
                                                       KeyAlgorithm algorithm,
                                                       std::string_view password,
                                                       int iterations = kKeyPbkdf2Iterations);

  EVP_PKEY* key() const override { return key_.get(); }
  KeyAlgorithm algorithm() const { return algorithm_; }
  std::string Describe() const override { return "file:" + path_; }

 private:
  KeyFileSigner(std::string path, EvpPkeyPtr key, KeyAlgorithm algorithm)
      : path_(std::move(path)), key_(std::move(key)), algorithm_(algorithm) {}

  const std::string path_;
  const EvpPkeyPtr key_;
  const KeyAlgorithm algorithm_;
};

}  // namespace claimsca::crypto
