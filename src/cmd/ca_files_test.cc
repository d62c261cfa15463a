#include "cmd/ca_files.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "cmd/app.h"
#include "common/time_util.h"
#include "crypto/random.h"

namespace claimsca::cmd {
namespace {

TEST(DataDir, InitLoadsAndRenewsTheOcspCertificateWhenDue) {
  Config c;
  c.data_dir = (std::filesystem::temp_directory_path() /
                ("claimsca-init-" + crypto::RandomDigits(12).value()))
                   .string();
  c.key_algorithm = "ecp256";
  c.programs = {ca::CommonProgramDefaults()};
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
  std::filesystem::remove_all(c.data_dir);
}

}  // namespace
}  // namespace claimsca::cmd
