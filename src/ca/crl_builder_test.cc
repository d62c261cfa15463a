#include "ca/crl_builder.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "common/time_util.h"
#include "crl/testing/test_pki.h"

namespace claimsca::ca {
namespace {

using namespace std::chrono_literals;
using testing::KeySigner;

Instant At(const char* iso) { return ParseInstant(iso).value(); }

struct Pki {
  explicit Pki(bool rsa = false)
      : signer(rsa ? testing::NewRsaKey() : testing::NewEcKey()),
        ca(testing::MakeCa("Test CRL CA", signer.key(), At("2026-01-01T00:00:00Z"))) {}
  KeySigner signer;
  crypto::X509CrlPtr Parse(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    crypto::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
    EXPECT_NE(crl, nullptr);
    EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(der.data()) + der.size());
    return crl;
  }
  crypto::X509Ptr ca;
};

// Re-encoding with OpenSSL must give the same bytes: our DER is canonical.
void ExpectCanonical(X509_CRL* crl, const std::string& der) {
  unsigned char* out = nullptr;
  int n = i2d_X509_CRL(crl, &out);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), n), der);
  OPENSSL_free(out);
}

Instant ToInstant(const ASN1_TIME* t) {
  struct tm tm {};
  EXPECT_EQ(ASN1_TIME_to_tm(t, &tm), 1);
  return Instant(std::chrono::seconds(timegm(&tm)));
}

long ExtInt(void* p) {  // takes an ASN1_INTEGER
  long v = ASN1_INTEGER_get(static_cast<ASN1_INTEGER*>(p));
  ASN1_INTEGER_free(static_cast<ASN1_INTEGER*>(p));
  return v;
}

long ExtEnum(void* p) {  // takes an ASN1_ENUMERATED
  long v = ASN1_ENUMERATED_get(static_cast<ASN1_ENUMERATED*>(p));
  ASN1_ENUMERATED_free(static_cast<ASN1_ENUMERATED*>(p));
  return v;
}

TEST(CrlBuilderTest, AllFieldsAndSignature) {
  for (bool rsa : {false, true}) {
    Pki pki(rsa);
    CrlInput in{
        pki.ca.get(), &pki.signer, 42, At("2026-05-01T00:00:00Z"), At("2026-05-02T00:00:00Z"), {}};
    in.entries.push_back({"0a1b", At("2026-04-01T10:00:00Z"), 1, At("2026-03-31T00:00:00Z")});
    in.entries.push_back({"0c", At("2026-04-02T11:00:00Z"), 0, std::nullopt});
    in.entries.push_back({"0d0e0f", At("2026-04-03T12:00:00Z"), 5, std::nullopt});
    auto der = BuildCrl(in);
    ASSERT_TRUE(der.ok()) << der.status().ToString();
    auto crl = pki.Parse(*der);
    ASSERT_NE(crl, nullptr);
    ExpectCanonical(crl.get(), *der);

    EXPECT_EQ(X509_CRL_get_version(crl.get()), 1);  // v2
    EXPECT_EQ(X509_CRL_get_signature_nid(crl.get()),
              rsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256);
    EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(pki.ca.get())),
              0);
    EXPECT_EQ(ToInstant(X509_CRL_get0_lastUpdate(crl.get())), in.this_update);
    EXPECT_EQ(ToInstant(X509_CRL_get0_nextUpdate(crl.get())), in.next_update);
    EXPECT_EQ(ASN1_STRING_type(X509_CRL_get0_lastUpdate(crl.get())), V_ASN1_UTCTIME);
    EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(pki.ca.get())), 1);

    // crlExtensions: CRLNumber and AuthorityKeyIdentifier = issuer SKI, nothing else.
    EXPECT_EQ(X509_CRL_get_ext_count(crl.get()), 2);
    EXPECT_EQ(ExtInt(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)), 42);
    auto* aki = static_cast<AUTHORITY_KEYID*>(
        X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, nullptr, nullptr));
    ASSERT_NE(aki, nullptr);
    EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(pki.ca.get())), 0);
    EXPECT_EQ(aki->issuer, nullptr);
    AUTHORITY_KEYID_free(aki);

    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
    ASSERT_EQ(sk_X509_REVOKED_num(revoked), 3);
    for (int i = 0; i < 3; ++i) {
      X509_REVOKED* r = sk_X509_REVOKED_value(revoked, i);
      const CrlEntry& e = in.entries[i];
      EXPECT_EQ(crypto::SerialHex(X509_REVOKED_get0_serialNumber(r)), e.serial_hex);
      EXPECT_EQ(ToInstant(X509_REVOKED_get0_revocationDate(r)), e.revoked_at);
      void* reason = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, nullptr, nullptr);
      if (e.reason == 0) {
        EXPECT_EQ(reason, nullptr);
      } else {
        ASSERT_NE(reason, nullptr);
        EXPECT_EQ(ExtEnum(reason), e.reason);
      }
      auto* inv = static_cast<ASN1_GENERALIZEDTIME*>(
          X509_REVOKED_get_ext_d2i(r, NID_invalidity_date, nullptr, nullptr));
      EXPECT_EQ(inv != nullptr, e.invalidity_date.has_value());
      if (inv != nullptr) {
        EXPECT_EQ(ASN1_STRING_type(inv), V_ASN1_GENERALIZEDTIME);
        EXPECT_EQ(ToInstant(inv), *e.invalidity_date);
        ASN1_GENERALIZEDTIME_free(inv);
      }
    }
  }
}

TEST(CrlBuilderTest, OpensslCliVerifiesAndShowsReasons) {
  Pki pki;
  CrlInput in{
      pki.ca.get(), &pki.signer, 7, At("2026-05-01T00:00:00Z"), At("2026-05-02T00:00:00Z"), {}};
  in.entries.push_back({"01f3", At("2026-04-01T10:00:00Z"), 1, At("2026-03-31T00:00:00Z")});
  in.entries.push_back({"02f3", At("2026-04-01T10:00:00Z"), 5, std::nullopt});
  auto der = BuildCrl(in);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  testing::TempDir dir;
  std::string ca = dir.Write("ca.pem", testing::CertPem(pki.ca.get()));
  std::string f = dir.Write("crl.der", *der);
  auto v = testing::Run("openssl crl -inform DER -in " + f + " -CAfile " + ca + " -noout");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("verify OK"), std::string::npos) << v.output;
  auto t = testing::Run("openssl crl -inform DER -in " + f + " -text -noout");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  for (const char* s : {"Key Compromise", "Cessation Of Operation", "Invalidity Date",
                        "X509v3 CRL Number", "7", "Serial Number: 01F3"}) {
    EXPECT_NE(t.output.find(s), std::string::npos) << s << "\n" << t.output;
  }
}

TEST(CrlBuilderTest, EmptyListOmitsRevokedCertificates) {
  Pki pki;
  auto der = BuildCrl(
      {pki.ca.get(), &pki.signer, 1, At("2026-05-01T00:00:00Z"), At("2026-05-02T00:00:00Z"), {}});
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto crl = pki.Parse(*der);
  ASSERT_NE(crl, nullptr);
  ExpectCanonical(crl.get(), *der);  // OpenSSL omits an empty list: same bytes
  EXPECT_LE(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl.get())), 0);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(pki.ca.get())), 1);
  // After nextUpdate (UTCTime, 15 bytes) comes crlExtensions [0] directly.
  std::string next_update =
      "\x17\x0d"
      "260502000000Z";
  size_t pos = der->find(next_update);
  ASSERT_NE(pos, std::string::npos);
  EXPECT_EQ(static_cast<uint8_t>((*der)[pos + next_update.size()]), 0xa0);
}

TEST(CrlBuilderTest, HighBitSerialsAndLongSerials) {
  Pki pki;
  CrlInput in{
      pki.ca.get(), &pki.signer, 0x80, At("2026-05-01T00:00:00Z"), At("2026-05-02T00:00:00Z"), {}};
  for (const char* s : {"80", "ff", "0080", "7f", "80000000000000000000000000000000000000ff",
                        "7fffffffffffffffffffffffffffffffffffffff", "1"}) {
    in.entries.push_back({s, At("2026-04-01T10:00:00Z"), 0, std::nullopt});
  }
  auto der = BuildCrl(in);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto crl = pki.Parse(*der);
  ASSERT_NE(crl, nullptr);
  ExpectCanonical(crl.get(), *der);
  EXPECT_EQ(ExtInt(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)), 0x80);
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  ASSERT_EQ(sk_X509_REVOKED_num(revoked), 7);
  const char* want[] = {"80",
                        "ff",
                        "80",
                        "7f",
                        "80000000000000000000000000000000000000ff",
                        "7fffffffffffffffffffffffffffffffffffffff",
                        "01"};
  for (int i = 0; i < 7; ++i) {
    const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i));
    EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // positive
    EXPECT_EQ(crypto::SerialHex(serial), want[i]);
  }
}

TEST(CrlBuilderTest, DatesFrom2050AreGeneralizedTime) {
  Pki pki;
  CrlInput in{
      pki.ca.get(), &pki.signer, 3, At("2049-12-31T23:59:59Z"), At("2050-01-01T00:00:00Z"), {}};
  in.entries.push_back({"01", At("2049-12-31T23:59:59Z"), 0, std::nullopt});
  in.entries.push_back({"02", At("2051-06-01T00:00:00Z"), 4, At("2051-05-01T00:00:00Z")});
  auto der = BuildCrl(in);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto crl = pki.Parse(*der);
  ASSERT_NE(crl, nullptr);
  ExpectCanonical(crl.get(), *der);
  EXPECT_EQ(ASN1_STRING_type(X509_CRL_get0_lastUpdate(crl.get())), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(X509_CRL_get0_nextUpdate(crl.get())), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(ToInstant(X509_CRL_get0_nextUpdate(crl.get())), in.next_update);
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  const ASN1_TIME* d0 = X509_REVOKED_get0_revocationDate(sk_X509_REVOKED_value(revoked, 0));
  const ASN1_TIME* d1 = X509_REVOKED_get0_revocationDate(sk_X509_REVOKED_value(revoked, 1));
  EXPECT_EQ(ASN1_STRING_type(d0), V_ASN1_UTCTIME);
  EXPECT_EQ(ASN1_STRING_type(d1), V_ASN1_GENERALIZEDTIME);
  EXPECT_EQ(ToInstant(d1), in.entries[1].revoked_at);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(pki.ca.get())), 1);
}

TEST(CrlBuilderTest, RejectsBadInput) {
  Pki pki;
  Instant t = At("2026-05-01T00:00:00Z");
  auto b = CrlBuilder::Create(pki.ca.get(), pki.signer, 1, t, t + 24h);
  ASSERT_TRUE(b.ok());
  for (const char* s : {"", "0", "00", "xyz", "0g", "1234567890123456789012345678901234567890ab"}) {
    EXPECT_EQ(b->Add(s, t, 0, std::nullopt).code(), Code::kInvalidArgument) << s;
  }
  EXPECT_EQ(b->Add("01", At("1949-12-31T00:00:00Z"), 0, std::nullopt).code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(b->Add("01", t, 0, std::nullopt).ok());
  EXPECT_TRUE(b->Finish().ok());
  EXPECT_EQ(b->Finish().status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(b->Add("02", t, 0, std::nullopt).code(), Code::kFailedPrecondition);

  EXPECT_EQ(CrlBuilder::Create(pki.ca.get(), pki.signer, 0, t, t + 24h).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(CrlBuilder::Create(pki.ca.get(), pki.signer, 1, t, t).status().code(),
            Code::kInvalidArgument);
  KeySigner other(testing::NewEcKey());
  EXPECT_EQ(CrlBuilder::Create(pki.ca.get(), other, 1, t, t + 24h).status().code(),
            Code::kFailedPrecondition);
  // A CA without SubjectKeyIdentifier cannot be named in the AKI.
  crypto::X509Ptr no_ski(X509_dup(pki.ca.get()));
  crypto::X509ExtensionPtr removed(X509_delete_ext(
      no_ski.get(), X509_get_ext_by_NID(no_ski.get(), NID_subject_key_identifier, -1)));
  ASSERT_NE(removed, nullptr);
  ASSERT_GT(X509_sign(no_ski.get(), pki.signer.key(), EVP_sha256()), 0);
  EXPECT_EQ(CrlBuilder::Create(no_ski.get(), pki.signer, 1, t, t + 24h).status().code(),
            Code::kFailedPrecondition);
}

// Run with --gtest_also_run_disabled_tests to measure; it asserts only correctness.
// A CRL shard: a critical IDP naming its URL (as the certificates' CRL DP) and
// onlyContainsUserCerts, decoded by OpenSSL to the same values and re-encoded to the same bytes.
TEST(CrlBuilderTest, ShardCarriesItsDistributionPointInACriticalIdp) {
  Pki pki;
  const std::string url = "http://ca.example/crl/issuing-1/17.crl";
  auto b = CrlBuilder::Create(pki.ca.get(), pki.signer, 3, At("2026-05-01T00:00:00Z"),
                              At("2026-05-02T00:00:00Z"), 1, CrlScope::kDistributionPoint, url);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_TRUE(b->Add("0a11", At("2026-04-01T10:00:00Z"), 1, std::nullopt).ok());
  auto der = b->Finish();
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto crl = pki.Parse(*der);
  ASSERT_NE(crl, nullptr);
  ExpectCanonical(crl.get(), *der);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(pki.ca.get())), 1);

  int crit = -1;
  std::unique_ptr<ISSUING_DIST_POINT, crypto::Deleter<ISSUING_DIST_POINT_free>> idp(
      static_cast<ISSUING_DIST_POINT*>(
          X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, &crit, nullptr)));
  ASSERT_NE(idp, nullptr);
  EXPECT_EQ(crit, 1);
  EXPECT_EQ(idp->onlyuser, 0xff);
  EXPECT_EQ(idp->onlyCA, 0);
  EXPECT_EQ(idp->onlysomereasons, nullptr);
  EXPECT_EQ(idp->indirectCRL, 0);
  ASSERT_NE(idp->distpoint, nullptr);
  ASSERT_EQ(idp->distpoint->type, 0);  // fullName
  ASSERT_EQ(sk_GENERAL_NAME_num(idp->distpoint->name.fullname), 1);
  const GENERAL_NAME* gn = sk_GENERAL_NAME_value(idp->distpoint->name.fullname, 0);
  ASSERT_EQ(gn->type, GEN_URI);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(
                            ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier)),
                        ASN1_STRING_length(gn->d.uniformResourceIdentifier)),
            url);

  testing::TempDir dir;
  auto t =
      testing::Run("openssl crl -inform DER -in " + dir.Write("s.crl", *der) + " -text -noout");
  EXPECT_NE(t.output.find("X509v3 Issuing Distribution Point: critical"), std::string::npos)
      << t.output;
  EXPECT_NE(t.output.find("URI:" + url), std::string::npos) << t.output;
  EXPECT_NE(t.output.find("Only User Certificates"), std::string::npos) << t.output;
}

TEST(CrlBuilderTest, DistributionPointUrlOnlyWithAShard) {
  Pki pki;
  const Instant t0 = At("2026-05-01T00:00:00Z"), t1 = At("2026-05-02T00:00:00Z");
  EXPECT_EQ(CrlBuilder::Create(pki.ca.get(), pki.signer, 1, t0, t1, 0, CrlScope::kDistributionPoint)
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(CrlBuilder::Create(pki.ca.get(), pki.signer, 1, t0, t1, 0, CrlScope::kAllCertificates,
                               "http://x/1.crl")
                .status()
                .code(),
            Code::kInvalidArgument);
}

TEST(CrlBuilderTest, DISABLED_Benchmark) {
  Pki pki(/*rsa=*/true);
  Instant t = At("2026-05-01T00:00:00Z");
  for (size_t n : {100'000u, 1'000'000u}) {
    std::vector<std::string> serials;
    serials.reserve(n);
    char buf[41];
    for (size_t i = 0; i < n; ++i) {
      std::snprintf(buf, sizeof buf, "%016zx%016zx", size_t(i * 0x9e3779b97f4a7c15ull | 1ull << 62),
                    i);
      serials.emplace_back(buf);
    }
    auto start = std::chrono::steady_clock::now();
    auto b = CrlBuilder::Create(pki.ca.get(), pki.signer, 1, t, t + 24h, n);
    ASSERT_TRUE(b.ok());
    for (size_t i = 0; i < n; ++i) {
      ASSERT_TRUE(b->Add(serials[i], t - std::chrono::seconds(i), int(i % 6),
                         i % 4 == 0 ? std::optional<Instant>(t - 48h) : std::nullopt)
                      .ok());
    }
    auto der = b->Finish();
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    ASSERT_TRUE(der.ok());
    std::printf("%zu entries: %.1f ms, %zu bytes\n", n, ms.count(), der->size());
    auto crl = pki.Parse(*der);
    ASSERT_NE(crl, nullptr);
    EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(pki.ca.get())), 1);
  }
}

}  // namespace
}  // namespace claimsca::ca
