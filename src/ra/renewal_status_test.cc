// RenewalStatusReader::Of / Opens (renewal_status.cc): what the terminal page and the list
// show agrees with what Renew decides, on both back ends with the clock moved.

#include "ra/renewal_status.h"

#include <gtest/gtest.h>

#include "crypto/keys.h"
#include "ra/ra_test_fixture.h"

namespace claimsca::ra {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers
using std::chrono::days;

class RenewalStatusTest : public RaTest {
 protected:
  Result<RenewalStatus> StatusOf(std::string_view serial) {
    return RenewalStatusReader(*ra_, *store_, programs_, *tariff_, clock_).Of(serial);
  }
  Result<Renewal> RenewServerMade(const std::string& serial) {
    RenewalRequest r;
    r.serial = serial;
    r.pkcs12_password = "a-password-1234";
    r.client = "test";
    return ra_->Renew(r);
  }
};

TEST_P(RenewalStatusTest, WindowFeeAndRetryAsTheEngineDecides) {
  const auto a = MustSubmit(Institution(kClinic), ClinicForm());
  ASSERT_EQ(a.state, store::ApplicationState::kIssued);
  const std::optional<Instant> opens =
      RenewalStatusReader(*ra_, *store_, programs_, *tariff_, clock_).Opens(a);
  ASSERT_TRUE(opens.has_value());

  clock_.Set(*a.not_after - days(91));
  auto before = StatusOf(a.serial);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_TRUE(before->current);
  EXPECT_FALSE(before->open);
  EXPECT_TRUE(before->before_window);
  EXPECT_EQ(before->window.opens, *opens);
  EXPECT_EQ(before->window.closes, *a.not_after);
  EXPECT_EQ(before->validity_months, 39);
  ASSERT_TRUE(before->fee.has_value());
  EXPECT_EQ(before->fee->total_yen, 1500);
  EXPECT_EQ(before->fee->mailing_yen, 0);
  EXPECT_EQ(RenewServerMade(a.serial).status().code(), Code::kFailedPrecondition);

  clock_.Set(*opens);
  auto first_day = StatusOf(a.serial);
  ASSERT_TRUE(first_day.ok());
  EXPECT_TRUE(first_day->open) << "open from the instant Opens says";
  EXPECT_FALSE(first_day->before_window);

  auto renewed = RenewServerMade(a.serial);
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  // Unconfirmed: the old certificate may retry (the page keeps its 更新 button).
  auto retry = StatusOf(a.serial);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->current);
  EXPECT_TRUE(retry->retry);
  EXPECT_TRUE(retry->open);
  // A second confirmation (the lost answer) is charged once.
  auto again = RenewServerMade(a.serial);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto charges = store_->ListFeeCharges("2026-01-01", "2040-12-31");
  ASSERT_TRUE(charges.ok());
  int64_t renewal_yen = 0;
  for (const auto& c : *charges) {
    if (c.kind == "renewal" && c.request_id == a.request_id) renewal_yen += c.total_yen;
  }
  EXPECT_EQ(renewal_yen, 1500);

  // Confirmed by the new certificate's first use: the old one is renewed away.
  ASSERT_TRUE(ra_->ConfirmRenewal(again->certificate.serial, "test").ok());
  auto old = StatusOf(a.serial);
  ASSERT_TRUE(old.ok());
  EXPECT_FALSE(old->current);
  EXPECT_FALSE(old->open);
  EXPECT_EQ(old->application.serial, again->certificate.serial);
  auto now_current = StatusOf(again->certificate.serial);
  ASSERT_TRUE(now_current.ok());
  EXPECT_TRUE(now_current->current);
  EXPECT_FALSE(now_current->open);
  EXPECT_TRUE(now_current->before_window);

  EXPECT_EQ(StatusOf("7fffffffffffff01").status().code(), Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, RenewalStatusTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::ra
