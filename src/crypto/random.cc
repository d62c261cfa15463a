#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <climits>
#include <string_view>

#include "crypto/ossl.h"

namespace claimsca::crypto {
namespace {

// Fills `out` with `n` symbols drawn uniformly from `alphabet` (size <= 256). Bytes at or
// above the largest multiple of the alphabet size are rejected, so there is no modulo bias.
Status AppendUniform(std::string_view alphabet, size_t n, std::string& out) {
  const unsigned size = static_cast<unsigned>(alphabet.size());
  const unsigned limit = 256 - 256 % size;
  unsigned char buf[64];
  Status status;
  while (n > 0 && status.ok()) {
    if (RAND_bytes(buf, sizeof buf) != 1) {
      status = OpensslError("RAND_bytes");
      break;
    }
    for (unsigned char b : buf) {
      if (n == 0) break;
      if (b >= limit) continue;
      out.push_back(alphabet[b % size]);
      --n;
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return status;
}

}  // namespace

Result<std::string> RandomBytes(size_t n) {
  if (n > static_cast<size_t>(INT_MAX)) return InvalidArgument("too many random bytes requested");
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return OpensslError("RAND_bytes");
  }
  return out;
}

Result<std::string> RandomSerial() {
  ASSIGN_OR_RETURN(std::string bytes, RandomBytes(16));
  // Clear the sign bit; redraw the first byte while it is zero (probability 1/128), so the
  // encoding is exactly 16 octets and the distribution stays uniform over 0x01..0x7f.
  bytes[0] = static_cast<char>(bytes[0] & 0x7f);
  while (bytes[0] == 0) {
    ASSIGN_OR_RETURN(std::string first, RandomBytes(1));
    bytes[0] = static_cast<char>(first[0] & 0x7f);
  }
  return CanonicalSerialHex(HexEncode(bytes));
}

Result<std::string> RandomDigits(int n) {
  if (n < 1 || n > 256) return InvalidArgument("digit count must be between 1 and 256");
  std::string out;
  out.reserve(n);
  RETURN_IF_ERROR(AppendUniform("123456789", 1, out));
  RETURN_IF_ERROR(AppendUniform("0123456789", static_cast<size_t>(n) - 1, out));
  return out;
}

Result<std::string> RandomPassword(int n) {
  if (n < 8 || n > 256) return InvalidArgument("password length must be between 8 and 256");
  std::string out;
  out.reserve(n);
  Status status = AppendUniform(kPasswordAlphabet, static_cast<size_t>(n), out);
  if (!status.ok()) {
    OPENSSL_cleanse(out.data(), out.size());
    return status;
  }
  return out;
}

}  // namespace claimsca::crypto
