#include "ca/issuer.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <functional>

#include "ca/testing.h"
#include "common/time_util.h"
#include "crypto/random.h"

namespace claimsca::ca {
namespace {

using crypto::KeyAlgorithm;

class IssuerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("claimsca-issuer-" + crypto::RandomDigits(12).value());
    std::filesystem::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "t.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->Migrate().ok());
    hierarchy_ = testing::MakeTestHierarchy(clock_.Now(), KeyAlgorithm::kRsa2048);
    IssuerOptions options;
    options.organization = "claimsca test";
    options.urls = {"http://127.0.0.1/crl/issuing-1.crl", "http://127.0.0.1/ocsp",
                    "http://127.0.0.1/ca/issuing-1.der"};
    issuer_ = std::make_unique<Issuer>(options, hierarchy_.issuing.get(),
                                       *hierarchy_.issuing_signer, *store_, programs_, clock_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string MakeCsr(EVP_PKEY* key, bool corrupt = false) {
    std::string out = testing::MakeCsrDer(key);
    if (corrupt) out[out.size() - 5] ^= 0x01;  // inside the signature
    return out;
  }

  // The certificate issued for `terminal` verifies and is stored as issued.
  void ExpectIssuedAndStored(const Result<IssuedCertificate>& issued, const std::string& terminal) {
    ASSERT_TRUE(issued.ok()) << issued.status().ToString();
    EXPECT_TRUE(Verifies(issued->cert_der));
    auto record = store_->GetCertificate(issued->serial);
    ASSERT_TRUE(record.ok());
    EXPECT_EQ(record->state, store::CertState::kIssued);
    EXPECT_EQ(record->cert_der, issued->cert_der);
    EXPECT_EQ(record->terminal_name, terminal);
  }

  bool Verifies(const std::string& der) {
    auto cert = crypto::CertFromDer(der);
    if (!cert.ok()) return false;
    X509_STORE* st = X509_STORE_new();
    X509_STORE_add_cert(st, hierarchy_.root.get());
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    sk_X509_push(untrusted, hierarchy_.issuing.get());
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, st, cert->get(), untrusted);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx),
                               clock_.Now().time_since_epoch().count() + 60);
    bool ok = X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(st);
    return ok;
  }

  FixedClock clock_{*ParseInstant("2021-09-10T10:00:00+09:00")};
  ProgramRegistry programs_{{CommonProgramDefaults(), KokuhorenProgramDefaults()}};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  testing::TestHierarchy hierarchy_;
  std::unique_ptr<Issuer> issuer_;
};

TEST_F(IssuerTest, IssuesFromCsrWithTheProfile) {
  auto key = crypto::GenerateKey(KeyAlgorithm::kRsa2048);
  auto issued = issuer_->IssueFromCsr({"common", "1310000001", "受付PC1"}, MakeCsr(key->get()));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_TRUE(Verifies(issued->cert_der));
  // 000 図表11: issued 2021/09/10 → valid until 2024/12/10.
  EXPECT_EQ(FormatJst(issued->not_after), "2024-12-10T10:00:00+09:00");
  EXPECT_GE(issued->serial.size(), 18u);

  auto cert = crypto::CertFromDer(issued->cert_der);
  EXPECT_TRUE(
      LintTerminalCert(cert->get(), hierarchy_.issuing.get(), *programs_.Find("common").value())
          .empty());
  EXPECT_EQ(X509_get_key_usage(cert->get()), uint32_t{KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT});

  auto record = store_->GetCertificate(issued->serial);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->state, store::CertState::kIssued);
  EXPECT_EQ(record->cert_der, issued->cert_der);
  EXPECT_EQ(record->terminal_name, "受付PC1");
  EXPECT_EQ(record->institution_code, "1310000001");
  EXPECT_EQ(TbsDer(cert->get()).value(), record->tbs_der);  // the intent is what was signed
}

TEST_F(IssuerTest, EcKeysGetDigitalSignatureOnly) {
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  auto issued = issuer_->IssueForKey({"common", "33120015", "端末A"}, key->get());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  auto cert = crypto::CertFromDer(issued->cert_der);
  EXPECT_EQ(X509_get_key_usage(cert->get()), uint32_t{KU_DIGITAL_SIGNATURE});
  EXPECT_TRUE(Verifies(issued->cert_der));
}

TEST(ProgramProfileTest, DownloadDeadlineIsTheEndOfTheJstDay180DaysLater) {
  // 000 図表11: issued 2021/09/10, ダウンロード有効期限 2022/03/09 — the whole day.
  const ProgramProfile common = CommonProgramDefaults();
  for (const char* issued :
       {"2021-09-10T00:00:00+09:00", "2021-09-10T08:00:00+09:00", "2021-09-10T23:59:59+09:00"}) {
    EXPECT_EQ(FormatJst(common.DownloadDeadline(*ParseInstant(issued))),
              "2022-03-09T23:59:59+09:00")
        << issued;
  }
}

TEST(ProgramProfileTest, RenewalOpensInTheNoticesWords) {
  EXPECT_EQ(CommonProgramDefaults().RenewalOpensJa(), "有効期限の90日前");
  EXPECT_EQ(KokuhorenProgramDefaults().RenewalOpensJa(), "有効期限の3か月前");
}

TEST_F(IssuerTest, KokuhorenProgramIsThreeYears) {
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  auto issued = issuer_->IssueForKey({"kokuhoren", "1310000001", "介護PC"}, key->get());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(FormatJst(issued->not_after), "2024-09-10T10:00:00+09:00");
}

TEST_F(IssuerTest, BadInputIsRefusedAndNothingStored) {
  auto key = crypto::GenerateKey(KeyAlgorithm::kRsa2048);
  std::string good = MakeCsr(key->get());
  struct Case {
    IssueRequest req;
    std::string csr;
    Code code;
  } cases[] = {
      {{"common", "1310000001", "PC"}, MakeCsr(key->get(), true), Code::kBadCsr},
      {{"common", "1310000001", "PC"}, "garbage", Code::kBadCsr},
      {{"common", "131000000", "PC"}, good, Code::kInvalidArgument},
      {{"common", "13100000a1", "PC"}, good, Code::kInvalidArgument},
      {{"common", "1310000001", ""}, good, Code::kInvalidArgument},
      {{"common", "1310000001", "PC\x01"}, good, Code::kInvalidArgument},
      {{"common", "1310000001", "\xff\xfe"}, good, Code::kInvalidArgument},
      {{"nope", "1310000001", "PC"}, good, Code::kNotFound},
  };
  for (const Case& c : cases) {
    auto issued = issuer_->IssueFromCsr(c.req, c.csr);
    ASSERT_FALSE(issued.ok());
    EXPECT_EQ(issued.status().code(), c.code) << issued.status().ToString();
  }
  int revoked = 0;
  ASSERT_TRUE(store_->ForEachRevoked("issuing-1", Instant{}, [&](auto&) { ++revoked; }).ok());
  EXPECT_EQ(revoked, 0);
}

TEST_F(IssuerTest, DisallowedKeyAlgorithmNeverSigned) {
  ProgramProfile strict = CommonProgramDefaults();
  strict.id = "strict";
  strict.allowed_key_algorithms = {"rsa2048"};
  ProgramRegistry programs({strict});
  IssuerOptions options;
  options.organization = "claimsca test";
  options.urls = {"http://a/crl", "http://a/ocsp", "http://a/ca"};
  Issuer issuer(options, hierarchy_.issuing.get(), *hierarchy_.issuing_signer, *store_, programs,
                clock_);
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  auto issued = issuer.IssueForKey({"strict", "1310000001", "PC"}, key->get());
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), Code::kBadCsr);
}

// A batch: each item is checked and issued as on its own; one bad item fails alone.
TEST_F(IssuerTest, BatchIssuesEachItemOnItsOwn) {
  std::vector<std::string> events;
  IssuerOptions options;
  options.organization = "claimsca test";
  options.urls = {"http://a/crl", "http://a/ocsp", "http://a/ca"};
  options.audit = [&events](std::string_view event, const auto& fields) {
    events.push_back(std::string(event) + " " + fields.front().second);
  };
  Issuer issuer(options, hierarchy_.issuing.get(), *hierarchy_.issuing_signer, *store_, programs_,
                clock_);
  auto rsa = crypto::GenerateKey(KeyAlgorithm::kRsa2048);
  auto ec = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  const std::string rsa_csr = MakeCsr(rsa->get()), ec_csr = MakeCsr(ec->get());
  const std::vector<Issuer::CsrItem> items = {
      {{"common", "1310000001", "PC1"}, rsa_csr},
      {{"common", "1310000001", "PC2"}, "garbage"},
      {{"common", "131000000", "PC3"}, ec_csr},
      {{"kokuhoren", "1310000001", "PC4"}, ec_csr},
      {{"nope", "1310000001", "PC5"}, ec_csr},
      {{"common", "1310000001", "PC6"}, MakeCsr(ec->get(), true)},
  };
  for (bool defer_sync : {false, true}) {
    events.clear();
    std::vector<Result<IssuedCertificate>> got = issuer.IssueFromCsrs(items, defer_sync);
    if (defer_sync) {
      ASSERT_TRUE(issuer.Flush().ok());
    }
    ASSERT_EQ(got.size(), items.size());
    EXPECT_EQ(got[1].status().code(), Code::kBadCsr);
    EXPECT_EQ(got[2].status().code(), Code::kInvalidArgument);
    EXPECT_EQ(got[4].status().code(), Code::kNotFound);
    EXPECT_EQ(got[5].status().code(), Code::kBadCsr);
    for (size_t i : {0u, 3u}) ExpectIssuedAndStored(got[i], items[i].request.terminal_name);
    if (HasFatalFailure()) return;
    EXPECT_NE(got[0]->serial, got[3]->serial);
    EXPECT_EQ(FormatJst(got[0]->not_after), "2024-12-10T10:00:00+09:00");  // common
    EXPECT_EQ(FormatJst(got[3]->not_after), "2024-09-10T10:00:00+09:00");  // kokuhoren
    // Every intent is recorded before anything is signed; each certificate is audited.
    EXPECT_EQ(events,
              (std::vector<std::string>{
                  "signing_intent " + got[0]->serial, "signing_intent " + got[3]->serial,
                  "certificate_issued " + got[0]->serial, "certificate_issued " + got[3]->serial}));
  }
  EXPECT_TRUE(issuer.IssueFromCsrs({}).empty());
}

// The pipeline: each Add stores the previous batch (with the new batch's intents) and
// hands its results over before signing the new one; Finish stores the last.
TEST_F(IssuerTest, PipelineStoresEachBatchWithTheNextOnesIntents) {
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  const std::string csr = MakeCsr(key->get());
  const std::vector<Issuer::CsrItem> first = {{{"common", "1310000001", "PC1"}, csr},
                                              {{"common", "13100", "PC2"}, csr}};
  const std::vector<Issuer::CsrItem> second = {{{"common", "1310000001", "PC3"}, csr},
                                               {{"common", "1310000001", "PC4"}, "garbage"},
                                               {{"common", "1310000001", "PC5"}, csr}};
  Issuer::Pipeline pipeline(*issuer_);
  EXPECT_FALSE(pipeline.holding());
  EXPECT_TRUE(pipeline.Finish().empty());
  std::vector<std::vector<Result<IssuedCertificate>>> handed;
  auto collect = [&handed](std::vector<Result<IssuedCertificate>> r) {
    handed.push_back(std::move(r));
  };
  pipeline.Add(first, collect);
  EXPECT_TRUE(handed.empty());  // signed, not stored yet
  EXPECT_TRUE(pipeline.holding());
  pipeline.Add(second, collect);
  ASSERT_EQ(handed.size(), 1u);
  ASSERT_EQ(handed[0].size(), 2u);
  ASSERT_TRUE(handed[0][0].ok()) << handed[0][0].status().ToString();
  EXPECT_EQ(handed[0][1].status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_->GetCertificate(handed[0][0]->serial)->state, store::CertState::kIssued);
  std::vector<Result<IssuedCertificate>> last = pipeline.Finish();
  EXPECT_FALSE(pipeline.holding());
  ASSERT_TRUE(issuer_->Flush().ok());
  ASSERT_EQ(last.size(), 3u);
  EXPECT_EQ(last[1].status().code(), Code::kBadCsr);
  for (size_t i : {0u, 2u}) ExpectIssuedAndStored(last[i], second[i].request.terminal_name);
}

// A test hierarchy made at a fixed instant, the common program, and a spec that passes
// the profile for a key of the given algorithm.
class LinterTest : public ::testing::Test {
 protected:
  TerminalCertSpec GoodSpec(KeyAlgorithm algorithm) {
    key_ = std::move(crypto::GenerateKey(algorithm).value());
    return TerminalCertSpec{"7f" + std::string(30, '1'),
                            "1310000001",
                            "123456789012",
                            "org",
                            key_.get(),
                            nullptr,
                            clock.Now(),
                            program.NotAfter(clock.Now())};
  }

  FixedClock clock{*ParseInstant("2025-01-31T12:00:00")};
  testing::TestHierarchy h = testing::MakeTestHierarchy(clock.Now());
  ProgramProfile program = CommonProgramDefaults();

 private:
  crypto::EvpPkeyPtr key_;
};

TEST_F(LinterTest, ReportsEveryBrokenRule) {
  TerminalCertSpec spec = GoodSpec(KeyAlgorithm::kEcP256);
  // 2025-01-31 + 39 months = 2028-04-30 (April has no 31st).
  EXPECT_EQ(FormatJst(spec.not_after), "2028-04-30T12:00:00+09:00");
  IssuerUrls urls{"http://a/crl", "http://a/ocsp", "http://a/ca"};
  auto good = BuildTerminalTbs(spec, h.issuing.get(), h.issuing_signer->key(), urls);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(CheckTerminalCert(good->get(), h.issuing.get(), program).ok())
      << CheckTerminalCert(good->get(), h.issuing.get(), program).ToString();

  TerminalCertSpec bad = spec;
  bad.serial = "01";                                      // too short
  bad.subject_code = "12345";                             // not 8/10 digits
  bad.common_name = "abc";                                // not numeric
  bad.not_after = spec.not_after + std::chrono::days(1);  // not the program's validity
  auto cert = BuildTerminalTbs(bad, h.issuing.get(), h.issuing_signer->key(), {});
  ASSERT_TRUE(cert.ok());
  auto findings = LintTerminalCert(cert->get(), h.issuing.get(), program);
  std::string all;
  for (auto& f : findings) all += f + "\n";
  for (const char* want :
       {"serial", "OU", "CN", "notAfter", "cRLDistributionPoints", "OCSP", "caIssuers"}) {
    EXPECT_NE(all.find(want), std::string::npos) << want << " missing from:\n" << all;
  }
  auto st = CheckTerminalCert(cert->get(), h.issuing.get(), program);
  EXPECT_EQ(st.code(), Code::kLintFailed);

  TerminalCertSpec outside = spec;
  outside.not_before = clock.Now() - std::chrono::days(1);  // before the issuer's validity
  outside.not_after = program.NotAfter(outside.not_before);
  auto early = BuildTerminalTbs(outside, h.issuing.get(), h.issuing_signer->key(), urls);
  auto f2 = LintTerminalCert(early->get(), h.issuing.get(), program);
  ASSERT_EQ(f2.size(), 1u);
  EXPECT_NE(f2[0].find("issuer's validity"), std::string::npos);
}

// Each extension rule of the profile, broken one at a time on an otherwise good TBS.
TEST_F(LinterTest, ReportsEachBrokenExtension) {
  const TerminalCertSpec spec = GoodSpec(KeyAlgorithm::kRsa2048);
  IssuerUrls urls{"http://a/crl", "http://a/ocsp", "http://a/ca"};
  auto build = [&] {
    auto tbs = BuildTerminalTbs(spec, h.issuing.get(), h.issuing_signer->key(), urls);
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

}  // namespace
}  // namespace claimsca::ca
