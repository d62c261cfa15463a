#include "cmd/ca_files.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cmd/app.h"
#include "common/time_util.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace claimsca::cmd {
namespace {

// A configuration for a new data directory under the temporary directory (P-256 keys: fast).
Config FreshConfig() {
  Config c;
  c.data_dir = (std::filesystem::temp_directory_path() /
                ("claimsca-init-" + crypto::RandomDigits(12).value()))
                   .string();
  c.key_algorithm = "ecp256";
  c.programs = {ca::CommonProgramDefaults()};
  return c;
}

TEST(WriteFileAtomic, ReplacesWithTheModeGivenAndLeavesNoTemporaryFile) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("claimsca-write-" + crypto::RandomDigits(12).value());
  const std::string path = (dir / "sub" / "f.pem").string();  // parent created
  ASSERT_TRUE(WriteFileAtomic(path, "first", 0600).ok());
  ASSERT_TRUE(WriteFileAtomic(path, "second", 0600).ok());
  EXPECT_EQ(ReadFile(path).value(), "second");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  // A path under a regular file cannot be created: an error, the old file untouched.
  const std::string bad = path + "/x";
  EXPECT_FALSE(WriteFileAtomic(bad, "data").ok());
  EXPECT_FALSE(fs::exists(bad + ".tmp"));
  EXPECT_EQ(ReadFile(path).value(), "second");
  fs::remove_all(dir);
}

TEST(DataDir, InitLoadsAndRenewsTheOcspCertificateWhenDue) {
  Config c = FreshConfig();
  FixedClock clock(*ParseInstant("2026-11-22T10:00:00"));
  std::string token;
  ASSERT_TRUE(InitDataDir(c, {}, clock, &token).ok());
  EXPECT_EQ(token.size(), 32u);
  EXPECT_EQ(InitDataDir(c, {}, clock, &token).code(), Code::kConflict);  // never overwritten
  EXPECT_EQ(
      std::filesystem::status(c.Path("secrets")).permissions() & std::filesystem::perms::others_all,
      std::filesystem::perms::none);

  auto loaded = LoadConfig(c.data_dir, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto ca = LoadCa(*loaded);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  std::string before = crypto::CertToDer(ca->ocsp.get()).value();

  EXPECT_FALSE(RenewOcspCertIfDue(*loaded, *ca, clock.Now()).value());
  clock.Advance(std::chrono::days(380));  // 20 days left of 400
  ASSERT_TRUE(RenewOcspCertIfDue(*loaded, *ca, clock.Now()).value());
  std::string after = crypto::CertToDer(ca->ocsp.get()).value();
  EXPECT_NE(before, after);
  EXPECT_EQ(X509_check_private_key(ca->ocsp.get(), ca->ocsp_signer->key()), 1);
  EXPECT_EQ(X509_check_issued(ca->issuing.get(), ca->ocsp.get()), X509_V_OK);
  auto reloaded = LoadCa(*loaded);  // saved to ca/ocsp.pem
  EXPECT_EQ(crypto::CertToDer(reloaded->ocsp.get()).value(), after);
  // That renewal was a rehearsal (--at 380 days ahead): at the real time its certificate is
  // not valid yet, so the next start renews it again, valid from now (issue 23 item 10).
  const Instant real_now = clock.Now() - std::chrono::days(380);
  ASSERT_TRUE(RenewOcspCertIfDue(*loaded, *ca, real_now).value());
  EXPECT_FALSE(RenewOcspCertIfDue(*loaded, *ca, real_now).value());
  EXPECT_LE(X509_cmp_time(X509_get0_notBefore(ca->ocsp.get()), nullptr), 0);
  std::filesystem::remove_all(c.data_dir);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The CA key files' PBKDF2 count: 2,048 under the random password init generates, 600,000
// under a password the operator put in place; written to claimsca.toml either way.
TEST(DataDir, KeyKdfIterationsFollowWhoMadeThePassword) {
  for (bool operator_password : {false, true}) {
    Config c = FreshConfig();
    if (operator_password) {
      std::filesystem::create_directories(c.Path("secrets"));
      std::ofstream(c.Path(c.key_password_file)) << "correct horse battery staple\n";
    }
    FixedClock clock(*ParseInstant("2026-11-22T10:00:00"));
    std::string token;
    ASSERT_TRUE(InitDataDir(c, {}, clock, &token).ok());
    const int want =
        operator_password ? crypto::kKeyPbkdf2Iterations : crypto::kRandomSecretPbkdf2Iterations;
    for (const char* name : {"root", "issuing-1", "ocsp", "cmp"}) {
      auto iter = crypto::EncryptedKeyPbkdf2Iterations(
          ReadFile(c.Path(std::string("keys/") + name + ".key.pem")));
      ASSERT_TRUE(iter.ok()) << name << ": " << iter.status().ToString();
      EXPECT_EQ(*iter, want) << name;
    }
    auto loaded = LoadConfig(c.data_dir, {});
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(loaded->key_kdf_iterations, want);
    EXPECT_TRUE(LoadCa(*loaded).ok());  // the keys open with the password
    EXPECT_EQ(LoadConfig(c.data_dir, {"ca.key_kdf_iterations=999"}).status().code(),
              Code::kInvalidArgument);
    std::filesystem::remove_all(c.data_dir);
  }
}

TEST(DataDir, CmpSignerFromInitCreatedForAnOldDataDirAndRenewed) {
  Config c = FreshConfig();
  c.cmp_name = "claimsca Demo CMP Signer 1";
  FixedClock clock(*ParseInstant("2026-11-22T10:00:00"));
  std::string token;
  ASSERT_TRUE(InitDataDir(c, {}, clock, &token).ok());
  auto loaded = LoadConfig(c.data_dir, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->cmp_name, "claimsca Demo CMP Signer 1");

  // init made it: loaded only when asked for, nothing to do at start.
  EXPECT_EQ(LoadCa(*loaded)->cmp, nullptr);
  auto ca = LoadCa(*loaded, {.cmp_signer = true});
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  ASSERT_NE(ca->cmp, nullptr);
  EXPECT_EQ(X509_check_private_key(ca->cmp.get(), ca->cmp_signer->key()), 1);
  EXPECT_EQ(X509_check_issued(ca->issuing.get(), ca->cmp.get()), X509_V_OK);
  EXPECT_EQ(X509_get_key_usage(ca->cmp.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_FALSE(EnsureCmpSigner(*loaded, *ca, clock.Now()).value());

  // A data directory from before the CMP signer: no files, no ca.cmp_name.
  std::filesystem::remove(c.Path("ca/cmp.pem"));
  std::filesystem::remove(c.Path("keys/cmp.key.pem"));
  loaded->cmp_name.clear();
  ca = LoadCa(*loaded, {.cmp_signer = true});
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  EXPECT_EQ(ca->cmp, nullptr);
  ASSERT_TRUE(EnsureCmpSigner(*loaded, *ca, clock.Now()).value());
  ASSERT_NE(ca->cmp, nullptr);
  EXPECT_EQ(X509_check_private_key(ca->cmp.get(), ca->cmp_signer->key()), 1);
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(ca->cmp.get()), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "claimsca Demo CMP Signer 1");  // derived from ca.ocsp_name
  auto reloaded = LoadCa(*loaded, {.cmp_signer = true});
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  ASSERT_NE(reloaded->cmp, nullptr);
  EXPECT_EQ(crypto::CertToDer(reloaded->cmp.get()).value(),
            crypto::CertToDer(ca->cmp.get()).value());

  // Renewed for the same key when fewer than 30 days remain.
  clock.Advance(std::chrono::days(380));
  const std::string before = crypto::CertToDer(ca->cmp.get()).value();
  ASSERT_TRUE(EnsureCmpSigner(*loaded, *ca, clock.Now()).value());
  EXPECT_NE(crypto::CertToDer(ca->cmp.get()).value(), before);
  EXPECT_EQ(X509_check_private_key(ca->cmp.get(), ca->cmp_signer->key()), 1);
  std::filesystem::remove_all(c.data_dir);
}

// The certificate `der` chains to the root through `issuing` (and through it only).
bool ChainsThrough(const std::string& der, X509* issuing, X509* root, Instant at) {
  auto cert = crypto::CertFromDer(der);
  if (!cert.ok()) return false;
  X509_STORE* st = X509_STORE_new();
  X509_STORE_add_cert(st, root);
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  sk_X509_push(untrusted, issuing);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, st, cert->get(), untrusted);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at.time_since_epoch().count() + 60);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  sk_X509_free(untrusted);
  X509_STORE_free(st);
  return ok;
}

TEST(DataDir, EachProgramGetsItsIssuingCaAndOldDataDirsKeepOne) {
  Config c = FreshConfig();
  c.programs = {ca::CommonProgramDefaults(), ca::KokuhorenProgramDefaults()};
  FixedClock clock(*ParseInstant("2026-11-22T10:00:00"));
  std::string token;
  ASSERT_TRUE(InitDataDir(c, {}, clock, &token).ok());
  auto loaded = LoadConfig(c.data_dir, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->programs.size(), 2u);
  EXPECT_EQ(loaded->programs[1].issuer_id, "issuing-kj-1");  // written to claimsca.toml
  EXPECT_EQ(loaded->programs[1].issuing_name, "claimsca Demo Kokuhoren Issuing CA 1");
  EXPECT_TRUE(loaded->programs[0].issuer_id.empty());

  auto app = OpenApp(*loaded, std::make_unique<FixedClock>(clock.Now()));
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  App& a = **app;
  ASSERT_EQ(a.ca.program_issuing.size(), 1u);
  const ProgramIssuingCa& kj = a.ca.program_issuing[0];
  EXPECT_EQ(X509_check_issued(a.ca.root.get(), kj.cert.get()), X509_V_OK);
  EXPECT_EQ(X509_check_issued(kj.cert.get(), kj.ocsp.get()), X509_V_OK);
  EXPECT_EQ(X509_check_private_key(kj.ocsp.get(), kj.ocsp_signer->key()), 1);
  EXPECT_EQ(a.ChainFor("kokuhoren").front(), kj.cert.get());
  EXPECT_EQ(a.ChainFor("common").front(), a.ca.issuing.get());

  auto key = crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256);
  auto kj_issuer = a.IssuerFor("kokuhoren");
  ASSERT_TRUE(kj_issuer.ok()) << kj_issuer.status().ToString();
  auto issued = (*kj_issuer)->IssueForKey({"kokuhoren", "1370123455", "介護PC"}, key->get());
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(a.store->GetCertificate(issued->serial)->issuer_id, "issuing-kj-1");
  EXPECT_TRUE(ChainsThrough(issued->cert_der, kj.cert.get(), a.ca.root.get(), clock.Now()));
  EXPECT_FALSE(ChainsThrough(issued->cert_der, a.ca.issuing.get(), a.ca.root.get(), clock.Now()));
  // The common issuer signs no 国保連 certificate, and the reverse.
  EXPECT_EQ(a.issuer->IssueForKey({"kokuhoren", "1370123455", "PC"}, key->get()).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ((*kj_issuer)->IssueForKey({"common", "1310000001", "PC"}, key->get()).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(a.IssuerFor("common").value(), a.issuer.get());
  EXPECT_EQ(a.IssuerFor("nosuch").status().code(), Code::kNotFound);
  // Its CRL distribution point and caIssuers name the program's issuing CA.
  auto cert = crypto::CertFromDer(issued->cert_der);
  auto* dps = static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert->get(), NID_crl_distribution_points, nullptr, nullptr));
  ASSERT_NE(dps, nullptr);
  GENERAL_NAME* uri =
      sk_GENERAL_NAME_value(sk_DIST_POINT_value(dps, 0)->distpoint->name.fullname, 0);
  // (its shard's CRL: /crl/issuing-kj-1/<shard>.crl, docs/revocation.md "Sharded CRLs")
  const std::string dp(
      reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri->d.uniformResourceIdentifier)));
  EXPECT_EQ(dp.rfind(loaded->public_url + "/crl/issuing-kj-1/", 0), 0u) << dp;
  EXPECT_EQ(dp.substr(dp.size() - 4), ".crl") << dp;
  CRL_DIST_POINTS_free(dps);

  // A data directory made before: no issuer_id in [programs.kokuhoren], one issuing CA.
  Config old = *loaded;
  old.programs[1].issuer_id.clear();
  old.programs[1].issuing_name.clear();
  auto old_app = OpenApp(old, std::make_unique<FixedClock>(clock.Now()));
  ASSERT_TRUE(old_app.ok()) << old_app.status().ToString();
  EXPECT_TRUE((*old_app)->ca.program_issuing.empty());
  EXPECT_EQ((*old_app)->IssuerFor("kokuhoren").value(), (*old_app)->issuer.get());
  auto old_cert =
      (*old_app)->issuer->IssueForKey({"kokuhoren", "1370123455", "介護PC"}, key->get());
  ASSERT_TRUE(old_cert.ok()) << old_cert.status().ToString();
  EXPECT_EQ((*old_app)->store->GetCertificate(old_cert->serial)->issuer_id, "issuing-1");

  // A configuration naming an issuing CA whose files are missing says how to make it.
  Config missing = *loaded;
  missing.programs[1].issuer_id = "issuing-kj-2";
  auto refused = LoadCa(missing);
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("add-issuing"), std::string::npos);
  std::filesystem::remove_all(c.data_dir);
}

}  // namespace
}  // namespace claimsca::cmd
