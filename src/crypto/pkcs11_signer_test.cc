#include "crypto/pkcs11_signer.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace claimsca::crypto {
namespace {

constexpr char kModule[] = "/usr/lib/softhsm/libsofthsm2.so";

bool Verifies(EVP_PKEY* pub, std::string_view data, std::string_view sig) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

class Pkcs11SignerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/softhsm.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new std::string(tmpl);
    std::filesystem::create_directory(*dir_ + "/tokens");
    std::ofstream(*dir_ + "/softhsm2.conf") << "directories.tokendir = " << *dir_
                                            << "/tokens\nobjectstore.backend = file\n"
                                               "log.level = ERROR\n";
    // Before the module is loaded anywhere in this process.
    ASSERT_EQ(setenv("SOFTHSM2_CONF", (*dir_ + "/softhsm2.conf").c_str(), 1), 0);
    ASSERT_EQ(std::system("softhsm2-util --init-token --free --label claimsca-test "
                          "--so-pin 1234 --pin 5678 >/dev/null"),
              0);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static Pkcs11Options Options(const std::string& key_label) {
    return {kModule, "claimsca-test", "5678", key_label};
  }

  // Generates `label` in the token, checks that it cannot leave the token, opens a signer
  // and signs with it.
  static void GenerateAndSign(const std::string& label, KeyAlgorithm algorithm) {
    Status generated = Pkcs11Signer::GenerateKeyInToken(Options(label), algorithm);
    ASSERT_TRUE(generated.ok()) << generated.ToString();

    auto protection = Pkcs11Signer::InspectKeyInToken(Options(label));
    ASSERT_TRUE(protection.ok()) << protection.status().ToString();
    EXPECT_TRUE(protection->sensitive);
    EXPECT_FALSE(protection->extractable);
    EXPECT_TRUE(protection->always_sensitive);
    EXPECT_TRUE(protection->never_extractable);
    EXPECT_FALSE(protection->value_readable);

    auto signer = Pkcs11Signer::Open(Options(label));
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    EXPECT_EQ((*signer)->algorithm(), algorithm);
    EXPECT_EQ((*signer)->Describe().rfind("pkcs11:token=claimsca-test;object=" + label, 0), 0u);
    auto pub = (*signer)->PublicKey();
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_EQ(*KeyAlgorithmOf(pub->get()), algorithm);

    // The private half is not available to software: OpenSSL sees no private component.
    BIGNUM* d = nullptr;
    EXPECT_NE(EVP_PKEY_get_bn_param((*signer)->key(), OSSL_PKEY_PARAM_RSA_D, &d), 1);
    BN_free(d);
    ERR_clear_error();

    auto sig = (*signer)->SignSha256("to be signed");
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_TRUE(Verifies(pub->get(), "to be signed", *sig));
    EXPECT_FALSE(Verifies(pub->get(), "to be signeD", *sig));
    EXPECT_TRUE((*signer)->SignatureAlgorithmDer().ok());

    // Concurrent signing through the shared EVP_PKEY.
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 5; ++i) {
          std::string data = "msg " + std::to_string(t) + "/" + std::to_string(i);
          auto s = (*signer)->SignSha256(data);
          if (s.ok() && Verifies(pub->get(), data, *s)) ++good;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(good.load(), 20);

    // X509_sign with the token key.
    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("HSM Root"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), pub->get());
    ASSERT_GT(X509_sign(cert.get(), (*signer)->key(), EVP_sha256()), 0);
    EXPECT_EQ(X509_verify(cert.get(), pub->get()), 1);
  }

  static std::string* dir_;
};
std::string* Pkcs11SignerTest::dir_ = nullptr;

TEST_F(Pkcs11SignerTest, Rsa2048) { GenerateAndSign("ca-rsa", KeyAlgorithm::kRsa2048); }
TEST_F(Pkcs11SignerTest, EcP256) { GenerateAndSign("ca-p256", KeyAlgorithm::kEcP256); }
TEST_F(Pkcs11SignerTest, EcP384) { GenerateAndSign("ca-p384", KeyAlgorithm::kEcP384); }

TEST_F(Pkcs11SignerTest, Errors) {
  ASSERT_TRUE(Pkcs11Signer::GenerateKeyInToken(Options("dup"), KeyAlgorithm::kEcP256).ok());
  EXPECT_EQ(Pkcs11Signer::GenerateKeyInToken(Options("dup"), KeyAlgorithm::kEcP256).code(),
            Code::kConflict);

  Pkcs11Options wrong_pin = Options("dup");
  wrong_pin.user_pin = "97319731";
  auto r = Pkcs11Signer::Open(wrong_pin);
  EXPECT_EQ(r.status().code(), Code::kUnauthorized) << r.status().ToString();
  EXPECT_EQ(r.status().message().find("97319731"), std::string::npos) << r.status().message();
  EXPECT_EQ(Pkcs11Signer::GenerateKeyInToken(wrong_pin, KeyAlgorithm::kEcP256).code(),
            Code::kUnauthorized);

  EXPECT_EQ(Pkcs11Signer::Open(Options("missing")).status().code(), Code::kNotFound);
  EXPECT_EQ(Pkcs11Signer::InspectKeyInToken(Options("missing")).status().code(), Code::kNotFound);
  Pkcs11Options no_token = Options("dup");
  no_token.token_label = "nope";
  EXPECT_EQ(Pkcs11Signer::Open(no_token).status().code(), Code::kUnavailable);
  EXPECT_EQ(Pkcs11Signer::GenerateKeyInToken(no_token, KeyAlgorithm::kEcP256).code(),
            Code::kUnavailable);
  Pkcs11Options no_module = Options("dup");
  no_module.module_path = "/nonexistent/libpkcs11.so";
  EXPECT_EQ(Pkcs11Signer::Open(no_module).status().code(), Code::kUnavailable);
  EXPECT_EQ(Pkcs11Signer::GenerateKeyInToken(no_module, KeyAlgorithm::kEcP256).code(),
            Code::kUnavailable);
}

}  // namespace
}  // namespace claimsca::crypto
