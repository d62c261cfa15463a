#include "ca/issuer.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <functional>
#include <vector>

#include "ca/crl_shard.h"
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
  EXPECT_EQ(FormatJst(issued->not_after), "2024-12-10T23:59:59+09:00");
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

// CRL shards: the certificate names its shard's CRL, which the linter accepts; its revocation
// lists it in that shard only and bumps that shard's counter (migration 096's trigger).
TEST_F(IssuerTest, ShardedCertificateNamesItsShardAndIsListedThere) {
  IssuerOptions options = issuer_->options();
  options.crl_shards = 8;
  Issuer sharded(options, hierarchy_.issuing.get(), *hierarchy_.issuing_signer, *store_, programs_,
                 clock_);
  auto key = crypto::GenerateKey(KeyAlgorithm::kRsa2048);
  auto issued = sharded.IssueFromCsr({"common", "1310000001", "受付PC1"}, MakeCsr(key->get()));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  const int shard = CrlShardOf(issued->serial, 8).value();
  auto cert = crypto::CertFromDer(issued->cert_der);
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(
      LintTerminalCert(cert->get(), hierarchy_.issuing.get(), *programs_.Find("common").value())
          .empty());
  std::unique_ptr<CRL_DIST_POINTS, crypto::Deleter<CRL_DIST_POINTS_free>> dps(
      static_cast<CRL_DIST_POINTS*>(
          X509_get_ext_d2i(cert->get(), NID_crl_distribution_points, nullptr, nullptr)));
  ASSERT_NE(dps, nullptr);
  ASSERT_EQ(sk_DIST_POINT_num(dps.get()), 1);
  const GENERAL_NAME* gn =
      sk_GENERAL_NAME_value(sk_DIST_POINT_value(dps.get(), 0)->distpoint->name.fullname, 0);
  const ASN1_IA5STRING* uri = gn->d.uniformResourceIdentifier;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                        ASN1_STRING_length(uri)),
            "http://127.0.0.1/crl/issuing-1/" + std::to_string(shard) + ".crl");

  // An unsharded certificate of the same issuer: on the full CRL only.
  auto plain = issuer_->IssueFromCsr({"common", "1310000001", "受付PC2"}, MakeCsr(key->get()));
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  for (const auto& serial : {issued->serial, plain->serial}) {
    ASSERT_TRUE(store_->Revoke(serial, clock_.Now(), 1, std::nullopt).ok());
  }
  for (int s = 0; s < 8; ++s) {
    std::vector<std::string> listed;
    ASSERT_TRUE(store_
                    ->ForEachRevokedInShard(
                        "issuing-1", s, Instant{},
                        [&](const store::RevokedEntry& e) { listed.push_back(e.serial); })
                    .ok());
    EXPECT_EQ(listed,
              s == shard ? std::vector<std::string>{issued->serial} : std::vector<std::string>{})
        << "shard " << s;
  }
  auto states = store_->GetShardCrlStates("issuing-1");
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].issuer_id, store::CrlShardScope("issuing-1", shard));
  EXPECT_EQ((*states)[0].revocation_counter, 1);
  EXPECT_EQ(store_->GetCrlState("issuing-1")->revocation_counter, 2);  // both, as before
  EXPECT_TRUE(store_->GetShardCrlStates("issuing-").value().empty());  // the prefix is exact
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
  auto issued = issuer_->IssueForKey({"kokuhoren", "1370123455", "介護PC"}, key->get());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(FormatJst(issued->not_after), "2024-09-10T23:59:59+09:00");
}

// The OU values of a certificate's subject, in order.
std::vector<std::string> SubjectOus(const std::string& der) {
  auto cert = crypto::CertFromDer(der);
  std::vector<std::string> out;
  X509_NAME* name = X509_get_subject_name(cert->get());
  for (int i = -1; (i = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, i)) >= 0;) {
    ASN1_STRING* v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(v)),
                     static_cast<size_t>(ASN1_STRING_length(v)));
  }
  return out;
}

TEST_F(IssuerTest, KokuhorenSubjectCarriesTheCodeAndTheUsageCategory) {
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  // An office's certificate: the default category 介護保険証明書.
  auto office = issuer_->IssueForKey({"kokuhoren", "1370123455", "介護PC"}, key->get());
  ASSERT_TRUE(office.ok()) << office.status().ToString();
  EXPECT_EQ(SubjectOus(office->cert_der),
            (std::vector<std::string>{"1370123455", "介護保険証明書"}));
  // An agent's certificate: its KJ user ID and the category it chose.
  IssueRequest agent{"kokuhoren", "KJ00001234", "代理人PC"};
  agent.usage_category = "介護・障害共通証明書";
  auto issued = issuer_->IssueForKey(agent, key->get());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(SubjectOus(issued->cert_der),
            (std::vector<std::string>{"KJ00001234", "介護・障害共通証明書"}));
  EXPECT_TRUE(Verifies(issued->cert_der));
  auto cert = crypto::CertFromDer(issued->cert_der);
  const ProgramProfile& kj = *programs_.Find("kokuhoren").value();
  EXPECT_TRUE(LintTerminalCert(cert->get(), hierarchy_.issuing.get(), kj).empty());
  // The same certificate breaks the common profile (two OUs, a user ID).
  EXPECT_FALSE(
      LintTerminalCert(cert->get(), hierarchy_.issuing.get(), *programs_.Find("common").value())
          .empty());
  // The common profile's certificate breaks the 国保連 one (no category).
  auto common = issuer_->IssueForKey({"common", "1310000001", "受付PC"}, key->get());
  ASSERT_TRUE(common.ok());
  EXPECT_EQ(SubjectOus(common->cert_der), (std::vector<std::string>{"1310000001"}));
  auto common_cert = crypto::CertFromDer(common->cert_der);
  EXPECT_FALSE(LintTerminalCert(common_cert->get(), hierarchy_.issuing.get(), kj).empty());
}

TEST_F(IssuerTest, UsageCategoriesAndCodesFollowTheProgram) {
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  IssueRequest r{"kokuhoren", "1370123455", "介護PC"};
  r.usage_category = "障害証明書";
  EXPECT_EQ(issuer_->IssueForKey(r, key->get()).status().code(), Code::kInvalidArgument);
  IssueRequest c{"common", "1310000001", "受付PC"};
  c.usage_category = "介護保険証明書";  // the common CA has no categories
  EXPECT_EQ(issuer_->IssueForKey(c, key->get()).status().code(), Code::kInvalidArgument);
  // A KJ user ID is no institution code; an insurer number is no care office number.
  EXPECT_EQ(issuer_->IssueForKey({"common", "KJ00001234", "受付PC"}, key->get()).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(issuer_->IssueForKey({"kokuhoren", "33120015", "介護PC"}, key->get()).status().code(),
            Code::kInvalidArgument);
}

TEST_F(IssuerTest, AnIssuerSignsOnlyItsPrograms) {
  IssuerOptions options = issuer_->options();
  options.issuer_id = "issuing-kj-1";
  options.programs = {"kokuhoren"};
  Issuer kj(options, hierarchy_.issuing.get(), *hierarchy_.issuing_signer, *store_, programs_,
            clock_);
  auto key = crypto::GenerateKey(KeyAlgorithm::kEcP256);
  EXPECT_EQ(kj.IssueForKey({"common", "1310000001", "受付PC"}, key->get()).status().code(),
            Code::kFailedPrecondition);
  auto issued = kj.IssueForKey({"kokuhoren", "1370123455", "介護PC"}, key->get());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(store_->GetCertificate(issued->serial)->issuer_id, "issuing-kj-1");
}

TEST(ProgramProfileTest, RequireProgramIsTheCrossProgramGuard) {
  EXPECT_TRUE(RequireProgram("common", kCommonProgram).ok());
  EXPECT_TRUE(RequireProgram("kokuhoren", "kokuhoren").ok());
  const Status s = RequireProgram("kokuhoren", kCommonProgram);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("wrong_program"), std::string::npos);
  EXPECT_EQ(RequireProgram("common", "kokuhoren").code(), Code::kFailedPrecondition);
}

TEST(ProgramProfileTest, OwnIssuerIdIsChecked) {
  ProgramProfile p = KokuhorenProgramDefaults();
  EXPECT_TRUE(p.Validate().ok());
  p.issuer_id = "../x";
  EXPECT_FALSE(p.Validate().ok());
  p.issuer_id = "ocsp";
  EXPECT_FALSE(p.Validate().ok());
  p.issuer_id = "issuing-kj-2";
  p.issuing_name.clear();
  EXPECT_FALSE(p.Validate().ok());
  // The configuration's base for a known id keeps the profile, never the issuer.
  EXPECT_TRUE(ProgramBase("kokuhoren").issuer_id.empty());
  EXPECT_EQ(ProgramBase("kokuhoren").usage_categories.size(), 2u);
  EXPECT_TRUE(ProgramBase("other").usage_categories.empty());
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
      {{"kokuhoren", "1370123455", "PC4"}, ec_csr},
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
    EXPECT_EQ(FormatJst(got[0]->not_after), "2024-12-10T23:59:59+09:00");  // common
    EXPECT_EQ(FormatJst(got[3]->not_after), "2024-09-10T23:59:59+09:00");  // kokuhoren
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

}  // namespace
}  // namespace claimsca::ca
