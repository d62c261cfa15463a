// The agent over seven years of simulated days against the real CMP server, RA and store
// (one clock for all): the certificate is never expired on any day, renews once per
// period, and the reminders printed follow the schedule.

#include "agent/agent.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
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

void WriteFile(const std::filesystem::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class AgentTest : public RaTest {
 protected:
  // A terminal that downloaded its PKCS#12 (key and certificate in PEM files under dir_),
  // and the CMP server the agent talks to in process (transfer_ in between).
  void SetUpTerminal() {
    auto a = MustSubmit(Institution(kClinic), ClinicForm());
    request_id_ = a.request_id;
    auto password = ra_->TakeDownloadPassword(Operator(), a.request_id);
    ASSERT_TRUE(password.ok()) << password.status().ToString();
    auto download = ra_->DownloadPkcs12(a.request_id, *password, "test");
    ASSERT_TRUE(download.ok()) << download.status().ToString();
    auto p12 = crypto::ParsePkcs12(download->pkcs12_der, *password);
    ASSERT_TRUE(p12.ok()) << p12.status().ToString();

    dir_ = std::filesystem::path(::testing::TempDir()) / ("agent_" + a.request_id);
    std::filesystem::create_directories(dir_);
    {
      BIO* b = BIO_new(BIO_s_mem());
      ASSERT_TRUE(
          PEM_write_bio_PrivateKey(b, p12->key.get(), nullptr, nullptr, 0, nullptr, nullptr));
      char* data = nullptr;
      const long n = BIO_get_mem_data(b, &data);
      WriteFile(dir_ / "terminal.key", std::string(data, static_cast<size_t>(n)));
      BIO_free(b);
    }
    WriteFile(dir_ / "terminal.pem", crypto::CertToPem(p12->cert.get()).value());
    WriteFile(dir_ / "root.pem", crypto::CertToPem(hierarchy_.root.get()).value());

    // The server runs for years: a CMP signer certificate that lasts as long as the
    // issuing CA (a real server renews its 400-day one when it starts).
    ca::HierarchySpec spec;
    spec.organization = "claimsca test";
    spec.cmp_name = "Test CMP";
    spec.cmp_days = 12 * 366;
    auto cmp_cert = ca::MakeCmpCert(spec, hierarchy_.issuing.get(), *hierarchy_.issuing_signer,
                                    hierarchy_.cmp_signer->key(), clock_.Now());
    ASSERT_TRUE(cmp_cert.ok()) << cmp_cert.status().ToString();
    transactions_ = std::make_unique<cmp::SqlTransactionStore>(*store_);
    server_ = std::make_unique<cmp::CmpServer>(
        *ra_, *store_, *transactions_, *sealer_, hierarchy_.issuing.get(), hierarchy_.root.get(),
        cmp_cert->get(), *hierarchy_.cmp_signer, clock_, cmp::CmpServerOptions{});
    o_.cert_file = (dir_ / "terminal.pem").string();
    o_.key_file = (dir_ / "terminal.key").string();
    o_.trusted_file = (dir_ / "root.pem").string();
    o_.transfer = [this](std::string_view der) { return transfer_(der); };
  }

  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    server_.reset();
    RaTest::TearDown();
  }

  int RenewalCharges() {
    auto charges = store_->ListFeeCharges("2026-01-01", "2040-12-31");
    EXPECT_TRUE(charges.ok());
    return static_cast<int>(
        std::count_if(charges->begin(), charges->end(),
                      [](const store::FeeCharge& c) { return c.kind == "renewal"; }));
  }

  // Whether the certificate on disk is valid at the clock, and the application's current.
  void ExpectWorkingCertificate(const std::string& when) {
    auto cert = crypto::CertFromPem(ReadFile(o_.cert_file));
    ASSERT_TRUE(cert.ok()) << when;
    const time_t now = std::chrono::system_clock::to_time_t(clock_.Now());
    EXPECT_LT(X509_cmp_time(X509_get0_notBefore(cert->get()), const_cast<time_t*>(&now)), 1)
        << when;
    EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert->get()), const_cast<time_t*>(&now)), 0)
        << when << ": expired";
    const std::string serial = crypto::SerialHex(X509_get0_serialNumber(cert->get()));
    auto record = store_->GetCertificate(serial);
    ASSERT_TRUE(record.ok()) << when;
    EXPECT_FALSE(record->revoked_at.has_value()) << when << ": revoked";
  }

  std::string request_id_;
  std::filesystem::path dir_;
  std::unique_ptr<cmp::SqlTransactionStore> transactions_;
  std::unique_ptr<cmp::CmpServer> server_;
  AgentOptions o_;
  std::function<Result<std::string>(std::string_view)> transfer_ = [this](std::string_view der) {
    return server_->Handle(der, "agent-test");
  };
};

TEST_P(AgentTest, SevenYearsOfDaysNeverExpiredRenewedOncePerPeriod) {
  SetUpTerminal();
  if (HasFatalFailure()) return;
  Agent agent(o_, clock_);

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
    ExpectWorkingCertificate("day " + std::to_string(day));
    if (HasFailure()) return;
  }
  // 3 years 3 months per period, renewed 46..60 days before each end: twice in 7 years.
  EXPECT_EQ(renewals, 2);
  // Reminders only on schedule days; with renewal at ≤ 60 days left, 90 (and 60 when the
  // spread lands on it) are the ones a terminal sees before it renews.
  for (int64_t d : reminded) EXPECT_TRUE(ReminderDue(d)) << d;
  EXPECT_EQ(std::count(reminded.begin(), reminded.end(), 90), 2);
  // Each renewal recorded its fee; the application points at the newest certificate.
  EXPECT_EQ(RenewalCharges(), 2);
  auto status = agent.StatusLine();
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->find("renews by itself on"), std::string::npos) << *status;
}

// The answer is lost at every step of a renewal — the kup, the pkiConf — and the server
// is down for a day: each time the agent ends with a working certificate and the renewal is
// charged once.
TEST_P(AgentTest, EveryLostAnswerEndsWithAWorkingCertificateChargedOnce) {
  SetUpTerminal();
  if (HasFatalFailure()) return;
  const std::string first_pem = ReadFile(o_.cert_file);
  auto first = crypto::CertFromPem(first_pem);
  ASSERT_TRUE(first.ok());
  struct tm tm {};
  ASN1_TIME_to_tm(X509_get0_notAfter(first->get()), &tm);
  const Instant end = Instant{std::chrono::seconds(timegm(&tm))};
  Agent agent(o_, clock_);
  // Drops the answer to the n-th message of the next attempt (1 kur, 2 certConf); 0: the
  // server is down (nothing reaches it).
  auto drop = [&](int n) {
    auto count = std::make_shared<int>(0);
    transfer_ = [this, n, count](std::string_view der) -> Result<std::string> {
      if (n == 0) return Unavailable("connection refused");
      auto rsp = server_->Handle(der, "agent-test");
      if (++*count == n) return Unavailable("connection reset after the server answered");
      return rsp;
    };
  };

  clock_.Set(end - std::chrono::days(40));  // inside --renew-within 60 minus any spread
  drop(0);
  auto down = agent.CheckOnce();
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_FALSE(down->renewed);
  EXPECT_NE(down->line.find("server down or unreachable"), std::string::npos) << down->line;
  EXPECT_NE(down->line.find("the agent tries again at the next check"), std::string::npos);
  EXPECT_EQ(ReadFile(o_.cert_file), first_pem);
  EXPECT_EQ(RenewalCharges(), 0);

  clock_.Advance(std::chrono::hours(24));
  drop(1);  // the kup is lost: recorded and charged on the server, nothing installed
  auto lost_kup = agent.CheckOnce();
  ASSERT_TRUE(lost_kup.ok());
  EXPECT_FALSE(lost_kup->renewed) << lost_kup->line;
  EXPECT_EQ(ReadFile(o_.cert_file), first_pem);
  ExpectWorkingCertificate("after the lost kup");
  EXPECT_EQ(RenewalCharges(), 1);

  clock_.Advance(std::chrono::hours(24));
  drop(2);  // the retry: its pkiConf is lost, the certificate is installed anyway
  auto lost_conf = agent.CheckOnce();
  ASSERT_TRUE(lost_conf.ok());
  EXPECT_TRUE(lost_conf->renewed) << lost_conf->line;
  EXPECT_NE(lost_conf->line.find("confirmation was lost"), std::string::npos) << lost_conf->line;
  ExpectWorkingCertificate("after the lost pkiConf");
  auto installed = crypto::CertFromPem(ReadFile(o_.cert_file));
  ASSERT_TRUE(installed.ok());
  EXPECT_EQ(store_->GetApplication(request_id_)->serial,
            crypto::SerialHex(X509_get0_serialNumber(installed->get())));
  EXPECT_EQ(RenewalCharges(), 1);

  // The following days: nothing to do, the installed certificate works and renews later.
  transfer_ = [this](std::string_view der) { return server_->Handle(der, "agent-test"); };
  clock_.Advance(std::chrono::hours(24));
  auto quiet = agent.CheckOnce();
  ASSERT_TRUE(quiet.ok());
  EXPECT_FALSE(quiet->renewed) << quiet->line;
  EXPECT_EQ(quiet->line.find("failed"), std::string::npos) << quiet->line;
  EXPECT_EQ(RenewalCharges(), 1);
}

// --renew-within never plans a day before the server's window, and the server's reason
// reaches the user with what to do.
TEST(AgentSchedule, RenewWithinIsClampedToTheServersWindow) {
  AgentOptions o;
  o.renew_within_days = 120;
  EXPECT_EQ(LatestRenewDaysLeft(o), 90);
  o.window_days = 60;
  EXPECT_EQ(LatestRenewDaysLeft(o), 60);
  o.renew_within_days = 30;
  EXPECT_EQ(LatestRenewDaysLeft(o), 30);
  o.renew_within_days = 0;
  EXPECT_EQ(LatestRenewDaysLeft(o), 1);
}

TEST(AgentSchedule, RefusalsSayTheReasonAndWhatToDo) {
  struct Case {
    int status;
    std::string text;
    std::string want;
  };
  for (const Case& c : std::vector<Case>{
           {-1, "", "server down or unreachable"},
           {2, "renewal_not_open: renewal opens on 2029-11-24 (...)", "window not open"},
           {2, "not_current: certificate ab was already renewed", "not current"},
           {2, "expired: the certificate ended ...", "Apply anew"},
           {2, "revoked: certificate ab was revoked", "revoked"},
           {2, "", "no reason given"}}) {
    Status st = ExplainRefusal(c.status, c.text, "", "2030-02-22");
    EXPECT_FALSE(st.ok());
    EXPECT_NE(st.message().find(c.want), std::string::npos) << st.message();
    EXPECT_EQ(st.message().find("no status"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, AgentTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::agent
