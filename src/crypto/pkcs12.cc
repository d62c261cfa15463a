#include "crypto/pkcs12.h"

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>
#include <openssl/pkcs12.h>

#include <climits>

namespace claimsca::crypto {
namespace {

using Pkcs12Ptr = std::unique_ptr<PKCS12, Deleter<PKCS12_free>>;

struct BagStackFree {
  void operator()(STACK_OF(PKCS12_SAFEBAG) * s) const {
    sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free);
  }
};
struct Pkcs7StackFree {
  void operator()(STACK_OF(PKCS7) * s) const { sk_PKCS7_pop_free(s, PKCS7_free); }
};
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using BagStack = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), BagStackFree>;
using Pkcs7Stack = std::unique_ptr<STACK_OF(PKCS7), Pkcs7StackFree>;
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackFree>;

Status CheckPassword(std::string_view password) {
  if (password.empty() || password.size() > 256) {
    return InvalidArgument("PKCS#12 password must be 1 to 256 characters");
  }
  for (char c : password) {
    if (c < 0x20 || c > 0x7e) return InvalidArgument("PKCS#12 password must be printable ASCII");
  }
  return Status::Ok();
}

// Adds friendlyName (if any) and localKeyId to a bag.
Status AddAttributes(PKCS12_SAFEBAG* bag, std::string_view name, const unsigned char* key_id,
                     int key_id_len) {
  if (PKCS12_add_localkeyid(bag, const_cast<unsigned char*>(key_id), key_id_len) != 1) {
    return OpensslError("PKCS12_add_localkeyid");
  }
  if (!name.empty() &&
      PKCS12_add_friendlyname_utf8(bag, name.data(), static_cast<int>(name.size())) != 1) {
    return OpensslError("PKCS12_add_friendlyname_utf8 (is the name valid UTF-8?)",
                        Code::kInvalidArgument);
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> MakePkcs12(EVP_PKEY* key, X509* cert, const std::vector<X509*>& chain,
                               std::string_view friendly_name, std::string_view password,
                               P12Mode mode) {
  if (key == nullptr || cert == nullptr) return InvalidArgument("PKCS#12 needs a key and a cert");
  RETURN_IF_ERROR(CheckPassword(password));
  if (friendly_name.size() > 1024) return InvalidArgument("friendly name is too long");
  if (X509_check_private_key(cert, key) != 1) {
    return OpensslError("private key does not match the certificate", Code::kInvalidArgument);
  }
  const bool modern = mode == P12Mode::kModern;
  const int pbe_nid = modern ? NID_aes_256_cbc : NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
  const EVP_MD* mac_md = modern ? EVP_sha256() : EVP_sha1();
  // NUL-terminated copy for the APIs that take C strings; wiped on every path.
  std::string pass(password);
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{pass};

  unsigned char key_id[EVP_MAX_MD_SIZE];
  unsigned int key_id_len = 0;
  if (X509_digest(cert, EVP_sha1(), key_id, &key_id_len) != 1) {
    return OpensslError("X509_digest");
  }

  BagStack cert_bags;
  STACK_OF(PKCS12_SAFEBAG)* raw_bags = nullptr;
  PKCS12_SAFEBAG* bag = PKCS12_add_cert(&raw_bags, cert);
  cert_bags.reset(raw_bags);
  if (bag == nullptr) return OpensslError("PKCS12_add_cert");
  RETURN_IF_ERROR(AddAttributes(bag, friendly_name, key_id, static_cast<int>(key_id_len)));
  for (X509* ca : chain) {
    if (ca == nullptr || PKCS12_add_cert(&raw_bags, ca) == nullptr) {
      return OpensslError("PKCS12_add_cert (chain)");
    }
  }

  Pkcs7Stack safes;
  STACK_OF(PKCS7)* raw_safes = nullptr;
  int added = PKCS12_add_safe_ex(&raw_safes, cert_bags.get(), pbe_nid, kPkcs12Iterations,
                                 pass.c_str(), nullptr, nullptr);
  safes.reset(raw_safes);
  if (added != 1) return OpensslError("PKCS12_add_safe_ex (certificates)");

  BagStack key_bags;
  STACK_OF(PKCS12_SAFEBAG)* raw_key_bags = nullptr;
  bag = PKCS12_add_key_ex(&raw_key_bags, key, 0, kPkcs12Iterations, pbe_nid, pass.c_str(), nullptr,
                          nullptr);
  key_bags.reset(raw_key_bags);
  if (bag == nullptr) return OpensslError("PKCS12_add_key_ex");
  RETURN_IF_ERROR(AddAttributes(bag, friendly_name, key_id, static_cast<int>(key_id_len)));
  // The key bag is already shrouded (encrypted); its safe is plain data, as in PKCS12_create.
  if (PKCS12_add_safe_ex(&raw_safes, key_bags.get(), -1, 0, nullptr, nullptr, nullptr) != 1) {
    return OpensslError("PKCS12_add_safe_ex (key)");
  }

  Pkcs12Ptr p12(PKCS12_add_safes_ex(safes.get(), 0, nullptr, nullptr));
  if (!p12) return OpensslError("PKCS12_add_safes_ex");
  if (PKCS12_set_mac(p12.get(), pass.c_str(), -1, nullptr, 0, kPkcs12Iterations, mac_md) != 1) {
    return OpensslError("PKCS12_set_mac");
  }
  unsigned char* out = nullptr;
  int n = i2d_PKCS12(p12.get(), &out);
  if (n <= 0) return OpensslError("i2d_PKCS12");
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return der;
}

Result<ParsedPkcs12> ParsePkcs12(std::string_view der, std::string_view password) {
  if (der.size() > LONG_MAX) return InvalidArgument("PKCS#12 is too large");
  if (password.size() > INT_MAX) return InvalidArgument("password is too long");
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  if (!p12 || p != begin + der.size()) {
    return OpensslError("PKCS#12 DER does not parse", Code::kInvalidArgument);
  }
  std::string pass(password);
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{pass};
  if (PKCS12_mac_present(p12.get()) != 1) {
    return InvalidArgument("PKCS#12 has no MAC (integrity cannot be checked)");
  }
  if (PKCS12_verify_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size())) != 1) {
    return OpensslError("PKCS#12 MAC does not verify: wrong password or corrupted file",
                        Code::kUnauthorized);
  }
  EVP_PKEY* raw_key = nullptr;
  X509* raw_cert = nullptr;
  STACK_OF(X509)* raw_ca = nullptr;
  if (PKCS12_parse(p12.get(), pass.c_str(), &raw_key, &raw_cert, &raw_ca) != 1) {
    return OpensslError("PKCS12_parse", Code::kInvalidArgument);
  }
  ParsedPkcs12 out;
  out.key.reset(raw_key);
  out.cert.reset(raw_cert);
  X509Stack ca(raw_ca);
  if (!out.key || !out.cert)
    return InvalidArgument("PKCS#12 holds no key and matching certificate");
  while (ca && sk_X509_num(ca.get()) > 0) out.chain.emplace_back(sk_X509_shift(ca.get()));
  int len = 0;
  const unsigned char* alias = X509_alias_get0(out.cert.get(), &len);
  if (alias != nullptr && len > 0) {
    out.friendly_name.assign(reinterpret_cast<const char*>(alias), static_cast<size_t>(len));
  }
  return out;
}

}  // namespace claimsca::crypto
