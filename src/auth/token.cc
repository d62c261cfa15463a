#include "auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

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

std::string TokenHash(std::string_view token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    // Never happens with the default provider; an empty hash matches no stored token.
    return {};
  }
  return crypto::HexEncode(std::string_view(reinterpret_cast<const char*>(md), len));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace claimsca::auth
