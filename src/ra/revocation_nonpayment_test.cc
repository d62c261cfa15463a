// Revocation for non-payment (docs/billing.md "payments") on both back ends: operators
// only, reason cessationOfOperation, the e-mail names the invoice, audited with it.

#include <gtest/gtest.h>

#include "ra/ra_test_fixture.h"

namespace claimsca::ra {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

class NonPaymentTest : public RaTest {};

TEST_P(NonPaymentTest, RevokesWithTheReasonAndAMailNamingTheInvoice) {
  mail::Composer composer(clock_, mail::OutboxOptions{});
  RaOptions o;
  o.mail = &composer;
  Rebuild(o);
  const auto a = MustSubmit(Institution(kClinic), ClinicForm());
  ASSERT_EQ(a.state, store::ApplicationState::kIssued);
  const Date due{std::chrono::year{2027}, std::chrono::month{1}, std::chrono::day{31}};
  // The institution itself may not: only the CA side revokes for non-payment.
  EXPECT_CODE(ra_->RevokeForNonPayment(Institution(kClinic), a.request_id, "2612000123", due),
              kForbidden);
  ASSERT_OK(ra_->RevokeForNonPayment(Operator("operator"), a.request_id, "2612000123", due));
  EXPECT_EQ(store_->GetApplication(a.request_id)->state, store::ApplicationState::kRevoked);
  EXPECT_EQ(store_->GetStatus("issuing-1", a.serial)->revocation_reason,
            store::kReasonCessationOfOperation);
  // Once: a revoked application is not revoked again.
  EXPECT_CODE(ra_->RevokeForNonPayment(Operator("operator"), a.request_id, "2612000123", due),
              kFailedPrecondition);
  auto due_mail = store_->DueMail(clock_.Now() + std::chrono::hours(1), 100);
  ASSERT_TRUE(due_mail.ok());
  int unpaid = 0;
  for (const auto& m : *due_mail) {
    if (m.kind != "revoked_unpaid") continue;
    ++unpaid;
    EXPECT_EQ(m.subject_ref, a.request_id);
    EXPECT_EQ(m.recipient, ClinicForm().email);
  }
  EXPECT_EQ(unpaid, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, NonPaymentTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::ra
