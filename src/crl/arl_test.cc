#include "crl/arl.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "ca/hierarchy.h"
#include "common/time_util.h"
#include "crl/testing/test_pki.h"

namespace claimsca::crl {
namespace {

using namespace std::chrono_literals;
using testing::KeySigner;

Instant At(const char* iso) { return ParseInstant(iso).value(); }

// root → issuing CA (the hierarchy's own builders, with the ARL as CRL distribution point)
// → a terminal certificate.
struct Chain {
  Chain() : root_signer(testing::NewEcKey()), issuing_signer(testing::NewEcKey()) {
    spec.organization = "Test";
    spec.root_name = "Test Root";
    spec.issuing_name = "Test Issuing";
    spec.issuing_urls = {"http://127.0.0.1/crl/root.crl", "", "http://127.0.0.1/ca/root.der"};
    const Instant made = At("2026-01-01T00:00:00Z");
    root = ca::MakeRootCert(spec, root_signer, made).value();
    issuing =
        ca::MakeIssuingCert(spec, root.get(), root_signer, issuing_signer.key(), made).value();
    auto leaf_key = testing::NewEcKey();
    leaf = testing::MakeCert(issuing.get(), issuing_signer.key(), leaf_key.get(), "terminal",
                             "0a0b0c0d", made, At("2029-01-01T00:00:00Z"));
  }
  ca::HierarchySpec spec;
  KeySigner root_signer, issuing_signer;
  crypto::X509Ptr root, issuing, leaf;
};

ca::CrlEntry Revoked(X509* cert, int reason) {
  return {crypto::SerialHex(X509_get0_serialNumber(cert)), At("2026-06-01T09:00:00Z"), reason,
          std::nullopt};
}

TEST(ArlTest, FirstArlIsScopedToCaCertificatesAndReadsBack) {
  Chain c;
  const Instant now = At("2026-06-01T00:00:00Z");
  auto der = MakeArl({c.root.get(), &c.root_signer, now, 365 * 24h, nullptr, {}});
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto read = ReadArl(*der, c.root.get());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->crl_number, now.time_since_epoch().count());
  EXPECT_EQ(read->this_update, now);
  EXPECT_EQ(read->next_update, now + 365 * 24h);
  EXPECT_TRUE(read->entries.empty());

  testing::TempDir dir;
  auto text = testing::Run("openssl crl -inform DER -text -noout -in " + dir.Write("a.der", *der));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  for (const char* want : {"X509v3 Issuing Distribution Point: critical", "Only CA Certificates",
                           "X509v3 CRL Number", "X509v3 Authority Key Identifier",
                           "No Revoked Certificates", "Issuer: C = JP, O = Test, CN = Test Root"}) {
    EXPECT_NE(text.output.find(want), std::string::npos) << want << "\n" << text.output;
  }
  // No distribution point name in the IDP: it covers CA certificates without a CRL DP too.
  EXPECT_EQ(text.output.find("Full Name"), std::string::npos) << text.output;
}

TEST(ArlTest, CarriesEntriesForwardAndRefusesARevocationTwice) {
  Chain c;
  const Instant t1 = At("2026-06-01T00:00:00Z");
  auto first =
      MakeArl({c.root.get(), &c.root_signer, t1, 30 * 24h, nullptr, {Revoked(c.issuing.get(), 1)}});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto prev = ReadArl(*first, c.root.get()).value();
  ASSERT_EQ(prev.entries.size(), 1u);
  EXPECT_EQ(prev.entries[0].reason, 1);
  EXPECT_EQ(prev.entries[0].revoked_at, At("2026-06-01T09:00:00Z"));

  // Made again with a clock that went back: the number still grows.
  auto second = MakeArl({c.root.get(),
                         &c.root_signer,
                         t1 - 1h,
                         30 * 24h,
                         &prev,
                         {{"7f01", At("2026-05-31T00:00:00Z"), 5, t1 - 48h}}});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto next = ReadArl(*second, c.root.get()).value();
  EXPECT_EQ(next.crl_number, prev.crl_number + 1);
  ASSERT_EQ(next.entries.size(), 2u);
  EXPECT_EQ(next.entries[0].serial_hex, prev.entries[0].serial_hex);
  EXPECT_EQ(next.entries[1].serial_hex, "7f01");
  EXPECT_EQ(next.entries[1].reason, 5);
  EXPECT_EQ(next.entries[1].invalidity_date, t1 - 48h);

  auto again =
      MakeArl({c.root.get(), &c.root_signer, t1, 30 * 24h, &next, {Revoked(c.issuing.get(), 0)}});
  EXPECT_EQ(again.status().code(), Code::kConflict);
  EXPECT_EQ(MakeArl({c.root.get(), &c.root_signer, t1, 0s, nullptr, {}}).status().code(),
            Code::kInvalidArgument);
}

TEST(ArlTest, ReadRefusesWhatIsNotThisRootsArl) {
  Chain c;
  const Instant now = At("2026-06-01T00:00:00Z");
  EXPECT_EQ(ReadArl("garbage", c.root.get()).status().code(), Code::kInvalidArgument);
  // A CRL of the root without the CA-only scope.
  auto plain = ca::BuildCrl({c.root.get(), &c.root_signer, 1, now, now + 24h, {}});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(ReadArl(*plain, c.root.get()).status().code(), Code::kFailedPrecondition);
  // Another root's ARL.
  Chain other;
  auto foreign = MakeArl({other.root.get(), &other.root_signer, now, 24h, nullptr, {}});
  ASSERT_TRUE(foreign.ok());
  EXPECT_EQ(ReadArl(*foreign, c.root.get()).status().code(), Code::kFailedPrecondition);
}

TEST(ArlTest, OnlyCaCertificatesOfThisRootMayBeListed) {
  Chain c, other;
  EXPECT_TRUE(CheckIssuedByRoot(c.issuing.get(), c.root.get()).ok());
  EXPECT_FALSE(CheckIssuedByRoot(c.root.get(), c.root.get()).ok());
  EXPECT_FALSE(CheckIssuedByRoot(other.issuing.get(), c.root.get()).ok());
  EXPECT_FALSE(CheckIssuedByRoot(c.leaf.get(), c.issuing.get()).ok());  // not a CA
}

// What a relying party does: the terminal CRL and the ARL, every certificate of the chain
// checked (openssl verify -crl_check_all).
TEST(ArlTest, OpensslVerifyCrlCheckAllPassesThenFailsOnceTheIssuingCaIsRevoked) {
  Chain c;
  const Instant now = ParseInstant("2026-06-02T00:00:00Z").value();
  auto terminal_crl = ca::BuildCrl({c.issuing.get(), &c.issuing_signer, 1, now, now + 24h, {}});
  auto arl = MakeArl({c.root.get(), &c.root_signer, now, 365 * 24h, nullptr, {}});
  auto revoked = MakeArl(
      {c.root.get(), &c.root_signer, now, 365 * 24h, nullptr, {Revoked(c.issuing.get(), 1)}});
  ASSERT_TRUE(terminal_crl.ok() && arl.ok() && revoked.ok());
  testing::TempDir dir;
  auto pem = [&](const std::string& name, const std::string& der) {
    std::string f = dir.Write(name + ".der", der);
    testing::Run("openssl crl -inform DER -in " + f + " -out " + dir.path() + "/" + name + ".pem");
    return dir.path() + "/" + name + ".pem";
  };
  const std::string common = "openssl verify -crl_check_all -attime " +
                             std::to_string(now.time_since_epoch().count() + 60) + " -CAfile " +
                             dir.Write("root.pem", testing::CertPem(c.root.get())) +
                             " -untrusted " +
                             dir.Write("issuing.pem", testing::CertPem(c.issuing.get())) +
                             " -CRLfile " + pem("terminal", *terminal_crl) + " ";
  const std::string leaf = " " + dir.Write("leaf.pem", testing::CertPem(c.leaf.get()));
  auto good = testing::Run(common + "-CRLfile " + pem("arl", *arl) + leaf);
  EXPECT_EQ(good.exit_code, 0) << good.output;
  auto without = testing::Run(common + leaf);
  EXPECT_NE(without.exit_code, 0) << without.output;
  EXPECT_NE(without.output.find("unable to get certificate CRL"), std::string::npos)
      << without.output;
  auto bad = testing::Run(common + "-CRLfile " + pem("revoked", *revoked) + leaf);
  EXPECT_NE(bad.exit_code, 0) << bad.output;
  EXPECT_NE(bad.output.find("certificate revoked"), std::string::npos) << bad.output;
}

}  // namespace
}  // namespace claimsca::crl
