// The agent over seven years of simulated days against the real CMP server, RA and store
// (one clock for all): the certificate is never expired on any day, renews once per
// period, and the reminders printed follow the schedule.

#include "agent/agent.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "cmp/cmp_server.h"
#include "crypto/pkcs12.h"
#include "ra/ra_test_fixture.h"

namespace claimsca::agent {
namespace {

using namespace ra::test;  // NOLINT: the shared fixture and helpers

TEST(Reminders, NinetySixtyThirtyFifteenSevenThenDaily) {
  std::set<int64_t> due;
  for (int64_t d = -3; d <= 120; ++d) {
    if (ReminderDue(d)) due.insert(d);
  }
  EXPECT_EQ(due, (std::set<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 15, 30, 60, 90}));
}

class AgentTest : public RaTest {};

void WriteFile(const std::filesystem::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

TEST_P(AgentTest, SevenYearsOfDaysNeverExpiredRenewedOncePerPeriod) {
  auto a = MustSubmit(Institution(kClinic), ClinicForm());
  auto password = ra_->TakeDownloadPassword(Operator(), a.request_id);
  ASSERT_TRUE(password.ok()) << password.status().ToString();
  auto download = ra_->DownloadPkcs12(a.request_id, *password, "test");
  ASSERT_TRUE(download.ok()) << download.status().ToString();
  auto p12 = crypto::ParsePkcs12(download->pkcs12_der, *password);
  ASSERT_TRUE(p12.ok()) << p12.status().ToString();

  const auto dir = std::filesystem::path(::testing::TempDir()) / ("agent_" + a.request_id);
  std::filesystem::create_directories(dir);
  {
    BIO* b = BIO_new(BIO_s_mem());
    ASSERT_TRUE(PEM_write_bio_PrivateKey(b, p12->key.get(), nullptr, nullptr, 0, nullptr, nullptr));
    char* data = nullptr;
    const long n = BIO_get_mem_data(b, &data);
    WriteFile(dir / "terminal.key", std::string(data, static_cast<size_t>(n)));
    BIO_free(b);
  }
  WriteFile(dir / "terminal.pem", crypto::CertToPem(p12->cert.get()).value());
  WriteFile(dir / "root.pem", crypto::CertToPem(hierarchy_.root.get()).value());

  // The server runs for the seven years: a CMP signer certificate that lasts as long as the
  // issuing CA (a real server renews its 400-day one when it starts).
  ca::HierarchySpec spec;
  spec.organization = "claimsca test";
  spec.cmp_name = "Test CMP";
  spec.cmp_days = 12 * 366;
  auto cmp_cert = ca::MakeCmpCert(spec, hierarchy_.issuing.get(), *hierarchy_.issuing_signer,
                                  hierarchy_.cmp_signer->key(), clock_.Now());
  ASSERT_TRUE(cmp_cert.ok()) << cmp_cert.status().ToString();
  cmp::CmpServer server(*ra_, *store_, hierarchy_.issuing.get(), hierarchy_.root.get(),
                        cmp_cert->get(), *hierarchy_.cmp_signer, clock_, {});
  AgentOptions o;
  o.cert_file = (dir / "terminal.pem").string();
  o.key_file = (dir / "terminal.key").string();
  o.trusted_file = (dir / "root.pem").string();
  o.transfer = [&server](std::string_view der) { return server.Handle(der, "agent-test"); };
  Agent agent(o, clock_);

  const Instant start = clock_.Now();
  int renewals = 0;
  std::vector<int64_t> reminded;
  std::string last_serial;
  for (int day = 0; day < 7 * 365; ++day) {
    clock_.Set(start + std::chrono::days(day));
    auto r = agent.CheckOnce();
    ASSERT_TRUE(r.ok()) << "day " << day << ": " << r.status().ToString();
    ASSERT_EQ(r->line.find("failed"), std::string::npos) << "day " << day << ": " << r->line;
    if (r->renewed) ++renewals;
    if (r->reminder && !r->renewed) reminded.push_back(r->days_left);
    // Whatever is on disk now is valid today.
    std::ifstream in(o.cert_file);
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto cert = crypto::CertFromPem(pem);
    ASSERT_TRUE(cert.ok());
    const time_t now = std::chrono::system_clock::to_time_t(clock_.Now());
    ASSERT_LT(X509_cmp_time(X509_get0_notBefore(cert->get()), const_cast<time_t*>(&now)), 1)
        << "day " << day;
    ASSERT_GT(X509_cmp_time(X509_get0_notAfter(cert->get()), const_cast<time_t*>(&now)), 0)
        << "day " << day << ": expired";
  }
  // 3 years 3 months per period, renewed 46..60 days before each end: twice in 7 years.
  EXPECT_EQ(renewals, 2);
  // Reminders only on schedule days; with renewal at ≤ 60 days left, 90 (and 60 when the
  // spread lands on it) are the ones a terminal sees before it renews.
  for (int64_t d : reminded) EXPECT_TRUE(ReminderDue(d)) << d;
  EXPECT_EQ(std::count(reminded.begin(), reminded.end(), 90), 2);
  // Each renewal recorded its fee; the application points at the newest certificate.
  auto charges = store_->ListFeeCharges("2026-01-01", "2040-12-31");
  ASSERT_TRUE(charges.ok());
  EXPECT_EQ(std::count_if(charges->begin(), charges->end(),
                          [](const store::FeeCharge& c) { return c.kind == "renewal"; }),
            2);
  auto status = agent.StatusLine();
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->find("renews by itself on"), std::string::npos) << *status;
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, AgentTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::agent
