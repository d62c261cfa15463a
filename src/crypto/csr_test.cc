#include "crypto/csr.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <cstring>

#include "crypto/mutation_testing.h"
#include "crypto/random.h"

namespace claimsca::crypto {
namespace {

std::string SpkiDer(const X509_PUBKEY* spki) {
  unsigned char* out = nullptr;
  int n = i2d_X509_PUBKEY(spki, &out);
  std::string der(reinterpret_cast<char*>(out), n > 0 ? n : 0);
  OPENSSL_free(out);
  return der;
}

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
  EXPECT_EQ(r->spki_der, SpkiDer(X509_REQ_get_X509_PUBKEY(req.get())));
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

// --- the fast path (internal::ParseCsrDerFast) and the general path

// The fast path may only accept what the general path accepts, with the same result.
void ExpectFastImpliesGeneral(const std::string& der) {
  auto fast = internal::ParseCsrDerFast(der);
  auto general = internal::ParseCsrDerGeneral(der);
  if (!general.ok()) {
    EXPECT_EQ(general.status().code(), Code::kBadCsr);
  }
  if (!fast) return;
  ASSERT_TRUE(general.ok()) << "fast path accepted what the general path rejects: "
                            << general.status().ToString();
  EXPECT_EQ(fast->algorithm, general->algorithm);
  EXPECT_EQ(EVP_PKEY_eq(fast->public_key.get(), general->public_key.get()), 1);
  EXPECT_EQ(fast->spki_der, general->spki_der);
  EXPECT_EQ(fast->subject_text, general->subject_text);
}

TEST_F(CsrTest, FastPathReadsRsaAndEcRequests) {
  EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  struct Case {
    EVP_PKEY* key;
    const EVP_MD* md;
    KeyAlgorithm algorithm;
  } cases[] = {{rsa_, EVP_sha256(), KeyAlgorithm::kRsa2048},
               {rsa_, EVP_sha512(), KeyAlgorithm::kRsa2048},
               {ec_, EVP_sha256(), KeyAlgorithm::kEcP256},
               {ec_, EVP_sha384(), KeyAlgorithm::kEcP256},
               {p384.get(), EVP_sha384(), KeyAlgorithm::kEcP384}};
  for (const auto& c : cases) {
    auto req = MakeCsr(c.key, c.key, c.md, "受付PC1");
    std::string der = ToDer(req.get());
    auto fast = internal::ParseCsrDerFast(der);
    ASSERT_TRUE(fast.has_value()) << KeyAlgorithmName(c.algorithm);
    EXPECT_EQ(fast->algorithm, c.algorithm);
    EXPECT_EQ(EVP_PKEY_eq(fast->public_key.get(), c.key), 1);
    EXPECT_EQ(fast->spki_der, SpkiDer(X509_REQ_get_X509_PUBKEY(req.get())));
    EXPECT_EQ(fast->subject_text, "CN=受付PC1,O=Example");
    ExpectFastImpliesGeneral(der);
  }
  // With attributes (an extensionRequest and a challengePassword), as openssl req makes.
  auto req = MakeCsr(ec_, ec_, EVP_sha256(), "x");
  ASSERT_EQ(X509_REQ_add1_attr_by_NID(req.get(), NID_pkcs9_challengePassword, MBSTRING_ASC,
                                      reinterpret_cast<const unsigned char*>("secret"), -1),
            1);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509_EXTENSIONS* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(
      exts, X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:leaf.example.test"));
  ASSERT_EQ(X509_REQ_add_extensions(req.get(), exts), 1);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  ASSERT_GT(X509_REQ_sign(req.get(), ec_, EVP_sha256()), 0);
  EXPECT_TRUE(internal::ParseCsrDerFast(ToDer(req.get())).has_value());
  ExpectFastImpliesGeneral(ToDer(req.get()));
}

TEST_F(CsrTest, FastPathLeavesTheUnusualToTheGeneralPath) {
  // SHA-1 (accepted by the general path), Ed25519 and MD5 (rejected there).
  std::string sha1 = ToDer(MakeCsr(rsa_, rsa_, EVP_sha1(), "x").get());
  EXPECT_FALSE(internal::ParseCsrDerFast(sha1).has_value());
  EXPECT_TRUE(ParseCsr(sha1).ok());
  EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_FALSE(internal::ParseCsrDerFast(ToDer(MakeCsr(ed.get(), ed.get(), nullptr, "x").get())));
  EXPECT_FALSE(internal::ParseCsrDerFast(ToDer(MakeCsr(rsa_, rsa_, EVP_md5(), "x").get())));
  EvpPkeyPtr small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  EXPECT_FALSE(
      internal::ParseCsrDerFast(ToDer(MakeCsr(small.get(), small.get(), EVP_sha256(), "x").get())));
}

TEST_F(CsrTest, FastPathRejectsMalformedDer) {
  const std::string good = ToDer(MakeCsr(ec_, ec_, EVP_sha256(), "x").get());
  ASSERT_TRUE(internal::ParseCsrDerFast(good).has_value());
  ASSERT_EQ(static_cast<unsigned char>(good[1]), 0x81);  // 30 81 LL: a one-octet long form
  const size_t outer = static_cast<unsigned char>(good[2]);
  auto with_header = [&](std::string header) { return header + good.substr(3); };
  // OpenSSL's decoder (the general path) accepts some BER, as ParseCsr always did; the
  // fast path reads DER only and leaves those to it.
  struct Case {
    const char* name;
    std::string der;
    bool ber = false;
  } cases[] = {
      {"empty", ""},
      {"tag only", good.substr(0, 1)},
      {"trailing byte", good + std::string(1, '\0')},
      {"indefinite length", with_header(std::string("\x30\x80", 2)) + std::string(2, '\0'), true},
      {"non-minimal long form", with_header(std::string("\x30\x82\x00", 3) + char(outer)), true},
      {"length one too long", with_header(std::string("\x30\x81", 2) + char(outer + 1))},
      {"length one too short", with_header(std::string("\x30\x81", 2) + char(outer - 1))},
      {"five length octets", with_header(std::string("\x30\x85\x00\x00\x00\x00", 6) + char(outer)),
       true},
      {"not a SEQUENCE", std::string(1, '\x31') + good.substr(1)},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(internal::ParseCsrDerFast(c.der).has_value()) << c.name;
    ExpectFastImpliesGeneral(c.der);
    if (!c.ber) {
      EXPECT_FALSE(ParseCsr(c.der).ok()) << c.name;
    }
  }
  // Every truncation, and every single-octet length change inside.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(internal::ParseCsrDerFast(good.substr(0, n)).has_value()) << n;
    EXPECT_FALSE(ParseCsr(good.substr(0, n)).ok()) << n;
  }
  for (size_t i = 0; i < good.size(); ++i) {
    for (int delta : {-1, 1, 0x80}) {
      std::string bad = good;
      bad[i] = static_cast<char>(static_cast<unsigned char>(bad[i]) + delta);
      EXPECT_FALSE(internal::ParseCsrDerFast(bad).has_value()) << i << " " << delta;
      ExpectFastImpliesGeneral(bad);
    }
  }
}

TEST_F(CsrTest, FastPathRejectsBadSignatureAndVersion) {
  for (EVP_PKEY* key : {rsa_, ec_}) {
    std::string der = ToDer(MakeCsr(key, key, EVP_sha256(), "x").get());
    std::string bad_sig = der;
    bad_sig[bad_sig.size() - 3] ^= 0x01;
    EXPECT_FALSE(internal::ParseCsrDerFast(bad_sig).has_value());
    ExpectBadCsr(bad_sig, "proof of possession");
  }
  // Version 1 (encoded 01), signed correctly.
  auto req = MakeCsr(ec_, ec_, EVP_sha256(), "x");
  ASSERT_EQ(X509_REQ_set_version(req.get(), 1), 1);
  ASSERT_GT(X509_REQ_sign(req.get(), ec_, EVP_sha256()), 0);
  EXPECT_FALSE(internal::ParseCsrDerFast(ToDer(req.get())).has_value());
  ExpectBadCsr(ToDer(req.get()), "version");
  // An EC key signed with an RSA algorithm identifier: nothing verifies.
  auto other = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(other.ok());
  std::string foreign = ToDer(MakeCsr(ec_, other->get(), EVP_sha256(), "x").get());
  EXPECT_FALSE(internal::ParseCsrDerFast(foreign).has_value());
}

// Random mutations of valid requests: never a crash, and the fast path never accepts what
// the general path rejects.
TEST_F(CsrTest, RandomMutationsNeverCrashAndFastImpliesGeneral) {
  const std::string seeds[] = {ToDer(MakeCsr(ec_, ec_, EVP_sha256(), "受付PC1").get()),
                               ToDer(MakeCsr(rsa_, rsa_, EVP_sha256(), "x").get())};
  testing::Mutator mutator;
  for (int i = 0; i < 3000; ++i) {
    std::string der = mutator.Mutate(seeds[i % 2], 3);
    ExpectFastImpliesGeneral(der);
    (void)ParseCsr(der);
  }
}

}  // namespace
}  // namespace claimsca::crypto
