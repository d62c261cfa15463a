#include "crypto/signer.h"

#include <openssl/x509.h>

#include "crypto/der.h"
#include "crypto/ossl.h"

namespace claimsca::crypto {

Result<std::string> Signer::SignSha256(std::string_view data) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key()) != 1) {
    return OpensslError("EVP_DigestSignInit");
  }
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
    return OpensslError("EVP_DigestSign (size)");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     data.size()) != 1) {
    return OpensslError("EVP_DigestSign");
  }
  sig.resize(len);
  return sig;
}

Result<std::string> Signer::SignatureAlgorithmDer() const {
  switch (EVP_PKEY_get_base_id(key())) {
    case EVP_PKEY_RSA:
      return std::string(der::kSha256WithRsaAlgorithm);
    case EVP_PKEY_EC:
      return std::string(der::kEcdsaSha256Algorithm);
    default:
      return Internal("unsupported signing key type");
  }
}

}  // namespace claimsca::crypto
