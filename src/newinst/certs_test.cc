// Certificates of newly opened institutions on both back ends (docs/newinst.md,
// "Certificates on the real code", "Not designated"), with the real RA, issuer and store;
// the swap and the newinst rows are set up directly, as the import would leave them.

#include <gtest/gtest.h>

#include "common/iso_date.h"
#include "crypto/keys.h"
#include "newinst/reissue.h"
#include "newinst/supersede.h"
#include "newinst/withdrawal.h"
#include "ra/ra_test_fixture.h"
#include "store/module_sql.h"

namespace claimsca::newinst {
namespace {

using namespace ra::test;  // NOLINT: the RA's fixture and helpers
using std::chrono::days;

constexpr char kProvisional[] = "0110000013";  // 仮コード of the clinic (form only matters here)

constexpr char kInsertRow[] =
    "INSERT INTO newinst_institutions (provisional_code, prefecture, score_table, category, name, "
    "postal_code, address, email, opening_month, state, reception_number, real_code, created_at, "
    "created_by) VALUES ($1, '01', '1', '1', '札幌新規クリニック', '0640809', '札幌市中央区', "
    "'clinic@example.jp', '2027-02', $2, $3, $4, 0, 'test')";
constexpr char kSwapApplication[] =
    "UPDATE applications SET institution_code = $2 WHERE request_id = $1";
constexpr char kState[] = "SELECT state FROM newinst_institutions WHERE provisional_code = $1";

class NewinstCertsTest : public RaTest {
 protected:
  void Row(const char* state, std::optional<std::string> reception,
           std::optional<std::string> real) {
    ASSERT_TRUE(store::RunInTransaction(*store_, [&](store::SqlTx& tx) {
                  return tx.Exec(kInsertRow, {kProvisional, state, reception, real}).status();
                }).ok());
  }
  // The clinic's certificate on 受付番号 kClinic, then the swap to the real code kOtherClinic.
  store::ApplicationRecord IssuedThenSwapped() {
    auto a = MustSubmit(Institution(kClinic), ClinicForm());
    EXPECT_EQ(a.state, store::ApplicationState::kIssued);
    Row("designated", std::string(kClinic), std::string(kOtherClinic));
    EXPECT_TRUE(store::RunInTransaction(*store_, [&](store::SqlTx& tx) {
                  return tx.Exec(kSwapApplication, {a.request_id, kOtherClinic}).status();
                }).ok());
    return a;
  }
  Result<ra::Renewal> Reissue(const std::string& serial) {
    key_ = std::move(crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256).value());
    ra::RenewalRequest r;
    r.serial = serial;
    r.public_key = key_.get();
    r.client = "test";
    return ra_->Renew(r);
  }
  void WithSwaps() {
    swaps_ = std::make_unique<CodeSwaps>(*store_);
    ra::RaOptions o;
    o.code_change = swaps_.get();
    Rebuild(o);
  }
  int Reason(const std::string& serial) {
    auto c = store_->GetCertificate(serial);
    EXPECT_TRUE(c.ok());
    return c.ok() && c->revoked_at ? c->revocation_reason : -1;
  }
  std::string State() {
    std::string s;
    EXPECT_TRUE(store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
                  ASSIGN_OR_RETURN(auto r, tx.QueryFirst(kState, {kProvisional}));
                  if (r) {
                    ASSIGN_OR_RETURN(s, r->Text(0));
                  }
                  return Status::Ok();
                }).ok());
    return s;
  }

  std::unique_ptr<CodeSwaps> swaps_;
  crypto::EvpPkeyPtr key_;
};

TEST_P(NewinstCertsTest, ReissuedOnTheRealCodeAnyTimeFreeWithTheSamePeriod) {
  const auto a = IssuedThenSwapped();
  clock_.Set(clock_.Now() + days(30));  // far from the renewal window
  // Without the swaps the engine sees an ordinary renewal, refused before the window.
  auto early = Reissue(a.serial);
  ASSERT_EQ(early.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(early.status().message().find("renewal_not_open"), std::string::npos);

  WithSwaps();
  auto r = Reissue(a.serial);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto code = ra::SubjectCodeOf(r->certificate.cert_der);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, kOtherClinic);
  EXPECT_EQ(*ra::SubjectCodeOf(store_->GetCertificate(a.serial)->cert_der), kClinic);
  auto old = store_->GetCertificate(a.serial);
  EXPECT_EQ(r->certificate.not_after, old->not_after);  // a correction, not a renewal
  EXPECT_EQ(r->certificate.not_before, old->not_before);
  EXPECT_EQ(r->charge.total_yen, 0);
  auto charges =
      store_->ListFeeCharges(IsoDate(JstDate(clock_.Now())), IsoDate(JstDate(clock_.Now())));
  ASSERT_TRUE(charges.ok());
  EXPECT_TRUE(charges->empty());    // no ledger entry
  EXPECT_EQ(Reason(a.serial), -1);  // valid until confirmed or the grace period ends

  // The next re-issue of the new certificate is an ordinary renewal again (window closed).
  EXPECT_EQ(Reissue(r->certificate.serial).status().code(), Code::kFailedPrecondition);

  // The job: inside the grace period nothing; after it the old one superseded, once.
  clock_.Set(clock_.Now() + days(29));
  auto inside = SupersedeReplaced(*store_, clock_.Now(), 30);
  ASSERT_TRUE(inside.ok()) << inside.status().ToString();
  EXPECT_TRUE(inside->revoked.empty());
  EXPECT_EQ(inside->waiting, 1);
  clock_.Set(clock_.Now() + days(1));
  auto after = SupersedeReplaced(*store_, clock_.Now(), 30);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->revoked.size(), 1u);
  EXPECT_EQ(after->revoked[0], a.serial);
  EXPECT_EQ(Reason(a.serial), 4);
  auto again = SupersedeReplaced(*store_, clock_.Now(), 30);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->revoked.empty());
  EXPECT_EQ(again->waiting, 0);
}

TEST_P(NewinstCertsTest, TheConfirmationSupersedesTheOldCertificateAtOnce) {
  const auto a = IssuedThenSwapped();
  WithSwaps();
  auto r = Reissue(a.serial);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(ra_->ConfirmRenewal(r->certificate.serial, "test").ok());
  EXPECT_EQ(Reason(a.serial), 4);
  EXPECT_EQ(Reason(r->certificate.serial), -1);
  // The job finds nothing more to do.
  auto job = SupersedeReplaced(*store_, clock_.Now(), 30);
  ASSERT_TRUE(job.ok());
  EXPECT_TRUE(job->revoked.empty());
}

TEST_P(NewinstCertsTest, ACodeNotSwappedIsNoCorrection) {
  auto a = MustSubmit(Institution(kClinic), ClinicForm());
  Row("presented", std::string(kClinic), std::nullopt);
  WithSwaps();
  EXPECT_EQ(Reissue(a.serial).status().code(), Code::kFailedPrecondition);
  EXPECT_FALSE(*swaps_->Replaced(kClinic, kOtherClinic));
}

TEST_P(NewinstCertsTest, NotDesignatedWithdrawsEverythingOnceWithCredits) {
  Row("presented", std::string(kClinic), std::nullopt);
  auto issued = MustSubmit(Institution(kClinic), ClinicForm());
  auto pending = Pending(Institution(kClinic), ClinicForm());
  store::AccountRecord acc;
  acc.account_id = "clinic@example.jp";
  acc.kind = "institution";
  acc.institution_codes = {kClinic};
  acc.email = "clinic@example.jp";
  acc.password_hash = "x";
  acc.created_at = clock_.Now();
  ASSERT_TRUE(
      store_->CreateAccount(acc, {clock_.Now(), "operator:t", "account.create", "c", "{}"}).ok());
  mail::Composer composer(clock_, mail::OutboxOptions{});
  Withdrawal w(*store_, *ra_, &composer, clock_);

  // Another clinic does not even see it.
  EXPECT_EQ(w.Withdraw(Institution(kOtherClinic, "other@example.jp"), kClinic).status().code(),
            Code::kNotFound);
  auto r = w.Withdraw(Institution(kClinic), kClinic);  // named by its 受付番号
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->provisional_code, kProvisional);
  EXPECT_EQ(r->revoked_serials, std::vector<std::string>{issued.serial});
  EXPECT_EQ(r->cancelled_requests, std::vector<std::string>{pending.request_id});
  EXPECT_EQ(r->closed_accounts, std::vector<std::string>{"clinic@example.jp"});
  EXPECT_EQ(r->credited_yen, 2292);  // issuance 1,500 + mailing 792
  EXPECT_EQ(Reason(issued.serial), 5);
  EXPECT_EQ(store_->GetApplication(pending.request_id)->state, store::ApplicationState::kCancelled);
  EXPECT_TRUE(store_->GetAccount("clinic@example.jp")->disabled);
  EXPECT_EQ(State(), "withdrawn");

  auto again = w.Withdraw(ra::test::Operator("operator"), kProvisional);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->already);
  EXPECT_TRUE(again->revoked_serials.empty());
}

TEST_P(NewinstCertsTest, ADesignatedClinicCannotBeWithdrawn) {
  Row("designated", std::string(kClinic), std::string(kOtherClinic));
  Withdrawal w(*store_, *ra_, nullptr, clock_);
  EXPECT_EQ(w.Withdraw(ra::test::Operator("operator"), kProvisional).status().code(),
            Code::kFailedPrecondition);
  EXPECT_EQ(w.Withdraw(ra::test::Operator("reviewer"), kProvisional).status().code(),
            Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, NewinstCertsTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::newinst
