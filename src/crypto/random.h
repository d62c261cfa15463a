#pragma once

// Cryptographically secure random values from OpenSSL's DRBG (RAND_bytes).
//
// Thread-safety: all functions may be called concurrently (OpenSSL's DRBG is per thread).
// Results are owned by the caller; values that are secrets (passwords) should be wiped by
// the caller with OPENSSL_cleanse when no longer needed.

#include <cstddef>
#include <string>

#include "common/status.h"

namespace claimsca::crypto {

// `n` random bytes. Internal error if the DRBG fails (never returns weak bytes).
Result<std::string> RandomBytes(size_t n);

// A fresh certificate serial number: 16 random bytes whose first byte is 0x01..0x7f, so the
// INTEGER is positive, always 16 octets long and carries more than 126 bits of entropy.
// Returned as canonical lowercase hex (see CanonicalSerialHex), 32 characters.
Result<std::string> RandomSerial();

// `n` uniformly random decimal digits (rejection sampling, no modulo bias); the first
// digit is 1..9 so the value has exactly n digits. 1 <= n <= 256, else InvalidArgument.
Result<std::string> RandomDigits(int n);

// The alphabet of RandomPassword: letters and digits without look-alikes (no 0/O/o,
// 1/l/I); 56 symbols, about 5.8 bits per character.
inline constexpr char kPasswordAlphabet[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

// A uniformly random password of `n` characters from kPasswordAlphabet, for download
// passwords that people type. 8 <= n <= 256, else InvalidArgument.
Result<std::string> RandomPassword(int n);

}  // namespace claimsca::crypto
