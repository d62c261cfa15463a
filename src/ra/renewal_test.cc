// Renewal (DOMAIN.md §5, docs/renewal-and-cmp.md) on both back ends with the clock moved:
// the window, the expiry refusal and its cost, the fee, the application's history.

#include <gtest/gtest.h>

#include "ca/validity.h"
#include "crypto/keys.h"
#include "crypto/pkcs12.h"
#include "ra/ra_test_fixture.h"
#include "store/module_sql.h"

namespace claimsca::ra {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers
using std::chrono::days;

class RenewalTest : public RaTest {
 protected:
  // An issued application (2026-11-22T10:00 JST → 2030-02-22T23:59:59 JST).
  store::ApplicationRecord Issued() {
    auto a = MustSubmit(Institution(kClinic), ClinicForm());
    EXPECT_EQ(a.state, store::ApplicationState::kIssued);
    return a;
  }
  Result<Renewal> RenewWithNewKey(const std::string& serial, bool continue_from_end = false) {
    key_ = std::move(crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256).value());
    RenewalRequest r;
    r.serial = serial;
    r.public_key = key_.get();
    r.continue_from_end = continue_from_end;
    r.client = "test";
    return ra_->Renew(r);
  }
  crypto::EvpPkeyPtr key_;
};

TEST_P(RenewalTest, RefusedBeforeTheDay90DaysBeforeTheEndDateAcceptedFromItWithTheRenewalFee) {
  const auto a = Issued();
  EXPECT_EQ(FormatJst(*a.not_after).substr(10), "T23:59:59+09:00");  // the end of the day
  clock_.Set(*a.not_after - days(91));
  auto early = RenewWithNewKey(a.serial);
  ASSERT_EQ(early.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(early.status().message().find("renewal_not_open: renewal opens on 2029-11-24"),
            std::string::npos)
      << early.status().message();
  // Whole JST days: the last second of the day before 2029-11-24 is still closed ...
  clock_.Set(*ParseInstant("2029-11-23T23:59:59+09:00"));
  EXPECT_EQ(RenewWithNewKey(a.serial).status().code(), Code::kFailedPrecondition);

  // ... and 00:00 JST of the end date − 90 days is open.
  clock_.Set(*ParseInstant("2029-11-24T00:00:00+09:00"));
  const Instant renewed_at = clock_.Now();
  auto r = RenewWithNewKey(a.serial);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 3 years 3 months from its own issuance; the application now points at it.
  EXPECT_EQ(r->certificate.not_before, renewed_at);
  EXPECT_EQ(FormatJst(r->certificate.not_after), "2033-02-24T23:59:59+09:00");
  EXPECT_EQ(r->certificate.not_after, ca::JstEndOfDay(AddMonths(JstDate(renewed_at), 39)));
  EXPECT_EQ(r->application.serial, r->certificate.serial);
  EXPECT_EQ(r->application.request_id, a.request_id);
  EXPECT_EQ(r->application.institution_code, kClinic);
  EXPECT_EQ(*r->application.not_after, r->certificate.not_after);
  EXPECT_TRUE(r->application.pkcs12_der.empty());
  // The old certificate stays valid until its own end.
  auto old = store_->GetCertificate(a.serial);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->state, store::CertState::kIssued);
  EXPECT_FALSE(old->revoked_at);
  auto history = store_->CertificatesForRequest(a.request_id);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
  // Renewal fee, no mailing fee, recorded for the new certificate.
  EXPECT_EQ(r->charge.kind, "renewal");
  EXPECT_EQ(r->charge.issuance_fee_yen, 1500);
  EXPECT_EQ(r->charge.mailing_fee_yen, 0);
  EXPECT_EQ(r->charge.total_yen, 1500);
  auto charges = store_->ListFeeCharges("2029-11-01", "2029-12-31");
  ASSERT_TRUE(charges.ok()) << charges.status().ToString();
  ASSERT_EQ(charges->size(), 1u);
  EXPECT_EQ((*charges)[0].kind, "renewal");
  EXPECT_EQ((*charges)[0].serial, r->certificate.serial);
  EXPECT_EQ((*charges)[0].total_yen, 1500);
  EXPECT_GT(AuditRows(), 0);

  // Once the new certificate is confirmed (used), the renewed one cannot renew again; the
  // new one renews a period later.
  ASSERT_TRUE(ra_->ConfirmRenewal(r->certificate.serial, "test").ok());
  EXPECT_NE(RenewWithNewKey(a.serial).status().message().find("not_current"), std::string::npos);
  clock_.Set(r->certificate.not_after - days(10));
  auto again = RenewWithNewKey(r->certificate.serial);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto all = store_->ListFeeCharges("2026-01-01", "2040-12-31");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);  // the first issuance and two renewals
}

TEST_P(RenewalTest, ARenewalThatDiedBeforeRecordingHasItsCertificateRevokedByTheRetry) {
  const auto a = Issued();
  clock_.Set(*a.not_after - days(30));
  // A renewal of a.serial signed a certificate and its process was killed before recording
  // it (found by tests/integration/crash_soak_test.sh): the application still names a.serial.
  auto key = crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256);
  ASSERT_TRUE(key.ok());
  ca::IssueRequest req{"common", kClinic, "受付PC1", a.request_id};
  auto orphan = issuer_->IssueForKey(req, key->get());
  ASSERT_TRUE(orphan.ok()) << orphan.status().ToString();
  EXPECT_EQ(store_->GetApplication(a.request_id)->serial, a.serial);
  // The terminal retries at once, with the certificate it still has.
  clock_.Advance(std::chrono::seconds(30));
  auto r = RenewWithNewKey(a.serial);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto dead = store_->GetCertificate(orphan->serial);
  ASSERT_TRUE(dead.ok());
  ASSERT_TRUE(dead->revoked_at.has_value()) << "a certificate nobody was handed stays valid";
  EXPECT_EQ(dead->revocation_reason, 4);  // superseded
  // The renewed certificate and the one renewed away stay valid; one renewal charge.
  EXPECT_FALSE(store_->GetCertificate(r->certificate.serial)->revoked_at);
  EXPECT_FALSE(store_->GetCertificate(a.serial)->revoked_at);
  EXPECT_EQ(store_->ListFeeCharges("2029-01-01", "2030-12-31")->size(), 1u);
  // The next renewal, a period later, revokes nothing that was handed out.
  clock_.Set(r->certificate.not_after - days(10));
  auto again = RenewWithNewKey(r->certificate.serial);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(store_->GetCertificate(r->certificate.serial)->revoked_at);
  EXPECT_FALSE(store_->GetCertificate(a.serial)->revoked_at);
}

// The answer of a renewal is lost: the terminal still holds only the renewed certificate
// and retries with it. Same key: the same certificate again; another key (or a server-made
// one): a fresh certificate replaces the unconfirmed one. Always one fee charge.
TEST_P(RenewalTest, ALostAnswerIsRetriedWithTheSameOutcomeAndChargedOnce) {
  const auto a = Issued();
  clock_.Set(*a.not_after - days(60));
  auto renewal_charges = [&] {
    auto all = store_->ListFeeCharges("2026-01-01", "2040-12-31");
    EXPECT_TRUE(all.ok());
    std::vector<store::FeeCharge> out;
    for (const auto& c : *all) {
      if (c.kind == "renewal") out.push_back(c);
    }
    return out;
  };
  // The ledger keeps every charge and its credit note: the net per certificate ("" = the
  // whole application's renewals) is what is billed.
  auto net_yen = [&](const std::string& serial) {
    static constexpr char kNet[] =
        "SELECT coalesce(sum(total_yen), 0) FROM fee_charges WHERE request_id = $1 AND "
        "kind = 'renewal' AND ($2 = '' OR serial = $2)";
    int64_t net = -1;
    Status st = store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kNet, {a.request_id, serial}));
      ASSIGN_OR_RETURN(net, r->Int(0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return net;
  };
  auto first = RenewWithNewKey(a.serial);  // answer lost
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto pending = store_->GetPendingRenewal(a.request_id);
  ASSERT_TRUE(pending.ok() && pending->has_value());
  EXPECT_EQ((*pending)->previous_serial, a.serial);
  EXPECT_EQ((*pending)->serial, first->certificate.serial);

  // Same key (the same CSR or kur sent again): the same certificate, nothing new.
  clock_.Advance(std::chrono::minutes(5));
  RenewalRequest same;
  same.serial = a.serial;
  same.public_key = key_.get();
  same.client = "retry";
  auto again = ra_->Renew(same);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->certificate.serial, first->certificate.serial);
  EXPECT_EQ(again->certificate.cert_der, first->certificate.cert_der);
  EXPECT_EQ(again->charge.total_yen, 1500);
  EXPECT_EQ(store_->CertificatesForRequest(a.request_id)->size(), 2u);
  ASSERT_EQ(renewal_charges().size(), 1u);

  // Another key: a fresh certificate replaces the unconfirmed one (revoked, superseded).
  auto fresh = RenewWithNewKey(a.serial);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_NE(fresh->certificate.serial, first->certificate.serial);
  EXPECT_EQ(fresh->application.serial, fresh->certificate.serial);
  auto replaced = store_->GetCertificate(first->certificate.serial);
  ASSERT_TRUE(replaced.ok());
  ASSERT_TRUE(replaced->revoked_at.has_value());
  EXPECT_EQ(replaced->revocation_reason, 4);
  auto charges = renewal_charges();
  ASSERT_EQ(charges.size(), 1u);
  EXPECT_EQ(charges[0].serial, fresh->certificate.serial);
  // The renewed certificate itself is untouched, valid until its end.
  EXPECT_FALSE(store_->GetCertificate(a.serial)->revoked_at.has_value());

  // A server-made key cannot be sent again: a fresh PKCS#12 replaces it likewise.
  RenewalRequest p12;
  p12.serial = a.serial;
  p12.pkcs12_password = "retry-password";
  auto server_made = ra_->Renew(p12);
  ASSERT_TRUE(server_made.ok()) << server_made.status().ToString();
  EXPECT_FALSE(server_made->pkcs12_der.empty());
  EXPECT_TRUE(store_->GetCertificate(fresh->certificate.serial)->revoked_at.has_value());
  charges = renewal_charges();
  ASSERT_EQ(charges.size(), 1u);
  EXPECT_EQ(charges[0].serial, server_made->certificate.serial);
  // Three renewal charges were recorded and two credited: one renewal fee is billed.
  EXPECT_EQ(net_yen(first->certificate.serial), 0);
  EXPECT_EQ(net_yen(fresh->certificate.serial), 0);
  EXPECT_EQ(net_yen(server_made->certificate.serial), 1500);
  EXPECT_EQ(net_yen(""), 1500);

  // The first use of the new certificate confirms it: the renewed one is no longer current.
  ASSERT_TRUE(ra_->ConfirmRenewal(server_made->certificate.serial, "test").ok());
  EXPECT_FALSE(store_->GetPendingRenewal(a.request_id)->has_value());
  auto late = RenewWithNewKey(a.serial);
  ASSERT_EQ(late.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(late.status().message().find("not_current"), std::string::npos);
  EXPECT_EQ(renewal_charges().size(), 1u);
  // Confirming a certificate that is not pending changes nothing.
  EXPECT_TRUE(ra_->ConfirmRenewal(a.serial, "test").ok());
}

TEST_P(RenewalTest, AfterExpiryANewApplicationIsNeededAndItsCostIsSaid) {
  const auto a = Issued();
  clock_.Set(*a.not_after + std::chrono::seconds(1));
  auto r = RenewWithNewKey(a.serial);
  ASSERT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("expired:"), std::string::npos);
  EXPECT_NE(r.status().message().find("2,292 yen (issuance 1,500 + mailing 792)"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(store_->CertificatesForRequest(a.request_id)->size(), 1u);
}

TEST_P(RenewalTest, RevokedOrUnknownCertificatesAreRefusedAndNothingIsIssued) {
  const auto a = Issued();
  ASSERT_TRUE(ra_->Revoke(Institution(kClinic), a.request_id, 1).ok());
  clock_.Set(*a.not_after - days(30));
  EXPECT_NE(RenewWithNewKey(a.serial).status().message().find("revoked"), std::string::npos);
  EXPECT_EQ(RenewWithNewKey("0badc0ffee").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->CertificatesForRequest(a.request_id)->size(), 1u);
}

TEST_P(RenewalTest, ServerMadeKeyComesAsPkcs12UnderThePasswordTheUserSet) {
  const auto a = Issued();
  clock_.Set(*a.not_after - days(5));
  RenewalRequest req;
  req.serial = a.serial;
  req.pkcs12_password = "short";
  EXPECT_EQ(ra_->Renew(req).status().code(), Code::kInvalidArgument);
  req.pkcs12_password = "user-chosen-pass";
  auto r = ra_->Renew(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto p12 = crypto::ParsePkcs12(r->pkcs12_der, "user-chosen-pass");
  ASSERT_TRUE(p12.ok()) << p12.status().ToString();
  EXPECT_EQ(r->application.serial, r->certificate.serial);
}

TEST_P(RenewalTest, StartChoiceContinuesFromTheCurrentEndWhenTheProgramOffersIt) {
  const auto a = Issued();
  clock_.Set(*a.not_after - days(20));
  // The common CA has no choice of start date.
  EXPECT_EQ(RenewWithNewKey(a.serial, true).status().code(), Code::kInvalidArgument);
  ca::ProgramProfile common = ca::CommonProgramDefaults();
  common.default_key_algorithm = "ecp256";
  common.renewal_window_days = 0;
  common.renewal_window_months = 3;
  common.renewal_start_choice = true;
  programs_ = ca::ProgramRegistry({common});
  auto r = RenewWithNewKey(a.serial, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->certificate.not_before, *a.not_after);
  EXPECT_EQ(r->certificate.not_after, ca::JstEndOfDay(AddMonths(JstDate(*a.not_after), 39)));
}

TEST(RenewalWindow, DaysOrCalendarMonthsBeforeTheEnd) {
  const Instant end = *ParseInstant("2030-02-22T10:00:00+09:00");
  const auto common = RenewalWindowOf(ca::CommonProgramDefaults(), end);
  EXPECT_EQ(FormatJst(common.opens), "2029-11-24T00:00:00+09:00");  // 90 days before the date
  EXPECT_EQ(common.closes, end);
  const auto kokuhoren = RenewalWindowOf(ca::KokuhorenProgramDefaults(), end);
  EXPECT_EQ(FormatJst(kokuhoren.opens), "2029-11-22T00:00:00+09:00");  // 3 months before
}

INSTANTIATE_TEST_SUITE_P(Backends, RenewalTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::ra
