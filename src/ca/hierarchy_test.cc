#include "ca/hierarchy.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "common/time_util.h"
#include "crypto/keys.h"
#include "crypto/memory_signer.h"

namespace claimsca::ca {
namespace {

using namespace std::chrono_literals;

Instant At(const char* iso) { return ParseInstant(iso).value(); }

crypto::MemorySigner NewSigner() {
  return crypto::MemorySigner(crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256).value());
}

std::string Der(X509_NAME* name) {
  unsigned char* der = nullptr;
  int n = i2d_X509_NAME(name, &der);
  std::string out(reinterpret_cast<char*>(der), n);
  OPENSSL_free(der);
  return out;
}

std::string ExtText(X509* cert, int nid) {
  int at = X509_get_ext_by_NID(cert, nid, -1);
  if (at < 0) return "";
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  X509V3_EXT_print(bio.get(), X509_get_ext(cert, at), 0, 0);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, n);
}

class HierarchyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.organization = "Test";
    spec_.root_name = "Test Root";
    spec_.issuing_name = "Test Issuing";
    root_ = MakeRootCert(spec_, root_signer_, made_).value();
    // An issuing CA certificate made before it had revocation pointers.
    old_ = MakeIssuingCert(spec_, root_.get(), root_signer_, issuing_signer_.key(), made_).value();
    spec_.issuing_urls = {"http://ca.example/crl/root.crl", "", "http://ca.example/ca/root.der"};
  }

  HierarchySpec spec_;
  const Instant made_ = At("2026-01-01T00:00:00Z");
  crypto::MemorySigner root_signer_ = NewSigner();
  crypto::MemorySigner issuing_signer_ = NewSigner();
  crypto::X509Ptr root_, old_;
};

TEST_F(HierarchyTest, IssuingCaCarriesTheArlAndTheRootCertificate) {
  auto cert = MakeIssuingCert(spec_, root_.get(), root_signer_, issuing_signer_.key(), made_);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_NE(
      ExtText(cert->get(), NID_crl_distribution_points).find("URI:http://ca.example/crl/root.crl"),
      std::string::npos);
  const std::string aia = ExtText(cert->get(), NID_info_access);
  EXPECT_NE(aia.find("CA Issuers - URI:http://ca.example/ca/root.der"), std::string::npos) << aia;
  EXPECT_EQ(aia.find("OCSP"), std::string::npos) << aia;
  EXPECT_EQ(ExtText(old_.get(), NID_crl_distribution_points), "");
}

TEST_F(HierarchyTest, ReissueKeepsSubjectKeyAndEndAddsThePointers) {
  const Instant now = At("2026-12-06T00:00:00Z");
  auto fresh = ReissueIssuingCert(spec_, root_.get(), root_signer_, old_.get(), now);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  X509* c = fresh->get();
  EXPECT_EQ(Der(X509_get_subject_name(c)), Der(X509_get_subject_name(old_.get())));
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(c), X509_get0_pubkey(old_.get())), 1);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(c), X509_get0_serialNumber(old_.get())), 0);
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(c), X509_get0_notAfter(old_.get())), 0);
  struct tm tm {};
  ASSERT_EQ(ASN1_TIME_to_tm(X509_get0_notBefore(c), &tm), 1);
  EXPECT_EQ(Instant(std::chrono::seconds(timegm(&tm))), now);  // from now, not backdated
  EXPECT_NE(ExtText(c, NID_crl_distribution_points).find("crl/root.crl"), std::string::npos);
  EXPECT_EQ(X509_check_issued(root_.get(), c), X509_V_OK);
  EXPECT_EQ(X509_verify(c, X509_get0_pubkey(root_.get())), 1);
  // Same subject key identifier: what it signed before names it as its authority key.
  EXPECT_EQ(
      ASN1_OCTET_STRING_cmp(X509_get0_subject_key_id(c), X509_get0_subject_key_id(old_.get())), 0);
}

TEST_F(HierarchyTest, ReissueRefusesAnotherNameOrAnExpiredCertificate) {
  HierarchySpec renamed = spec_;
  renamed.issuing_name = "Another Name";
  EXPECT_EQ(ReissueIssuingCert(renamed, root_.get(), root_signer_, old_.get(), made_ + 24h)
                .status()
                .code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(ReissueIssuingCert(spec_, root_.get(), root_signer_, old_.get(), made_ + 24h * 365 * 13)
                .status()
                .code(),
            Code::kFailedPrecondition);
}

}  // namespace
}  // namespace claimsca::ca
