#pragma once

// Authenticated encryption of small secrets at rest (AES-256-GCM, OpenSSL EVP). Used for
// the download password between approval and the issuance notice: the database holds only
// the sealed form, and only a holder of the sealing key (a file in the data directory's
// secrets/, never in the database) can open it.
//
// Sealed format: 0x01 (version) || 12-byte random nonce || ciphertext || 16-byte tag. The
// associated data binds a sealed value to its context (e.g. the request ID): a value moved
// to another row does not open there.

#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace claimsca::crypto {

inline constexpr size_t kSealKeyBytes = 32;

class SealedBox {
 public:
  // `key` must be kSealKeyBytes long, else InvalidArgument.
  static Result<SealedBox> Create(std::string key);
  SealedBox(SealedBox&&) = default;
  SealedBox& operator=(SealedBox&&) = default;
  ~SealedBox();

  Result<std::string> Seal(std::string_view plaintext, std::string_view associated_data) const;
  // InvalidArgument for a malformed value, and when the tag does not verify (wrong key,
  // altered value, or other associated data).
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

 private:
  explicit SealedBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace claimsca::crypto
