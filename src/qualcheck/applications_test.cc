// The 資格確認限定型 tables (migrations 080, 081) on both back ends: double keying with a
// difference and a correction round, the same person refused, approval only when agreed,
// the narrow read API of the subsidy (ApprovedUseStart), the bank digits kept out of the
// database file and the audit rows.

#include "qualcheck/applications.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "auth/password.h"
#include "qualcheck/form_testing.h"
#include "store/module_sql.h"
#include "store/store_test_fixture.h"

namespace claimsca::qualcheck {
namespace {

using store::test::kT0;

constexpr char kCode[] = "0110113719";
// Cheap argon2id for tests (the digits and passwords are still never in clear).
const auth::KdfParams kTestKdf{1, 8 * 1024};

Form Paper() { return testing::ExampleForm(); }

class QualcheckStoreTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    apps_ = std::make_unique<ApplicationStore>(*store_, bank_, kTestKdf);
    // 注1: the portal account that 申請区分 2 alone and 3 name, with the form's password.
    AddAccount("yamada@example.jp", {kCode, "1318814790"}, "abc12345");
  }
  void AddAccount(const std::string& id, std::vector<std::string> codes,
                  const std::string& password) {
    store::AccountRecord a;
    a.account_id = id;
    a.kind = "institution";
    a.institution_codes = std::move(codes);
    a.email = id;
    a.email_verified = true;
    a.password_hash = *auth::HashPassword(password, kTestKdf);
    a.created_at = kT0;
    ASSERT_TRUE(store_->CreateAccount(a, {kT0, "test", "account.create", id, "{}"}).ok());
  }
  std::string AuditText() {
    std::string all;
    EXPECT_TRUE(store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
                  static constexpr char kAll[] =
                      "SELECT action, subject, details FROM audit_log ORDER BY seq";
                  ASSIGN_OR_RETURN(auto rows, tx.Query(kAll));
                  for (const auto& r : rows) {
                    for (int i = 0; i < 3; ++i) {
                      auto t = r.Text(i);
                      if (t.ok()) all += *t + "\n";
                    }
                  }
                  return Status::Ok();
                }).ok());
    return all;
  }
  BankDigits bank_{std::string(32, 'k')};
  std::unique_ptr<ApplicationStore> apps_;
};

TEST_P(QualcheckStoreTest, DoubleKeyingWithCorrectionRound) {
  ASSERT_TRUE(bank_.Import(*store_, "institution_code,last4\n0110113719,7316\n", "op:a", kT0).ok());
  auto k1 = apps_->Key("R-001", Paper(), "reviewer:ito", kT0);
  ASSERT_TRUE(k1.ok()) << k1.status().ToString();
  EXPECT_EQ(k1->state, State::kKeying);
  // The same person cannot key the second time.
  auto same = apps_->Key("R-001", Paper(), "reviewer:ito", kT0);
  EXPECT_EQ(same.status().code(), Code::kForbidden);
  // A misread password is not the named account's (注1): refused on the field at once.
  Form misread = Paper();
  misread.password = "abc12346";
  auto refused = apps_->Key("R-001", misread, "reviewer:sato", kT0 + std::chrono::seconds(30));
  ASSERT_EQ(refused.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FieldErrorsOf(refused.status()).at(0).field, "password");
  // The second keyer misreads the phone and the bank digits.
  Form g = Paper();
  g.phone = "011-123-4557";
  g.bank_last4 = "7361";
  auto k2 = apps_->Key("R-001", g, "reviewer:sato", kT0 + std::chrono::seconds(60));
  ASSERT_TRUE(k2.ok()) << k2.status().ToString();
  EXPECT_EQ(k2->id, k1->id);
  EXPECT_EQ(k2->state, State::kDiffers);
  EXPECT_EQ(k2->differs, (std::vector<std::string>{"phone", "bank_last4"}));
  // Not approvable while differing.
  EXPECT_EQ(apps_->Approve(k1->id, "reviewer:kato", kT0, "").code(), Code::kConflict);
  // Correction round: the first keyer reading the paper again confirms nothing new (it
  // still differs from the second keyer's); the second keyer re-keys the differing fields
  // and matches the first keyer's keying.
  auto k3 = apps_->Key("R-001", Paper(), "reviewer:ito", kT0 + std::chrono::seconds(120));
  ASSERT_TRUE(k3.ok()) << k3.status().ToString();
  EXPECT_EQ(k3->state, State::kDiffers);
  EXPECT_EQ(k3->differs, (std::vector<std::string>{"phone", "bank_last4"}));
  auto k4 = apps_->Key("R-001", Paper(), "reviewer:sato", kT0 + std::chrono::seconds(180));
  ASSERT_TRUE(k4.ok()) << k4.status().ToString();
  EXPECT_EQ(k4->state, State::kAgreed);
  EXPECT_TRUE(k4->differs.empty());
  auto keyings = apps_->Keyings(k1->id);
  ASSERT_TRUE(keyings.ok());
  ASSERT_EQ(keyings->size(), 4u);
  EXPECT_EQ((*keyings)[1].differs, (std::vector<std::string>{"phone", "bank_last4"}));
  EXPECT_EQ((*keyings)[1].form.phone, "0111234557");
  auto a = apps_->Get(k1->id);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, State::kAgreed);
  EXPECT_EQ(a->bank_check, BankCheck::kMatch);
  EXPECT_TRUE(a->has_password);
  EXPECT_EQ(a->institution_code, kCode);
  // No use start before approval; approval on 2027-01-15 JST.
  EXPECT_FALSE(apps_->ApprovedUseStart(kCode)->has_value());
  const Instant approve_at = kT0;  // 2027-01-15 JST
  ASSERT_TRUE(apps_->Approve(k1->id, "reviewer:kato", approve_at, "").ok());
  EXPECT_EQ(apps_->Approve(k1->id, "reviewer:kato", approve_at, "").code(), Code::kConflict);
  auto use = apps_->ApprovedUseStart(kCode);
  ASSERT_TRUE(use.ok() && use->has_value());
  EXPECT_EQ((*use)->application_id, k1->id);
  EXPECT_EQ((*use)->start, JstDate(approve_at));
  EXPECT_EQ((*use)->devices, 2);
  EXPECT_FALSE(apps_->Get(k1->id)->has_password);  // erased on approval
  EXPECT_FALSE(apps_->ApprovedUseStart("1318814790")->has_value());
}

TEST_P(QualcheckStoreTest, ACorrectionMatchingTheFirstKeyingAgrees) {
  ASSERT_TRUE(apps_->Key("R-004", Paper(), "reviewer:ito", kT0).ok());
  Form g = Paper();
  g.bank_last4 = "7361";
  auto k2 = apps_->Key("R-004", g, "reviewer:sato", kT0);
  ASSERT_TRUE(k2.ok());
  EXPECT_EQ(k2->differs, std::vector<std::string>{"bank_last4"});
  // The second keyer corrects the digits: agrees with the first keying at once.
  auto k3 = apps_->Key("R-004", Paper(), "reviewer:sato", kT0);
  ASSERT_TRUE(k3.ok()) << k3.status().ToString();
  EXPECT_EQ(k3->state, State::kAgreed);
  EXPECT_EQ(apps_->Key("R-004", Paper(), "reviewer:ito", kT0).status().code(), Code::kConflict);
}

TEST_P(QualcheckStoreTest, BankOutcomesAndDigitsNowhere) {
  ASSERT_TRUE(bank_.Import(*store_, "0110113719,7316\n", "op:a", kT0).ok());
  Form f = Paper();
  f.bank_last4 = "9999";
  auto k = apps_->Key("R-002", f, "reviewer:ito", kT0);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(apps_->Get(k->id)->bank_check, BankCheck::kMismatch);
  Form other = Paper();
  other.prefecture = "13";
  other.facility_code = "8814790";
  auto p = apps_->SubmitPortal(other, "clinic@example.jp", kT0);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(apps_->Get(*p)->bank_check, BankCheck::kUnregistered);
  EXPECT_EQ(apps_->Get(*p)->state, State::kAgreed);
  // A bad row names the line, never the digits.
  auto bad = bank_.Import(*store_, "0110113719,73166\n", "op:a", kT0);
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message().find("73166"), std::string::npos);
  const std::string audit = AuditText();
  for (const char* digits : {"7316", "9999"}) {
    EXPECT_EQ(audit.find(digits), std::string::npos) << digits;
  }
  if (GetParam() == "sqlite") {
    store_.reset();  // flush
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string bytes = ss.str();
      EXPECT_EQ(bytes.find("7316"), std::string::npos) << entry.path();
      EXPECT_EQ(bytes.find("9999"), std::string::npos) << entry.path();
      EXPECT_EQ(bytes.find("abc12345"), std::string::npos) << entry.path();
    }
  }
}

TEST_P(QualcheckStoreTest, RejectNeedsReasonAndEndsUse) {
  auto id = apps_->SubmitPortal(Paper(), "yamada@example.jp", kT0);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(apps_->Reject(*id, "reviewer:kato", kT0, " ").code(), Code::kInvalidArgument);
  ASSERT_TRUE(apps_->Reject(*id, "reviewer:kato", kT0, "口座番号が一致しません").ok());
  EXPECT_EQ(apps_->Get(*id)->state, State::kRejected);
  EXPECT_EQ(apps_->Get(*id)->reason, "口座番号が一致しません");
  EXPECT_FALSE(apps_->ApprovedUseStart(kCode)->has_value());
  // Approved use, then an approved 利用終了 (3) with its date: no use after that date.
  auto use = apps_->SubmitPortal(Paper(), "yamada@example.jp", kT0);
  ASSERT_TRUE(apps_->Approve(*use, "reviewer:kato", kT0, "").ok());
  Form end = Paper();
  end.kind2 = false;
  end.kind3 = true;
  end.end_date = "2027-03-31";
  auto end_id = apps_->SubmitPortal(end, "yamada@example.jp", kT0 + std::chrono::seconds(10));
  ASSERT_TRUE(end_id.ok()) << end_id.status().ToString();
  ASSERT_TRUE(apps_->Approve(*end_id, "reviewer:kato", kT0 + std::chrono::seconds(10), "").ok());
  const Date before{std::chrono::year{2027}, std::chrono::month{3}, std::chrono::day{31}};
  const Date after{std::chrono::year{2027}, std::chrono::month{4}, std::chrono::day{1}};
  EXPECT_TRUE(apps_->ApprovedUseStart(kCode, before)->has_value());
  EXPECT_FALSE(apps_->ApprovedUseStart(kCode, after)->has_value());
  auto list = apps_->List(State::kApproved, kCode);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
}

TEST_P(QualcheckStoreTest, InvalidFormCarriesFieldErrors) {
  Form f = Paper();
  f.facility_code = "0113718";
  auto k = apps_->Key("R-003", f, "reviewer:ito", kT0);
  ASSERT_EQ(k.status().code(), Code::kInvalidArgument);
  auto errors = FieldErrorsOf(k.status());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "facility_code");
  EXPECT_EQ(errors[0].rule, "check_digit");
}

// 申請区分 2 alone (注1): the form's e-mail and password name the institution's portal
// account; a password that is not that account's is refused on the password field, an
// e-mail that names no account of the institution on the e-mail field, on paper and on the
// portal, and nothing is stored.
TEST_P(QualcheckStoreTest, KindTwoAloneChecksTheNamedAccountsPassword) {
  Form wrong = Paper();
  wrong.password = "abc12399";
  auto portal = apps_->SubmitPortal(wrong, "yamada@example.jp", kT0);
  ASSERT_EQ(portal.status().code(), Code::kInvalidArgument);
  auto errors = FieldErrorsOf(portal.status());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "password");
  EXPECT_EQ(errors[0].rule, "mismatch");
  auto paper = apps_->Key("R-010", wrong, "reviewer:ito", kT0);
  ASSERT_EQ(paper.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(FieldErrorsOf(paper.status()).at(0).field, "password");
  // An account of another institution, or none, is no account of this one.
  AddAccount("other@example.jp", {"1318814790"}, "abc12345");
  for (const char* email : {"other@example.jp", "nobody@example.jp"}) {
    Form f = Paper();
    f.email = email;
    auto r = apps_->SubmitPortal(f, "yamada@example.jp", kT0);
    ASSERT_EQ(r.status().code(), Code::kInvalidArgument) << email;
    errors = FieldErrorsOf(r.status());
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].field, "email");
    EXPECT_EQ(errors[0].rule, "no_account");
  }
  EXPECT_TRUE(apps_->List(std::nullopt)->empty());
  // The account's own password (the e-mail in any case) is accepted.
  Form right = Paper();
  right.email = "Yamada@Example.JP";
  EXPECT_TRUE(apps_->SubmitPortal(right, "yamada@example.jp", kT0).ok());
  // {1, 2} names no existing account: no check.
  Form both = Paper();
  both.kind1 = true;
  both.password.clear();
  both.email = "new@example.jp";
  EXPECT_TRUE(apps_->SubmitPortal(both, "yamada@example.jp", kT0).ok());
}

// A resent portal form (double click, back and resend) carries the same one-time token:
// the application of the first submission is returned, no second one is made; another
// account's token is refused.
TEST_P(QualcheckStoreTest, AResentPortalFormMakesNoSecondApplication) {
  auto first = apps_->SubmitPortal(Paper(), "yamada@example.jp", kT0, "tok-1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again =
      apps_->SubmitPortal(Paper(), "yamada@example.jp", kT0 + std::chrono::seconds(1), "tok-1");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(apps_->List(std::nullopt)->size(), 1u);
  EXPECT_EQ(apps_->SubmitPortal(Paper(), "intruder@example.jp", kT0, "tok-1").status().code(),
            Code::kConflict);
  // A new form page (a new token) is a new application.
  auto second = apps_->SubmitPortal(Paper(), "yamada@example.jp", kT0, "tok-2");
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *first);
  EXPECT_EQ(apps_->List(std::nullopt)->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, QualcheckStoreTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::qualcheck
