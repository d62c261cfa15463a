#include "auth/token.h"

#include <openssl/crypto.h>

#include "crypto/ossl.h"
#include "crypto/random.h"

namespace claimsca::auth {

Result<std::string> NewToken() {
  ASSIGN_OR_RETURN(std::string bytes, crypto::RandomBytes(kTokenBytes));
  std::string token = crypto::Base64Encode(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  while (!token.empty() && token.back() == '=') token.pop_back();
  for (char& c : token) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return token;
}

// An empty hash (the digest failed) matches no stored token.
std::string TokenHash(std::string_view token) { return crypto::Sha256Hex(token); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace claimsca::auth
