// Helpers shared by the store back ends (internal.h) that need no database.

#include <gtest/gtest.h>

#include <string>

#include "store/internal.h"

namespace claimsca::store::internal {
namespace {

TEST(TbsOfCertificate, ReturnsTheFirstElementOfTheCertificate) {
  const std::string tbs("\x30\x03\x02\x01\x07", 5);
  const std::string tail("\x30\x00\x03\x01\x00", 5);
  EXPECT_EQ(TbsOfCertificate(std::string("\x30\x0a", 2) + tbs + tail), tbs);
  // Long-form lengths: a TBS of 300 content bytes inside a certificate of 309.
  const std::string big_tbs = std::string("\x30\x82\x01\x2c", 4) + std::string(300, '\x05');
  const std::string big = std::string("\x30\x82\x01\x35", 4) + big_tbs + tail;
  EXPECT_EQ(TbsOfCertificate(big), big_tbs);
}

TEST(TbsOfCertificate, EmptyForAnythingElse) {
  EXPECT_EQ(TbsOfCertificate(""), "");
  EXPECT_EQ(TbsOfCertificate("der"), "");
  EXPECT_EQ(TbsOfCertificate(std::string("\x30\x00\xff signed", 10)), "");
  // The TBS claims more bytes than the certificate holds.
  EXPECT_EQ(TbsOfCertificate(std::string("\x30\x05\x30\x09\x02\x01\x07", 7)), "");
  // The certificate claims more bytes than given.
  EXPECT_EQ(TbsOfCertificate(std::string("\x30\x0a\x30\x03\x02\x01\x07", 7)), "");
  // Indefinite length, and a first element that is not a SEQUENCE.
  EXPECT_EQ(TbsOfCertificate(std::string("\x30\x80\x30\x03\x02\x01\x07\x00\x00", 9)), "");
  EXPECT_EQ(TbsOfCertificate(std::string("\x30\x03\x02\x01\x07", 5)), "");
}

TEST(RestoreTbs, OnlyForIssuedRecordsWithoutOne) {
  const std::string cert("\x30\x0a\x30\x03\x02\x01\x07\x30\x00\x03\x01\x00", 12);
  CertificateRecord r;
  r.state = CertState::kIssued;
  r.cert_der = cert;
  RestoreTbs(r);
  EXPECT_EQ(r.tbs_der, cert.substr(2, 5));
  r.tbs_der = "kept";
  RestoreTbs(r);
  EXPECT_EQ(r.tbs_der, "kept");
  CertificateRecord intent;
  intent.tbs_der = "intent";
  RestoreTbs(intent);
  EXPECT_EQ(intent.tbs_der, "intent");
}

}  // namespace
}  // namespace claimsca::store::internal
