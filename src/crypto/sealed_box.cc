#include "crypto/sealed_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

#include "crypto/random.h"

namespace claimsca::crypto {
namespace {

constexpr char kVersion = 0x01;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* U(std::string& s, size_t at) { return reinterpret_cast<unsigned char*>(&s[at]); }

}  // namespace

Result<SealedBox> SealedBox::Create(std::string key) {
  if (key.size() != kSealKeyBytes) {
    OPENSSL_cleanse(key.data(), key.size());
    return InvalidArgument("sealing key: expected " + std::to_string(kSealKeyBytes) + " bytes");
  }
  return SealedBox(std::move(key));
}

SealedBox::~SealedBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

Result<std::string> SealedBox::Seal(std::string_view plaintext, std::string_view aad) const {
  ASSIGN_OR_RETURN(std::string nonce, RandomBytes(kNonceBytes));
  std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  out[0] = kVersion;
  out.replace(1, kNonceBytes, nonce);
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), U(out, 1 + kNonceBytes), &len, U(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), U(out, 1 + kNonceBytes + plaintext.size()), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          U(out, 1 + kNonceBytes + plaintext.size())) != 1) {
    return Internal("seal: AES-256-GCM failed");
  }
  return out;
}

Result<std::string> SealedBox::Open(std::string_view sealed, std::string_view aad) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes || sealed[0] != kVersion) {
    return InvalidArgument("sealed value: malformed");
  }
  const size_t n = sealed.size() - 1 - kNonceBytes - kTagBytes;
  std::string_view nonce = sealed.substr(1, kNonceBytes);
  std::string_view body = sealed.substr(1 + kNonceBytes, n);
  std::string tag(sealed.substr(1 + kNonceBytes + n));
  std::string out(n, '\0');
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, U(key_), U(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), U(out, 0), &len, U(body), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), U(out, n), &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return InvalidArgument("sealed value: does not open with this key and context");
  }
  return out;
}

}  // namespace claimsca::crypto
