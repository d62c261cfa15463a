// Applications, issuance and download of the 国保連 program on both back ends: the checks
// of Apply, the states, continue-from-the-end, the PKCS#12 under the issuance password, and
// the refusal after a password re-issue (seed 002 Q3).

#include "kokuhoren/applications.h"

#include <gtest/gtest.h>

#include "ca/validity.h"
#include "crypto/pkcs12.h"
#include "kokuhoren/applications_test_fixture.h"
#include "kokuhoren/issuance.h"

namespace claimsca::kokuhoren {
namespace {

using testing::kAgentAccount;
using testing::kOffice;
using testing::kOffice2;
using testing::kOfficeAccount;

class ApplicationsTest : public testing::KokuhorenTest {
 protected:
  // Applies (office, from issuance) and issues; returns the issued application.
  CertApplication IssueOne(ApplyRequest r) {
    auto a = apps_->Apply(r);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    if (!a.ok()) return {};
    auto issued = issuance_->Issue(a->id, "operator:sato");
    EXPECT_TRUE(issued.ok()) << issued.status().ToString();
    return issued.ok() ? *issued : CertApplication{};
  }
};

TEST_P(ApplicationsTest, OfficeAppliesIsIssuedAndDownloadsUnderItsIssuancePassword) {
  auto a = apps_->Apply(OfficeRequest());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->state, ApplicationState::kPending);
  EXPECT_EQ(a->StatusJa(clock_.Now()), "発行申請中");
  EXPECT_EQ(a->usage, UsageCategory::kCareInsurance);
  EXPECT_EQ(a->offset_office_number, kOffice);  // its own benefits
  EXPECT_EQ(a->password_generation, 1);
  EXPECT_FALSE(a->ValidFrom());
  // Not downloadable before issuance.
  EXPECT_EQ(issuance_->Download(kOfficeAccount, a->id).status().code(), Code::kFailedPrecondition);

  clock_.Advance(std::chrono::hours(24 * 3));
  auto issued = issuance_->Issue(a->id, "operator:sato");
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->state, ApplicationState::kIssued);
  EXPECT_EQ(FormatJst(*issued->not_before), "2027-01-14T10:00:00+09:00");
  EXPECT_EQ(FormatJst(*issued->not_after),
            "2030-01-14T23:59:59+09:00");  // 3 years, to the end of the day
  EXPECT_EQ(issuance_->Issue(a->id, "operator:sato").status().code(), Code::kConflict);

  // The certificate is in the common table, program kokuhoren, for the office.
  auto rec = store_->GetCertificate(issued->serial);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->program, "kokuhoren");
  EXPECT_EQ(rec->institution_code, kOffice);
  EXPECT_EQ(rec->request_id, a->id);

  // Downloaded (and again: a reinstalled PC), opened with the issuance password only.
  for (int i = 0; i < 2; ++i) {
    auto d = issuance_->Download(kOfficeAccount, a->id);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->file_name, a->id + ".p12");
    auto p12 = crypto::ParsePkcs12(d->pkcs12_der, "issue-1");
    ASSERT_TRUE(p12.ok()) << p12.status().ToString();
    EXPECT_EQ(crypto::SerialHex(X509_get0_serialNumber(p12->cert.get())), issued->serial);
    EXPECT_EQ(p12->chain.size(), 2u);
    EXPECT_EQ(crypto::ParsePkcs12(d->pkcs12_der, "issue-2").status().code(), Code::kUnauthorized);
  }
  // Another office's account may not; the agent acting for it may.
  EXPECT_EQ(issuance_->Download(testing::kOffice2Account, a->id).status().code(), Code::kForbidden);
  EXPECT_TRUE(issuance_->Download(kAgentAccount, a->id).ok());
  // The sealed password is gone once issued.
  ASSERT_OK(store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
    static constexpr char kSealed[] = "SELECT sealed_password FROM kj_applications WHERE id = $1";
    auto row = tx.QueryFirst(kSealed, {a->id});
    EXPECT_TRUE(row.ok() && *row && (*row)->IsNull(0));
    return Status();
  }));

  // Revoked in the common table (`claimsca revoke`): no longer served.
  ASSERT_OK(store_->Revoke(issued->serial, clock_.Now(), 4, std::nullopt));
  auto revoked = issuance_->Download(kOfficeAccount, a->id);
  EXPECT_EQ(revoked.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
  // The list says so (失効済み, with the revocation time), not 発行済み.
  auto listed = apps_->ListForOffice(kOffice);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, ApplicationState::kRevoked);
  EXPECT_EQ(listed->front().StatusJa(clock_.Now()), "失効済み");
  ASSERT_TRUE(listed->front().closed_at.has_value());
  EXPECT_EQ(FormatJst(*listed->front().closed_at), FormatJst(clock_.Now()));

  // After the end it stays 失効済み, and there is no download.
  clock_.Set(*issued->not_after + std::chrono::seconds(1));
  listed = apps_->ListForOffice(kOffice);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->front().StatusJa(clock_.Now()), "失効済み");
  EXPECT_EQ(issuance_->Download(kOfficeAccount, a->id).status().code(), Code::kFailedPrecondition);
}

TEST_P(ApplicationsTest, AnUnrevokedIssuedCertificateExpires) {
  auto a = apps_->Apply(OfficeRequest());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto issued = issuance_->Issue(a->id, "operator:sato");
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  clock_.Set(*issued->not_after + std::chrono::seconds(1));
  auto listed = apps_->ListForOffice(kOffice);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().StatusJa(clock_.Now()), "有効期限切れ");
}

TEST_P(ApplicationsTest, ApplyRefusesWhatTheScreensRefuse) {
  ApplyRequest r = OfficeRequest();
  r.issuance_password = "wrong";
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kUnauthorized);
  r = OfficeRequest();
  r.terms_accepted = false;
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kInvalidArgument);
  r = OfficeRequest();
  r.terms_version = "2001-01";
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kInvalidArgument);
  r = OfficeRequest();
  r.office_number = kOffice2;  // not its office
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kForbidden);
  r = OfficeRequest();
  r.payment = PaymentMethod::kTransfer;  // an agent's choice
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kInvalidArgument);
  r = OfficeRequest(ValidityStart::kContinue);  // no certificate to continue
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kInvalidArgument);
  r = OfficeRequest();
  r.account_id = "kj99999999";
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kNotFound);
  // Nothing was recorded; then one open application per office.
  EXPECT_TRUE(apps_->ListForOffice(kOffice)->empty());
  auto first = apps_->Apply(OfficeRequest());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(apps_->Apply(OfficeRequest()).status().code(), Code::kConflict);
  ASSERT_TRUE(apps_->Cancel(first->id, "account:kj10000001").ok());
  EXPECT_EQ(apps_->Get(first->id)->StatusJa(clock_.Now()), "取消");
  EXPECT_EQ(apps_->Cancel(first->id, "account:kj10000001").status().code(), Code::kConflict);
  EXPECT_TRUE(apps_->Apply(OfficeRequest()).ok());
}

TEST_P(ApplicationsTest, ContinueFromTheEndJoinsThePeriods) {
  CertApplication first = IssueOne(OfficeRequest());
  ASSERT_FALSE(first.id.empty());
  // Outside the window (more than 3 months left): nothing offered.
  clock_.Set(JstMidnight(AddMonths(JstDate(*first.not_after), -3)) - std::chrono::seconds(1));
  EXPECT_FALSE(apps_->Offer(kOffice)->continue_from);
  EXPECT_EQ(apps_->Apply(OfficeRequest(ValidityStart::kContinue)).status().code(),
            Code::kInvalidArgument);
  // From 3 months before the end: offered, the date is the end + 1 s.
  clock_.Advance(std::chrono::seconds(1));
  auto offer = apps_->Offer(kOffice);
  ASSERT_TRUE(offer.ok());
  ASSERT_TRUE(offer->continue_from);
  EXPECT_EQ(*offer->continue_from, *first.not_after + std::chrono::seconds(1));
  auto next = apps_->Apply(OfficeRequest(ValidityStart::kContinue));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->continues_id, first.id);
  ASSERT_TRUE(next->ValidFrom());  // the list shows the start while pending
  EXPECT_EQ(*next->ValidFrom(), *offer->continue_from);
  auto issued = issuance_->Issue(next->id, "operator:sato");
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(*issued->not_before, *first.not_after + std::chrono::seconds(1));
  EXPECT_EQ(*issued->not_after, ca::JstEndOfDay(AddMonths(JstDate(*issued->not_before), 36)));
  // The renewed office is no longer offered a continue (its window is the new end's).
  EXPECT_FALSE(apps_->Offer(kOffice)->continue_from);
  // The future certificate is downloadable already (install ahead of its start).
  EXPECT_TRUE(issuance_->Download(kOfficeAccount, next->id).ok());
}

TEST_P(ApplicationsTest, AgentTransferWaitsForPaymentAndOffsetChecksTheOffice) {
  ApplyRequest r;
  r.account_id = kAgentAccount;
  r.office_number = kOffice2;
  r.issuance_password = "issue-a";
  r.usage = UsageCategory::kCareAndDisability;
  r.payment = PaymentMethod::kTransfer;
  r.terms_accepted = true;
  auto a = apps_->Apply(r);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->state, ApplicationState::kAwaitingPayment);
  EXPECT_EQ(a->StatusJa(clock_.Now()), "入金確認待ち");
  EXPECT_TRUE(a->offset_office_number.empty());
  EXPECT_EQ(issuance_->Issue(a->id, "operator:sato").status().code(), Code::kConflict);
  auto paid = apps_->ConfirmPayment(a->id, "operator:sato");
  ASSERT_TRUE(paid.ok()) << paid.status().ToString();
  EXPECT_EQ(paid->state, ApplicationState::kPending);
  EXPECT_EQ(paid->paid_by, "operator:sato");
  EXPECT_EQ(apps_->ConfirmPayment(a->id, "operator:sato").status().code(), Code::kConflict);
  auto issued = issuance_->Issue(a->id, "operator:sato");
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  auto d = issuance_->Download(kAgentAccount, a->id);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(crypto::ParsePkcs12(d->pkcs12_der, "issue-a").ok());

  // 相殺: the offset office's user ID and login password.
  r.office_number = kOffice;
  r.payment = PaymentMethod::kOffset;
  r.offset_user_id = DisplayUserId(kOfficeAccount);
  r.offset_password = "wrong";
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kUnauthorized);
  r.offset_password = "login-1";
  auto o = apps_->Apply(r);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->state, ApplicationState::kPending);
  EXPECT_EQ(o->offset_office_number, kOffice);
  EXPECT_EQ(o->usage, UsageCategory::kCareAndDisability);
  auto pending = apps_->List(ApplicationState::kPending, 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().id, o->id);
  EXPECT_EQ(apps_->List(std::nullopt, 10)->size(), 2u);
}

TEST_P(ApplicationsTest, ReissuedPasswordRefusesTheOlderCertificates) {
  CertApplication first = IssueOne(OfficeRequest());
  ASSERT_FALSE(first.id.empty());
  accounts_.Reissue(kOfficeAccount, "issue-1b");
  auto d = issuance_->Download(kOfficeAccount, first.id);
  EXPECT_EQ(d.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(d.status().message().find(kOldPasswordRefusal), std::string::npos);
  // The old password no longer applies; the new one does, and its certificate downloads.
  EXPECT_EQ(apps_->Apply(OfficeRequest()).status().code(), Code::kUnauthorized);
  ApplyRequest r = OfficeRequest();
  r.issuance_password = "issue-1b";
  CertApplication second = IssueOne(r);
  ASSERT_FALSE(second.id.empty());
  EXPECT_EQ(second.password_generation, 2);
  auto d2 = issuance_->Download(kOfficeAccount, second.id);
  ASSERT_TRUE(d2.ok()) << d2.status().ToString();
  EXPECT_TRUE(crypto::ParsePkcs12(d2->pkcs12_der, "issue-1b").ok());
}

TEST_P(ApplicationsTest, AResentFormMakesNoSecondApplication) {
  ApplyRequest r = OfficeRequest();
  r.idempotency_key = "0123456789abcdef0123456789abcdef";
  auto first = apps_->Apply(r);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = apps_->Apply(r);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(apps_->ListForOffice(kOffice)->size(), 1u);
  r.idempotency_key = "another";  // a new form: the open application is in the way
  EXPECT_EQ(apps_->Apply(r).status().code(), Code::kConflict);
}

TEST_P(ApplicationsTest, ApplyHookRunsInTheTransaction) {
  ApplicationOptions ao;
  ao.program = programs_.Find("kokuhoren").value();
  ao.sealer = &*sealer_;
  int calls = 0;
  ao.on_apply = [&](store::SqlTx&, const CertApplication& a) -> Status {
    ++calls;
    EXPECT_EQ(a.office_number, kOffice);
    return Conflict("ledger refused");
  };
  Applications apps(*store_, accounts_, clock_, ao);
  EXPECT_EQ(apps.Apply(OfficeRequest()).status().code(), Code::kConflict);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(apps.ListForOffice(kOffice)->empty());  // rolled back
}

INSTANTIATE_TEST_SUITE_P(Backends, ApplicationsTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
