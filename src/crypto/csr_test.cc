#include "crypto/csr.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <cstring>

#include "crypto/random.h"

namespace claimsca::crypto {
namespace {

// Builds a CSR for `pub`, signed by `signer` (normally the same key).
X509ReqPtr MakeCsr(EVP_PKEY* pub, EVP_PKEY* signer, const EVP_MD* md, const std::string& cn) {
  X509ReqPtr req(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Example"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  EXPECT_EQ(X509_REQ_set_pubkey(req.get(), pub), 1);
  EXPECT_GT(X509_REQ_sign(req.get(), signer, md), 0);
  return req;
}

std::string ToDer(X509_REQ* req) {
  unsigned char* out = nullptr;
  int n = i2d_X509_REQ(req, &out);
  std::string der(reinterpret_cast<char*>(out), n);
  OPENSSL_free(out);
  return der;
}

std::string ToPem(X509_REQ* req) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n);
}

class CsrTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = GenerateKey(KeyAlgorithm::kRsa2048)->release();
    ec_ = GenerateKey(KeyAlgorithm::kEcP256)->release();
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(ec_);
  }
  static void ExpectBadCsr(std::string_view input, std::string_view fragment) {
    auto r = ParseCsr(input);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kBadCsr);
    EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().message();
  }
  static EVP_PKEY* rsa_;
  static EVP_PKEY* ec_;
};
EVP_PKEY* CsrTest::rsa_ = nullptr;
EVP_PKEY* CsrTest::ec_ = nullptr;

TEST_F(CsrTest, AcceptsRsaPemWithUtf8Subject) {
  auto req = MakeCsr(rsa_, rsa_, EVP_sha256(), "受付PC1 テスト");
  auto r = ParseCsr("\n  " + ToPem(req.get()) + "\n\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->algorithm, KeyAlgorithm::kRsa2048);
  EXPECT_EQ(r->subject_text, "CN=受付PC1 テスト,O=Example");
  EXPECT_EQ(EVP_PKEY_eq(r->public_key.get(), rsa_), 1);
  EXPECT_NE(r->req, nullptr);
}

TEST_F(CsrTest, AcceptsEcDerAndNewCertificateRequestLabel) {
  auto req = MakeCsr(ec_, ec_, EVP_sha256(), "1234567890");
  std::string der = ToDer(req.get());
  auto r = ParseCsr(der);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->algorithm, KeyAlgorithm::kEcP256);

  std::string pem = ToPem(req.get());
  for (auto* from : {"-----BEGIN CERTIFICATE REQUEST-----", "-----END CERTIFICATE REQUEST-----"}) {
    std::string to = from;
    to.insert(to.find(' ') + 1, "NEW ");
    pem.replace(pem.find(from), std::strlen(from), to);
  }
  ASSERT_NE(pem.find("BEGIN NEW CERTIFICATE REQUEST"), std::string::npos);
  r = ParseCsr(pem);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->subject_text, "CN=1234567890,O=Example");
}

TEST_F(CsrTest, RejectsCorruptedSignature) {
  std::string der = ToDer(MakeCsr(rsa_, rsa_, EVP_sha256(), "x").get());
  der[der.size() - 5] ^= 0x01;  // inside the RSA signature
  ExpectBadCsr(der, "proof of possession");
}

TEST_F(CsrTest, RejectsSignatureByAnotherKey) {
  auto other = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(other.ok());
  ExpectBadCsr(ToPem(MakeCsr(ec_, other->get(), EVP_sha256(), "x").get()), "proof of possession");
}

TEST_F(CsrTest, RejectsGarbage) {
  ExpectBadCsr("", "empty");
  ExpectBadCsr("   \n", "empty");
  ExpectBadCsr("hello world", "neither PEM");
  for (int i = 0; i < 50; ++i) {
    std::string junk = *RandomBytes(200 + i);
    junk[0] = 0x30;  // looks like a SEQUENCE
    auto r = ParseCsr(junk);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kBadCsr);
  }
  ExpectBadCsr("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n",
               "does not parse");
  std::string pem = ToPem(MakeCsr(ec_, ec_, EVP_sha256(), "x").get());
  std::string cert_label = pem;
  while (cert_label.find("CERTIFICATE REQUEST") != std::string::npos) {
    cert_label.replace(cert_label.find("CERTIFICATE REQUEST"), 19, "CERTIFICATE");
  }
  ExpectBadCsr(cert_label, "expected a CERTIFICATE REQUEST");
}

TEST_F(CsrTest, RejectsTrailingData) {
  auto req = MakeCsr(ec_, ec_, EVP_sha256(), "x");
  ExpectBadCsr(ToDer(req.get()) + "x", "trailing data");
  ExpectBadCsr(ToPem(req.get()) + "junk\n", "trailing data");
  ExpectBadCsr(ToPem(req.get()) + ToPem(req.get()), "trailing data");
}

TEST_F(CsrTest, RejectsOversizedInput) {
  std::string pem = ToPem(MakeCsr(ec_, ec_, EVP_sha256(), "x").get());
  ExpectBadCsr(pem + std::string(kMaxCsrSize, '\n'), "larger than 65536");
}

TEST_F(CsrTest, RejectsUnsupportedKeys) {
  EvpPkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  ExpectBadCsr(ToDer(MakeCsr(small.get(), small.get(), EVP_sha256(), "x").get()), "1024");
  EvpPkeyPtr k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  ExpectBadCsr(ToDer(MakeCsr(k1.get(), k1.get(), EVP_sha256(), "x").get()), "secp256k1");
  EvpPkeyPtr p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  ExpectBadCsr(ToDer(MakeCsr(p521.get(), p521.get(), EVP_sha256(), "x").get()), "P-256 or P-384");
  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ExpectBadCsr(ToDer(MakeCsr(ed.get(), ed.get(), nullptr, "x").get()), "ED25519");
}

TEST_F(CsrTest, RejectsMd5Signature) {
  ExpectBadCsr(ToDer(MakeCsr(rsa_, rsa_, EVP_md5(), "x").get()), "MD5");
}

}  // namespace
}  // namespace claimsca::crypto
