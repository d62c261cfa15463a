#include "crypto/file_signer.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace claimsca::crypto {
namespace {

bool Verifies(EVP_PKEY* pub, std::string_view data, std::string_view sig) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

class KeyFileSignerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/filesigner.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(KeyFileSignerTest, CreateWritesPrivateFileAndLoadReadsIt) {
  std::string path = dir_ + "/ca.key";
  auto created = KeyFileSigner::Create(path, KeyAlgorithm::kEcP256, "pa55word");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)->Describe(), "file:" + path);

  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);  // no temp file left behind
  std::stringstream contents;
  contents << std::ifstream(path).rdbuf();
  EXPECT_EQ(contents.str().rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u);

  auto loaded = KeyFileSigner::Load(path, "pa55word");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->algorithm(), KeyAlgorithm::kEcP256);
  EXPECT_EQ(EVP_PKEY_eq((*loaded)->key(), (*created)->key()), 1);

  auto sig = (*loaded)->SignSha256("hello");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Verifies((*created)->key(), "hello", *sig));
}

TEST_F(KeyFileSignerTest, Errors) {
  std::string path = dir_ + "/ca.key";
  ASSERT_TRUE(KeyFileSigner::Create(path, KeyAlgorithm::kEcP384, "pa55word").ok());
  auto again = KeyFileSigner::Create(path, KeyAlgorithm::kEcP384, "other");
  EXPECT_EQ(again.status().code(), Code::kConflict);

  auto wrong = KeyFileSigner::Load(path, "pa55wort");
  EXPECT_EQ(wrong.status().code(), Code::kUnauthorized);
  EXPECT_EQ(wrong.status().message().find("pa55"), std::string::npos);
  EXPECT_EQ(KeyFileSigner::Load(dir_ + "/missing.key", "x").status().code(), Code::kNotFound);
  EXPECT_EQ(
      KeyFileSigner::Create(dir_ + "/nodir/ca.key", KeyAlgorithm::kEcP256, "x").status().code(),
      Code::kUnavailable);

  // An unencrypted key file is refused.
  auto key = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  BioPtr bio(BIO_new_file((dir_ + "/plain.key").c_str(), "w"));
  ASSERT_EQ(PEM_write_bio_PrivateKey(bio.get(), key->get(), nullptr, nullptr, 0, nullptr, nullptr),
            1);
  bio.reset();
  auto plain = KeyFileSigner::Load(dir_ + "/plain.key", "x");
  EXPECT_EQ(plain.status().code(), Code::kInvalidArgument);
  EXPECT_NE(plain.status().message().find("ENCRYPTED PRIVATE KEY"), std::string::npos);
}

TEST_F(KeyFileSignerTest, SignsCertificatesConcurrently) {
  auto signer = KeyFileSigner::Create(dir_ + "/ca.key", KeyAlgorithm::kRsa2048, "pa55word");
  ASSERT_TRUE(signer.ok());
  const Signer& s = **signer;
  auto alg = s.SignatureAlgorithmDer();
  ASSERT_TRUE(alg.ok());
  EXPECT_EQ(HexEncode(*alg), "300d06092a864886f70d01010b0500");

  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string data = "message " + std::to_string(t) + "/" + std::to_string(i);
        auto sig = s.SignSha256(data);
        if (sig.ok() && Verifies(s.key(), data, *sig)) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 40);

  X509Ptr cert(X509_new());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Root"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60);
  X509_set_pubkey(cert.get(), s.key());
  ASSERT_GT(X509_sign(cert.get(), s.key(), EVP_sha256()), 0);
  EXPECT_EQ(X509_verify(cert.get(), s.key()), 1);
}

}  // namespace
}  // namespace claimsca::crypto
