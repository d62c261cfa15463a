#include "ca/certificate_profile.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <functional>

#include "ca/linter.h"
#include "ca/program.h"
#include "ca/testing.h"
#include "common/time_util.h"
#include "crypto/keys.h"
#include "crypto/mutation_testing.h"

namespace claimsca::ca {
namespace {

using crypto::KeyAlgorithm;

// A terminal TBS from EncodeTerminalTbs, as an X509 (with a dummy signature) that a test
// can change through OpenSSL before linting it.
Result<crypto::X509Ptr> BuildTbs(const TerminalCertSpec& spec, const testing::TestHierarchy& h,
                                 const IssuerUrls& urls) {
  ASSIGN_OR_RETURN(IssuerFacts facts, IssuerFacts::Of(h.issuing.get()));
  ASSIGN_OR_RETURN(std::string sig_alg, h.issuing_signer->SignatureAlgorithmDer());
  ASSIGN_OR_RETURN(std::string tbs, EncodeTerminalTbs(spec, facts, sig_alg, urls));
  std::string der = AssembleCertificate(tbs, sig_alg, std::string(64, '\x01'));
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  crypto::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return crypto::OpensslError("d2i_X509");
  return cert;
}

Status CheckCert(X509* cert, X509* issuer, const ProgramProfile& program) {
  return CheckTerminalTbs(TbsDer(cert).value(), IssuerFacts::Of(issuer).value(), program, {},
                          X509_get0_pubkey(cert));
}

// The same certificate built through OpenSSL's own API and configuration strings: the
// reference the encoder must match byte for byte.
crypto::X509Ptr OpensslTbs(const TerminalCertSpec& spec, X509* issuer, EVP_PKEY* key,
                           EVP_PKEY* signing_key, const IssuerUrls& urls) {
  crypto::X509Ptr cert(X509_new());
  X509* c = cert.get();
  X509_set_version(c, X509_VERSION_3);
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, spec.serial.c_str());
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c));
  BN_free(bn);
  ASN1_TIME_set(X509_getm_notBefore(c), spec.not_before.time_since_epoch().count());
  ASN1_TIME_set(X509_getm_notAfter(c), spec.not_after.time_since_epoch().count());
  X509_NAME* name = X509_get_subject_name(c);
  for (auto [field, value] : {std::pair<const char*, std::string>{"C", "JP"},
                              {"O", spec.organization},
                              {"OU", spec.subject_code},
                              {"CN", spec.common_name}}) {
    EXPECT_EQ(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                         reinterpret_cast<const unsigned char*>(value.data()),
                                         static_cast<int>(value.size()), -1, 0),
              1);
  }
  X509_set_issuer_name(c, X509_get_subject_name(issuer));
  X509_set_pubkey(c, key);
  bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
  std::string aia = "OCSP;URI:" + urls.ocsp_url + ",caIssuers;URI:" + urls.ca_issuers_url;
  const std::pair<int, std::string> exts[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage,
       rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
      {NID_ext_key_usage, "clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
      {NID_crl_distribution_points, "URI:" + urls.crl_url},
      {NID_info_access, aia}};
  for (const auto& [nid, value] : exts) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, c, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    EXPECT_NE(ext, nullptr) << value;
    X509_add_ext(c, ext, -1);
    X509_EXTENSION_free(ext);
  }
  EXPECT_TRUE(SetSignatureAlgorithm(c, signing_key).ok());
  return cert;
}

TEST(EncodeTerminalTbsTest, MatchesOpenSslByteForByte) {
  FixedClock clock{*ParseInstant("2025-01-31T12:00:00")};
  const IssuerUrls urls{"http://127.0.0.1/crl/issuing-1.crl", "http://127.0.0.1/ocsp",
                        "http://127.0.0.1/ca/issuing-1.der"};
  for (KeyAlgorithm ca_alg : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcP256}) {
    testing::TestHierarchy h = testing::MakeTestHierarchy(clock.Now(), ca_alg);
    IssuerFacts facts = IssuerFacts::Of(h.issuing.get()).value();
    std::string sig_alg = h.issuing_signer->SignatureAlgorithmDer().value();
    for (KeyAlgorithm alg :
         {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcP256, KeyAlgorithm::kEcP384}) {
      auto key = crypto::GenerateKey(alg).value();
      std::string spki = crypto::PublicKeyDer(key.get()).value();
      // Serials with and without the top bit, of odd length, with leading zeros; a
      // long organization in Japanese; validity ending in 2050 and later
      // (GeneralizedTime), and one before 2000.
      struct Case {
        std::string serial, organization, cn;
        const char* not_before;
        int years;
      } cases[] = {
          {"7f" + std::string(30, '1'), "claimsca test", "123456789012", "2025-01-31T12:00:00", 3},
          {"ff00" + std::string(28, 'a'), "オンライン請求ネットワーク関連システム共通認証局", "1",
           "2048-06-01T00:00:00", 3},
          {"00012345678901234567", "O", std::string(64, '9'), "1999-12-31T23:59:59", 1},
          {"abc", "x", "42", "2061-02-28T09:00:00", 2},
      };
      for (const Case& k : cases) {
        TerminalCertSpec spec;
        spec.serial = k.serial;
        spec.subject_code = "1310000001";
        spec.common_name = k.cn;
        spec.organization = k.organization;
        spec.spki_der = spki;
        spec.not_before = *ParseInstant(k.not_before);
        spec.not_after = spec.not_before + std::chrono::days(365 * k.years);
        auto ours = EncodeTerminalTbs(spec, facts, sig_alg, urls);
        ASSERT_TRUE(ours.ok()) << ours.status().ToString();
        auto ref = OpensslTbs(spec, h.issuing.get(), key.get(), h.issuing_signer->key(), urls);
        EXPECT_EQ(*ours, TbsDer(ref.get()).value())
            << k.serial << " " << k.not_before << " " << crypto::KeyAlgorithmName(alg);
      }
    }
  }
}

TEST(EncodeTerminalTbsTest, RejectsWhatOpenSslRejects) {
  FixedClock clock{*ParseInstant("2025-01-31T12:00:00")};
  testing::TestHierarchy h = testing::MakeTestHierarchy(clock.Now());
  IssuerFacts facts = IssuerFacts::Of(h.issuing.get()).value();
  std::string sig_alg = h.issuing_signer->SignatureAlgorithmDer().value();
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256).value();
  std::string spki = crypto::PublicKeyDer(key.get()).value();
  TerminalCertSpec good{
      "7f11", "1310000001", "1", "org", spki, clock.Now(), clock.Now() + std::chrono::days(1)};
  ASSERT_TRUE(EncodeTerminalTbs(good, facts, sig_alg, {}).ok());
  auto expect_error = [&](TerminalCertSpec spec, const char* want) {
    auto r = EncodeTerminalTbs(spec, facts, sig_alg, {});
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().ToString();
  };
  TerminalCertSpec s = good;
  s.organization = std::string(65, 'a');  // ub-organization-name is 64
  expect_error(s, "subject O");
  s = good;
  s.organization = "";
  expect_error(s, "subject O");
  s = good;
  s.common_name = "\xff\xfe";  // not UTF-8
  expect_error(s, "subject CN");
  s = good;
  s.serial = "12g4";
  expect_error(s, "serial");
  s = good;
  s.spki_der = "garbage";
  expect_error(s, "public key info");
  IssuerFacts no_key_id = facts;
  no_key_id.key_id.clear();
  auto r = EncodeTerminalTbs(good, no_key_id, sig_alg, {});
  EXPECT_FALSE(r.ok());
}

// A test hierarchy made at a fixed instant, the common program, and a spec that passes
// the profile for a key of the given algorithm.
class LinterTest : public ::testing::Test {
 protected:
  TerminalCertSpec GoodSpec(KeyAlgorithm algorithm) {
    key_ = std::move(crypto::GenerateKey(algorithm).value());
    spki_ = crypto::PublicKeyDer(key_.get()).value();
    return TerminalCertSpec{
        "7f" + std::string(30, '1'),  "1310000001", "123456789012", "org", spki_, clock.Now(),
        program.NotAfter(clock.Now())};
  }

  FixedClock clock{*ParseInstant("2025-01-31T12:00:00")};
  testing::TestHierarchy h = testing::MakeTestHierarchy(clock.Now());
  ProgramProfile program = CommonProgramDefaults();

 private:
  crypto::EvpPkeyPtr key_;
  std::string spki_;
};

TEST_F(LinterTest, ReportsEveryBrokenRule) {
  TerminalCertSpec spec = GoodSpec(KeyAlgorithm::kEcP256);
  // 2025-01-31 + 39 months = 2028-04-30 (April has no 31st).
  EXPECT_EQ(FormatJst(spec.not_after), "2028-04-30T23:59:59+09:00");
  IssuerUrls urls{"http://a/crl", "http://a/ocsp", "http://a/ca"};
  auto good = BuildTbs(spec, h, urls);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(CheckCert(good->get(), h.issuing.get(), program).ok())
      << CheckCert(good->get(), h.issuing.get(), program).ToString();

  TerminalCertSpec bad = spec;
  bad.serial = "01";                                      // too short
  bad.subject_code = "12345";                             // not 8/10 digits
  bad.common_name = "abc";                                // not numeric
  bad.not_after = spec.not_after + std::chrono::days(1);  // not the program's validity
  auto cert = BuildTbs(bad, h, {});
  ASSERT_TRUE(cert.ok());
  auto findings = LintTerminalCert(cert->get(), h.issuing.get(), program);
  std::string all;
  for (auto& f : findings) all += f + "\n";
  for (const char* want :
       {"serial", "OU", "CN", "notAfter", "cRLDistributionPoints", "OCSP", "caIssuers"}) {
    EXPECT_NE(all.find(want), std::string::npos) << want << " missing from:\n" << all;
  }
  auto st = CheckCert(cert->get(), h.issuing.get(), program);
  EXPECT_EQ(st.code(), Code::kLintFailed);

  TerminalCertSpec outside = spec;
  outside.not_before = clock.Now() - std::chrono::days(1);  // before the issuer's validity
  outside.not_after = program.NotAfter(outside.not_before);
  auto early = BuildTbs(outside, h, urls);
  auto f2 = LintTerminalCert(early->get(), h.issuing.get(), program);
  ASSERT_EQ(f2.size(), 1u);
  EXPECT_NE(f2[0].find("issuer's validity"), std::string::npos);
}

// Each extension rule of the profile, broken one at a time on an otherwise good TBS.
TEST_F(LinterTest, ReportsEachBrokenExtension) {
  const TerminalCertSpec spec = GoodSpec(KeyAlgorithm::kRsa2048);
  IssuerUrls urls{"http://a/crl", "http://a/ocsp", "http://a/ca"};
  auto build = [&] {
    auto tbs = BuildTbs(spec, h, urls);
    EXPECT_TRUE(tbs.ok());
    return std::move(*tbs);
  };
  auto findings = [&](X509* c) {
    std::string all;
    for (auto& f : LintTerminalCert(c, h.issuing.get(), program)) all += f + "\n";
    return all;
  };
  auto drop = [](X509* c, int nid) {
    X509_EXTENSION_free(X509_delete_ext(c, X509_get_ext_by_NID(c, nid, -1)));
  };
  auto replace = [&](X509* c, int nid, const char* value) {
    drop(c, nid);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, h.issuing.get(), c, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ASSERT_NE(ext, nullptr) << value;
    X509_add_ext(c, ext, -1);
    X509_EXTENSION_free(ext);
  };
  // An extension with the given DER value, as is.
  auto add_raw = [](X509* c, int nid, bool critical, const std::string& value) {
    ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, reinterpret_cast<const unsigned char*>(value.data()),
                          static_cast<int>(value.size()));
    X509_EXTENSION* e = X509_EXTENSION_create_by_NID(nullptr, nid, critical ? 1 : 0, os);
    X509_add_ext(c, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
  };
  {
    auto c = build();
    EXPECT_EQ(findings(c.get()), "");
  }
  struct Case {
    const char* what;
    std::function<void(X509*)> breakit;
    const char* want;
  };
  const Case cases[] = {
      {"no basicConstraints", [&](X509* c) { drop(c, NID_basic_constraints); }, "basicConstraints"},
      {"CA:TRUE", [&](X509* c) { replace(c, NID_basic_constraints, "critical,CA:TRUE"); },
       "basicConstraints"},
      {"basicConstraints not critical",
       [&](X509* c) { replace(c, NID_basic_constraints, "CA:FALSE"); }, "basicConstraints"},
      {"no keyUsage", [&](X509* c) { drop(c, NID_key_usage); }, "keyUsage must be present"},
      {"keyUsage not critical",
       [&](X509* c) { replace(c, NID_key_usage, "digitalSignature,keyEncipherment"); },
       "keyUsage must be present"},
      {"keyUsage without keyEncipherment (RSA)",
       [&](X509* c) { replace(c, NID_key_usage, "critical,digitalSignature"); },
       "keyUsage must be exactly"},
      {"keyUsage with keyCertSign",
       [&](X509* c) {
         replace(c, NID_key_usage, "critical,digitalSignature,keyEncipherment,keyCertSign");
       },
       "keyUsage must be exactly"},
      {"no extendedKeyUsage", [&](X509* c) { drop(c, NID_ext_key_usage); }, "extendedKeyUsage"},
      {"serverAuth", [&](X509* c) { replace(c, NID_ext_key_usage, "serverAuth"); },
       "extendedKeyUsage"},
      {"clientAuth and serverAuth",
       [&](X509* c) { replace(c, NID_ext_key_usage, "clientAuth,serverAuth"); },
       "extendedKeyUsage"},
      {"no subjectKeyIdentifier", [&](X509* c) { drop(c, NID_subject_key_identifier); },
       "subjectKeyIdentifier missing"},
      {"no authorityKeyIdentifier", [&](X509* c) { drop(c, NID_authority_key_identifier); },
       "authorityKeyIdentifier"},
      {"authorityKeyIdentifier of another key",
       [&](X509* c) {
         drop(c, NID_authority_key_identifier);
         add_raw(c, NID_authority_key_identifier, false,
                 std::string("\x30\x16\x80\x14", 4) + std::string(20, '\x5a'));
       },
       "authorityKeyIdentifier must equal"},
      {"a keyUsage that does not decode",
       [&](X509* c) {
         drop(c, NID_key_usage);
         add_raw(c, NID_key_usage, true, std::string("\x04\x01", 2));
       },
       "extensions do not parse"},
      {"no cRLDistributionPoints", [&](X509* c) { drop(c, NID_crl_distribution_points); },
       "cRLDistributionPoints"},
      {"no authorityInfoAccess", [&](X509* c) { drop(c, NID_info_access); }, "OCSP URL missing"},
      {"an extension outside the profile",
       [&](X509* c) { replace(c, NID_netscape_comment, "hello"); }, "unexpected extension"},
      {"a duplicated extension",
       [&](X509* c) {
         X509_EXTENSION* e = X509_get_ext(c, X509_get_ext_by_NID(c, NID_ext_key_usage, -1));
         X509_add_ext(c, e, -1);
       },
       "extensions do not parse"},
  };
  for (const Case& k : cases) {
    auto c = build();
    k.breakit(c.get());
    EXPECT_NE(findings(c.get()).find(k.want), std::string::npos)
        << k.what << ": wanted \"" << k.want << "\" in:\n"
        << findings(c.get());
  }
}

// The linter reads the TBS bytes themselves: a TBS that is not DER is reported, not
// accepted.
TEST_F(LinterTest, ReportsATbsThatDoesNotParse) {
  TerminalCertSpec spec = GoodSpec(KeyAlgorithm::kEcP256);
  IssuerUrls urls{"http://a/crl", "http://a/ocsp", "http://a/ca"};
  IssuerFacts facts = IssuerFacts::Of(h.issuing.get()).value();
  std::string sig_alg = h.issuing_signer->SignatureAlgorithmDer().value();
  std::string tbs = EncodeTerminalTbs(spec, facts, sig_alg, urls).value();
  EXPECT_TRUE(CheckTerminalTbs(tbs, facts, program).ok());
  for (std::string bad : {tbs.substr(0, tbs.size() - 1), tbs + std::string(1, '\0'),
                          std::string("\x30\x00", 2), std::string()}) {
    auto findings = LintTerminalTbs(bad, facts, program);
    ASSERT_FALSE(findings.empty());
    EXPECT_NE(findings[0].find("not a DER certificate body"), std::string::npos) << findings[0];
  }
  // A long-form length where the short form fits is not DER.
  EXPECT_FALSE(
      LintTerminalTbs(std::string("\x30\x81\x05\x02\x01\x01\x05\x00", 8), facts, program).empty());
  // Another issuer's name, or another issuer's key type in the signature field.
  IssuerFacts other = facts;
  other.subject_der[other.subject_der.size() - 1] ^= 1;
  EXPECT_NE(CheckTerminalTbs(tbs, other, program).message().find("issuer name"), std::string::npos);
  other = facts;
  other.ec_key = !facts.ec_key;
  EXPECT_NE(CheckTerminalTbs(tbs, other, program).message().find("signature algorithm"),
            std::string::npos);
}

// Random mutations of good TBSs: the linter never crashes, and a TBS it finds nothing
// wrong with is one OpenSSL parses as a certificate and encodes back to the same bytes.
TEST_F(LinterTest, MutatedTbsIsRefusedOrIsTheDerOpenSslReads) {
  IssuerUrls urls{"http://a/crl", "http://a/ocsp", "http://a/ca"};
  IssuerFacts facts = IssuerFacts::Of(h.issuing.get()).value();
  std::string sig_alg = h.issuing_signer->SignatureAlgorithmDer().value();
  const std::string seeds[] = {
      EncodeTerminalTbs(GoodSpec(KeyAlgorithm::kEcP256), facts, sig_alg, urls).value(),
      EncodeTerminalTbs(GoodSpec(KeyAlgorithm::kRsa2048), facts, sig_alg, urls).value()};
  crypto::testing::Mutator mutator;
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string tbs = mutator.Mutate(seeds[i % 2], 2);
    if (!LintTerminalTbs(tbs, facts, program, {}).empty()) continue;
    ++accepted;
    std::string der = AssembleCertificate(tbs, sig_alg, std::string(64, '\x01'));
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    crypto::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_TRUE(cert) << "accepted a TBS OpenSSL does not parse, mutation " << i;
    EXPECT_EQ(TbsDer(cert.get()).value(), tbs) << "accepted a TBS that is not DER, mutation " << i;
  }
  // Some mutations keep the TBS valid (a byte of the serial, the key or a URL changed).
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace claimsca::ca
