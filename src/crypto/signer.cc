#include "crypto/signer.h"

#include <openssl/x509.h>

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
  // sha256WithRSAEncryption requires explicit NULL parameters; ECDSA omits them.
  static const unsigned char kRsaSha256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                             0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
  static const unsigned char kEcdsaSha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                               0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
  switch (EVP_PKEY_get_base_id(key())) {
    case EVP_PKEY_RSA:
      return std::string(reinterpret_cast<const char*>(kRsaSha256), sizeof kRsaSha256);
    case EVP_PKEY_EC:
      return std::string(reinterpret_cast<const char*>(kEcdsaSha256), sizeof kEcdsaSha256);
    default:
      return Internal("unsupported signing key type");
  }
}

}  // namespace claimsca::crypto
