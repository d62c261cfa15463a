#include "crypto/ossl.h"

#include <gtest/gtest.h>

#include "crypto/keys.h"

namespace claimsca::crypto {
namespace {

TEST(Ossl, CertDerToPemMatchesOpenssl) {
  auto key = GenerateKey(KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  X509Ptr cert(X509_new());
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key->get());
  ASSERT_GT(X509_sign(cert.get(), key->get(), EVP_sha256()), 0);
  auto der = CertToDer(cert.get());
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(CertDerToPem(*der), CertToPem(cert.get()).value());
  auto back = CertFromPem(CertDerToPem(*der));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(CertToDer(back->get()).value(), *der);
}

TEST(Ossl, CanonicalSerialHex) {
  EXPECT_EQ(CanonicalSerialHex("0x00AB12").value(), "ab12");
  EXPECT_EQ(CanonicalSerialHex("AB:12").value(), "ab12");
  EXPECT_EQ(CanonicalSerialHex("abc").value(), "0abc");
  EXPECT_FALSE(CanonicalSerialHex("").ok());
  EXPECT_FALSE(CanonicalSerialHex("000").ok());
  EXPECT_FALSE(CanonicalSerialHex("xyz").ok());
  EXPECT_FALSE(CanonicalSerialHex(std::string(42, 'a')).ok());
}

}  // namespace
}  // namespace claimsca::crypto
