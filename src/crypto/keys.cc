#include "crypto/keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <climits>
#include <cstring>

namespace claimsca::crypto {
namespace {

using X509SigPtr = std::unique_ptr<X509_SIG, Deleter<X509_SIG_free>>;
using X509AlgorPtr = std::unique_ptr<X509_ALGOR, Deleter<X509_ALGOR_free>>;
using P8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;

constexpr char kEncryptedKeyPemLabel[] = "ENCRYPTED PRIVATE KEY";

struct AlgorithmEntry {
  KeyAlgorithm algorithm;
  std::string_view name;
};
constexpr AlgorithmEntry kAlgorithms[] = {
    {KeyAlgorithm::kRsa2048, "rsa2048"}, {KeyAlgorithm::kRsa3072, "rsa3072"},
    {KeyAlgorithm::kRsa4096, "rsa4096"}, {KeyAlgorithm::kEcP256, "ecp256"},
    {KeyAlgorithm::kEcP384, "ecp384"},
};

Result<std::string> MemBioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n < 0) return Internal("BIO_get_mem_data failed");
  return std::string(data, static_cast<size_t>(n));
}

Status CheckPasswordSize(std::string_view password) {
  if (password.size() > INT_MAX) return InvalidArgument("password is too long");
  return Status::Ok();
}

Result<KeyAlgorithm> RsaAlgorithmOf(const EVP_PKEY* key) {
  BIGNUM* raw_e = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &raw_e) != 1) {
    return OpensslError("RSA public exponent is not readable", Code::kInvalidArgument);
  }
  BignumPtr e(raw_e);
  // CA/Browser Forum BR 6.1.6: odd, and 2^16+1 <= e < 2^256.
  if (!BN_is_odd(e.get()) || BN_num_bits(e.get()) > 256 || BN_get_word(e.get()) < 65537) {
    return InvalidArgument("RSA public exponent must be odd and in [65537, 2^256)");
  }
  switch (int bits = EVP_PKEY_get_bits(key)) {
    case 2048:
      return KeyAlgorithm::kRsa2048;
    case 3072:
      return KeyAlgorithm::kRsa3072;
    case 4096:
      return KeyAlgorithm::kRsa4096;
    default:
      return InvalidArgument("RSA key size " + std::to_string(bits) +
                             " is not supported (use 2048, 3072 or 4096 bits)");
  }
}

Result<KeyAlgorithm> EcAlgorithmOf(const EVP_PKEY* key) {
  char group[80] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) {
    return OpensslError("EC key has no named curve (explicit parameters are not supported)",
                        Code::kInvalidArgument);
  }
  int nid = OBJ_sn2nid(group);
  if (nid == NID_undef) nid = EC_curve_nist2nid(group);
  if (nid == NID_X9_62_prime256v1) return KeyAlgorithm::kEcP256;
  if (nid == NID_secp384r1) return KeyAlgorithm::kEcP384;
  return InvalidArgument(std::string("EC curve ") + group +
                         " is not supported (use P-256 or P-384)");
}

}  // namespace

Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name) {
  for (const auto& entry : kAlgorithms) {
    if (entry.name == name) return entry.algorithm;
  }
  return InvalidArgument("unknown key algorithm \"" + std::string(name.substr(0, 32)) +
                         "\" (expected rsa2048, rsa3072, rsa4096, ecp256 or ecp384)");
}

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  for (const auto& entry : kAlgorithms) {
    if (entry.algorithm == algorithm) return entry.name;
  }
  return "unknown";
}

bool IsRsa(KeyAlgorithm algorithm) {
  return algorithm == KeyAlgorithm::kRsa2048 || algorithm == KeyAlgorithm::kRsa3072 ||
         algorithm == KeyAlgorithm::kRsa4096;
}

Result<EvpPkeyPtr> GenerateKey(KeyAlgorithm algorithm) {
  EVP_PKEY* key = nullptr;
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
    case KeyAlgorithm::kRsa3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072});
      break;
    case KeyAlgorithm::kRsa4096:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096});
      break;
    case KeyAlgorithm::kEcP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyAlgorithm::kEcP384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
  }
  if (key == nullptr) return OpensslError("key generation failed");
  return EvpPkeyPtr(key);
}

Result<KeyAlgorithm> KeyAlgorithmOf(const EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return RsaAlgorithmOf(key);
    case EVP_PKEY_EC:
      return EcAlgorithmOf(key);
    default: {
      const char* type = OBJ_nid2sn(EVP_PKEY_get_base_id(key));
      return InvalidArgument(std::string("key type ") + (type ? type : "unknown") +
                             " is not supported (use RSA or EC)");
    }
  }
}

Result<std::string> EncryptPrivateKeyDer(EVP_PKEY* key, std::string_view password, int iterations) {
  if (key == nullptr) return InvalidArgument("no key");
  if (iterations < 1000) return InvalidArgument("PBKDF2 iterations must be at least 1000");
  if (password.empty()) return InvalidArgument("the key password must not be empty");
  RETURN_IF_ERROR(CheckPasswordSize(password));
  P8InfoPtr p8(EVP_PKEY2PKCS8(key));  // holds the clear key; freed with clearing
  if (!p8) return OpensslError("EVP_PKEY2PKCS8");
  X509AlgorPtr pbe(PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), iterations, nullptr, 16, nullptr,
                                        NID_hmacWithSHA256, nullptr));
  if (!pbe) return OpensslError("PKCS5_pbe2_set_iv_ex");
  X509SigPtr sig(PKCS8_set0_pbe_ex(password.data(), static_cast<int>(password.size()), p8.get(),
                                   pbe.get(), nullptr, nullptr));
  if (!sig) return OpensslError("PKCS8_set0_pbe_ex");
  pbe.release();  // now owned by sig
  unsigned char* out = nullptr;
  int n = i2d_X509_SIG(sig.get(), &out);
  if (n <= 0) return OpensslError("i2d_X509_SIG");
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return der;
}

Result<EvpPkeyPtr> DecryptPrivateKeyDer(std::string_view der, std::string_view password) {
  RETURN_IF_ERROR(CheckPasswordSize(password));
  if (der.size() > LONG_MAX) return InvalidArgument("encrypted key is too large");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509SigPtr sig(d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return OpensslError("encrypted private key DER does not parse", Code::kInvalidArgument);
  }
  P8InfoPtr p8(PKCS8_decrypt_ex(sig.get(), password.data(), static_cast<int>(password.size()),
                                nullptr, nullptr));
  if (!p8) {
    return OpensslError("cannot decrypt the private key: wrong password or corrupted key",
                        Code::kUnauthorized);
  }
  EvpPkeyPtr key(EVP_PKCS82PKEY_ex(p8.get(), nullptr, nullptr));
  if (!key) return OpensslError("decrypted private key does not parse", Code::kInvalidArgument);
  return key;
}

Result<std::string> WriteEncryptedKeyPem(EVP_PKEY* key, std::string_view password, int iterations) {
  ASSIGN_OR_RETURN(std::string der, EncryptPrivateKeyDer(key, password, iterations));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio(bio.get(), kEncryptedKeyPemLabel, "",
                            reinterpret_cast<const unsigned char*>(der.data()),
                            static_cast<long>(der.size())) <= 0) {
    return OpensslError("PEM_write_bio");
  }
  return MemBioContents(bio.get());
}

Result<EvpPkeyPtr> ReadEncryptedKeyPem(std::string_view pem, std::string_view password) {
  if (pem.size() > INT_MAX) return InvalidArgument("PEM is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslError("BIO_new_mem_buf");
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    return OpensslError("no PEM block found in the key file", Code::kInvalidArgument);
  }
  bool encrypted_pkcs8 = std::strcmp(name, kEncryptedKeyPemLabel) == 0;
  std::string label(name);
  std::string der(reinterpret_cast<char*>(data), static_cast<size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_cleanse(data, static_cast<size_t>(len));  // may be an unencrypted key
  OPENSSL_free(data);
  if (!encrypted_pkcs8) {
    OPENSSL_cleanse(der.data(), der.size());
    return InvalidArgument("expected an ENCRYPTED PRIVATE KEY PEM block, found " + label);
  }
  return DecryptPrivateKeyDer(der, password);
}

Result<int> EncryptedKeyPbkdf2Iterations(std::string_view pem) {
  if (pem.size() > INT_MAX) return InvalidArgument("PEM is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslError("BIO_new_mem_buf");
  X509SigPtr sig(PEM_read_bio_PKCS8(bio.get(), nullptr, nullptr, nullptr));
  if (!sig) return OpensslError("no ENCRYPTED PRIVATE KEY PEM block", Code::kInvalidArgument);
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(sig.get(), &alg, nullptr);
  if (OBJ_obj2nid(alg->algorithm) != NID_pbes2) return InvalidArgument("not a PBES2 key");
  std::unique_ptr<PBE2PARAM, decltype(&PBE2PARAM_free)> params(
      static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)),
      PBE2PARAM_free);
  if (!params || OBJ_obj2nid(params->keyfunc->algorithm) != NID_id_pbkdf2) {
    return InvalidArgument("not a PBKDF2 key");
  }
  std::unique_ptr<PBKDF2PARAM, decltype(&PBKDF2PARAM_free)> kdf(
      static_cast<PBKDF2PARAM*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), params->keyfunc->parameter)),
      PBKDF2PARAM_free);
  if (!kdf) return InvalidArgument("malformed PBKDF2 parameters");
  const long iter = ASN1_INTEGER_get(kdf->iter);
  if (iter <= 0 || iter > INT_MAX) return InvalidArgument("PBKDF2 iteration count out of range");
  return static_cast<int>(iter);
}

Result<std::string> PublicKeyDer(const EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  unsigned char* out = nullptr;
  int n = i2d_PUBKEY(key, &out);
  if (n <= 0) return OpensslError("i2d_PUBKEY");
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(n));
  OPENSSL_free(out);
  return der;
}

Result<EvpPkeyPtr> PublicKeyFromDer(std::string_view der) {
  if (der.size() > LONG_MAX) return InvalidArgument("public key is too large");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return OpensslError("public key DER does not parse", Code::kInvalidArgument);
  }
  return key;
}

Result<std::string> PublicKeyPem(const EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return OpensslError("PEM_write_bio_PUBKEY");
  }
  return MemBioContents(bio.get());
}

Result<EvpPkeyPtr> PublicKeyFromPem(std::string_view pem) {
  if (pem.size() > INT_MAX) return InvalidArgument("PEM is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpensslError("BIO_new_mem_buf");
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return OpensslError("public key PEM does not parse", Code::kInvalidArgument);
  return key;
}

}  // namespace claimsca::crypto
