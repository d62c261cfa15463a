#pragma once

// Bearer tokens and session ids: 256 random bits, handed out once and stored only as
// their SHA-256 (docs/accounts.md). A database dump therefore holds no usable token.
//
// Thread-safety: every function may be called from any number of threads.

#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::auth {

inline constexpr size_t kTokenBytes = 32;
inline constexpr size_t kTokenChars = 43;  // base64url of 32 bytes, no padding

// 32 bytes from OpenSSL's DRBG (RAND_bytes), base64url (RFC 4648 §5) without padding:
// 43 characters of [A-Za-z0-9_-]. Internal if the DRBG fails.
Result<std::string> NewToken();

// Lowercase hex SHA-256 of the token as given (64 characters): the store's key.
std::string TokenHash(std::string_view token);

// Equality whose running time depends only on the lengths, not on where a and b differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace claimsca::auth
