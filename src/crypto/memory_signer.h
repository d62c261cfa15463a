#pragma once

// A Signer over a key held in process memory. For tests and tools only: production keys
// live in the key-file and PKCS#11 back ends.

#include <string>
#include <utility>

#include "crypto/ossl.h"
#include "crypto/signer.h"

namespace claimsca::crypto {

// Owns `key`. Thread-safe like every Signer.
class MemorySigner final : public Signer {
 public:
  explicit MemorySigner(EvpPkeyPtr key) : key_(std::move(key)) {}
  EVP_PKEY* key() const override { return key_.get(); }
  std::string Describe() const override { return "memory"; }

 private:
  EvpPkeyPtr key_;
};

}  // namespace claimsca::crypto
