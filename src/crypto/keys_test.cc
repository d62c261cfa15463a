#include "crypto/keys.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

namespace claimsca::crypto {
namespace {

bool SignVerifies(EVP_PKEY* priv, EVP_PKEY* pub) {
  const std::string data = "to be signed";
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, priv) != 1) return false;
  auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) return false;
  std::string sig(len, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sig.data());
  if (EVP_DigestSign(ctx.get(), out, &len, in, data.size()) != 1) return false;
  EvpMdCtxPtr vctx(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(vctx.get(), nullptr, EVP_sha256(), nullptr, pub) != 1) return false;
  return EVP_DigestVerify(vctx.get(), out, len, in, data.size()) == 1;
}

TEST(KeysTest, ParseAndNameRoundTrip) {
  for (auto alg : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kRsa3072, KeyAlgorithm::kRsa4096,
                   KeyAlgorithm::kEcP256, KeyAlgorithm::kEcP384}) {
    auto parsed = ParseKeyAlgorithm(KeyAlgorithmName(alg));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, alg);
  }
  EXPECT_EQ(ParseKeyAlgorithm("rsa1024").status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(ParseKeyAlgorithm("RSA2048").ok());
  EXPECT_TRUE(IsRsa(KeyAlgorithm::kRsa3072));
  EXPECT_FALSE(IsRsa(KeyAlgorithm::kEcP384));
}

TEST(KeysTest, GeneratedKeysAreClassified) {
  // RSA 3072/4096 generation is slow; 2048 and both curves cover the code paths.
  for (auto alg : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcP256, KeyAlgorithm::kEcP384}) {
    auto key = GenerateKey(alg);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    auto of = KeyAlgorithmOf(key->get());
    ASSERT_TRUE(of.ok()) << of.status().ToString();
    EXPECT_EQ(*of, alg);
    auto pub_der = PublicKeyDer(key->get());
    ASSERT_TRUE(pub_der.ok());
    auto pub = PublicKeyFromDer(*pub_der);
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(*KeyAlgorithmOf(pub->get()), alg);
    EXPECT_TRUE(SignVerifies(key->get(), pub->get()));
  }
}

TEST(KeysTest, RejectsUnsupportedKeys) {
  EvpPkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  ASSERT_TRUE(small);
  auto r = KeyAlgorithmOf(small.get());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("1024"), std::string::npos) << r.status().message();

  EvpPkeyPtr odd_size(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2560}));
  EXPECT_FALSE(KeyAlgorithmOf(odd_size.get()).ok());

  EvpPkeyPtr k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  ASSERT_TRUE(k1);
  r = KeyAlgorithmOf(k1.get());
  EXPECT_NE(r.status().message().find("secp256k1"), std::string::npos) << r.status().message();

  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(ed);
  EXPECT_NE(KeyAlgorithmOf(ed.get()).status().message().find("ED25519"), std::string::npos);

  // e = 3 is refused.
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  ASSERT_TRUE(ctx);
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048), 1);
  BignumPtr three(BN_new());
  BN_set_word(three.get(), 3);
  ASSERT_EQ(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), three.get()), 1);
  EVP_PKEY* raw = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen(ctx.get(), &raw), 1);
  EvpPkeyPtr e3(raw);
  r = KeyAlgorithmOf(e3.get());
  EXPECT_NE(r.status().message().find("exponent"), std::string::npos) << r.status().message();
}

TEST(KeysTest, EncryptedPrivateKeyRoundTrip) {
  auto key = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  auto pem = WriteEncryptedKeyPem(key->get(), "correct horse");
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  EXPECT_EQ(pem->rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 0), 0u);

  auto back = ReadEncryptedKeyPem(*pem, "correct horse");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(EVP_PKEY_eq(key->get(), back->get()), 1);
  EXPECT_TRUE(SignVerifies(back->get(), key->get()));

  auto wrong = ReadEncryptedKeyPem(*pem, "wrong horse");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), Code::kUnauthorized);
  EXPECT_EQ(wrong.status().message().find("horse"), std::string::npos);
  EXPECT_EQ(ReadEncryptedKeyPem(*pem, "").status().code(), Code::kUnauthorized);

  EXPECT_EQ(EncryptPrivateKeyDer(key->get(), "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(DecryptPrivateKeyDer("garbage", "x").status().code(), Code::kInvalidArgument);
}

TEST(KeysTest, EncryptedKeyUsesPbes2Sha256Aes256) {
  auto key = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  auto der = EncryptPrivateKeyDer(key->get(), "pw-123456");
  ASSERT_TRUE(der.ok());
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  std::unique_ptr<X509_SIG, Deleter<X509_SIG_free>> sig(
      d2i_X509_SIG(nullptr, &p, static_cast<long>(der->size())));
  ASSERT_TRUE(sig);
  const X509_ALGOR* alg = nullptr;
  X509_SIG_get0(sig.get(), &alg, nullptr);
  EXPECT_EQ(OBJ_obj2nid(alg->algorithm), NID_pbes2);
  const ASN1_TYPE* type = alg->parameter;
  std::unique_ptr<PBE2PARAM, Deleter<PBE2PARAM_free>> params(
      static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), type)));
  ASSERT_TRUE(params);
  EXPECT_EQ(OBJ_obj2nid(params->encryption->algorithm), NID_aes_256_cbc);
  EXPECT_EQ(OBJ_obj2nid(params->keyfunc->algorithm), NID_id_pbkdf2);
  std::unique_ptr<PBKDF2PARAM, Deleter<PBKDF2PARAM_free>> kdf(static_cast<PBKDF2PARAM*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), params->keyfunc->parameter)));
  ASSERT_TRUE(kdf);
  EXPECT_EQ(ASN1_INTEGER_get(kdf->iter), kKeyPbkdf2Iterations);
  ASSERT_NE(kdf->prf, nullptr);
  EXPECT_EQ(OBJ_obj2nid(kdf->prf->algorithm), NID_hmacWithSHA256);
}

TEST(KeysTest, PublicKeyPemRoundTrip) {
  auto key = GenerateKey(KeyAlgorithm::kEcP384);
  ASSERT_TRUE(key.ok());
  auto pem = PublicKeyPem(key->get());
  ASSERT_TRUE(pem.ok());
  EXPECT_EQ(pem->rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
  auto pub = PublicKeyFromPem(*pem);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(EVP_PKEY_eq(key->get(), pub->get()), 1);
  EXPECT_FALSE(PublicKeyFromPem("nope").ok());
  EXPECT_FALSE(PublicKeyFromDer(std::string("\x30\x00", 2)).ok());
}

}  // namespace
}  // namespace claimsca::crypto
