#include "crypto/pkcs12.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "crypto/keys.h"

namespace claimsca::crypto {
namespace {

constexpr char kJapaneseName[] = "受付PC1 テスト中です#%& * > ? @";

X509Ptr MakeCert(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 42);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  EXPECT_GT(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()), 0);
  return cert;
}

// Runs a shell command, returns its exit status and (merged) output.
std::pair<int, std::string> RunCommand(const std::string& cmd) {
  std::string out;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (f == nullptr) return {-1, ""};
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  int rc = pclose(f);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

class Pkcs12Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_key_ = GenerateKey(KeyAlgorithm::kEcP384).value();
    ca_ = MakeCert("Test Root", ca_key_.get(), nullptr, nullptr);
    key_ = GenerateKey(KeyAlgorithm::kRsa2048).value();
    cert_ = MakeCert("terminal-1", key_.get(), ca_.get(), ca_key_.get());
    char tmpl[] = "/tmp/p12test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& data) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  void RoundTrip(P12Mode mode) {
    auto der = MakePkcs12(key_.get(), cert_.get(), {ca_.get()}, kJapaneseName, "S3cret-pw", mode);
    ASSERT_TRUE(der.ok()) << der.status().ToString();
    auto parsed = ParsePkcs12(*der, "S3cret-pw");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(EVP_PKEY_eq(parsed->key.get(), key_.get()), 1);
    EXPECT_EQ(X509_cmp(parsed->cert.get(), cert_.get()), 0);
    ASSERT_EQ(parsed->chain.size(), 1u);
    EXPECT_EQ(X509_cmp(parsed->chain[0].get(), ca_.get()), 0);
    EXPECT_EQ(parsed->friendly_name, kJapaneseName);

    auto wrong = ParsePkcs12(*der, "S3cret-pW");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.status().code(), Code::kUnauthorized);
    EXPECT_EQ(wrong.status().message().find("S3cret"), std::string::npos);
  }

  EvpPkeyPtr ca_key_, key_;
  X509Ptr ca_, cert_;
  std::string dir_;
};

TEST_F(Pkcs12Test, ModernRoundTrip) { RoundTrip(P12Mode::kModern); }
TEST_F(Pkcs12Test, LegacyRoundTrip) { RoundTrip(P12Mode::kLegacy); }

TEST_F(Pkcs12Test, RejectsBadInput) {
  EXPECT_EQ(MakePkcs12(key_.get(), cert_.get(), {}, "x", "", P12Mode::kModern).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      MakePkcs12(key_.get(), cert_.get(), {}, "x", "pässword", P12Mode::kModern).status().code(),
      Code::kInvalidArgument);
  // Key does not match the certificate.
  EXPECT_EQ(MakePkcs12(ca_key_.get(), cert_.get(), {}, "x", "pw", P12Mode::kModern).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(ParsePkcs12("garbage", "pw").status().code(), Code::kInvalidArgument);
  // Empty friendly name: no attribute.
  auto der = MakePkcs12(key_.get(), cert_.get(), {}, "", "pw", P12Mode::kModern);
  ASSERT_TRUE(der.ok());
  auto parsed = ParsePkcs12(*der, "pw");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->friendly_name, "");
  EXPECT_TRUE(parsed->chain.empty());
}

TEST_F(Pkcs12Test, OpensslCliAcceptsBothModes) {
  for (auto mode : {P12Mode::kModern, P12Mode::kLegacy}) {
    auto der = MakePkcs12(key_.get(), cert_.get(), {ca_.get()}, kJapaneseName, "Pw-1234", mode);
    ASSERT_TRUE(der.ok());
    std::string path = WriteFile("t.p12", *der);
    auto [rc, out] = RunCommand("openssl pkcs12 -info -noout -passin pass:Pw-1234 -in " + path);
    EXPECT_EQ(rc, 0) << out;
    if (mode == P12Mode::kModern) {
      EXPECT_NE(out.find("MAC: sha256, Iteration 2048"), std::string::npos) << out;
      EXPECT_NE(out.find("PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"),
                std::string::npos)
          << out;
      EXPECT_EQ(out.find("3-KeyTripleDES"), std::string::npos) << out;
    } else {
      EXPECT_NE(out.find("MAC: sha1, Iteration 2048"), std::string::npos) << out;
      EXPECT_NE(out.find("pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048"), std::string::npos)
          << out;
      EXPECT_EQ(out.find("RC2"), std::string::npos) << out;
    }
    auto [bad_rc, bad_out] =
        RunCommand("openssl pkcs12 -info -noout -passin pass:nope -in " + path);
    EXPECT_NE(bad_rc, 0) << bad_out;
  }
}

TEST_F(Pkcs12Test, NssPk12utilAcceptsBothModes) {
  std::string db = dir_ + "/nssdb";
  std::filesystem::create_directory(db);
  auto [init_rc, init_out] = RunCommand("certutil -N -d sql:" + db + " --empty-password");
  ASSERT_EQ(init_rc, 0) << init_out;
  for (auto mode : {P12Mode::kModern, P12Mode::kLegacy}) {
    auto der = MakePkcs12(key_.get(), cert_.get(), {ca_.get()}, kJapaneseName, "Pw-1234", mode);
    ASSERT_TRUE(der.ok());
    std::string path = WriteFile("t.p12", *der);
    auto [rc, out] = RunCommand("pk12util -l " + path + " -W Pw-1234 -d sql:" + db);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find(kJapaneseName), std::string::npos) << out;
    auto [bad_rc, bad_out] = RunCommand("pk12util -l " + path + " -W nope -d sql:" + db);
    EXPECT_NE(bad_rc, 0) << bad_out;
  }
}

}  // namespace
}  // namespace claimsca::crypto
