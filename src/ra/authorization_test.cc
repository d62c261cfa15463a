// Role separation in the registration authority (docs/accounts.md): what a reviewer, an
// institution and an operator may do to applications, the four-eyes rule, and "not found,
// never forbidden" for another institution's applications.

#include <gtest/gtest.h>

#include "ra/ra_test_fixture.h"

namespace claimsca::ra {
namespace {

using store::ApplicationState;
using test::ClinicForm;
using test::Institution;
using test::kClinic;
using test::kOtherClinic;
using test::Operator;
using test::RaTest;

// An operator account applying on the clinic's behalf (paper or telephone).
Caller Staff(std::string id, std::string role = "operator") {
  Caller c = Operator(std::move(role));
  c.principal.account_id = std::move(id);
  c.channel = Channel::kOperator;
  return c;
}

class AuthorizationTest : public RaTest {
 protected:
  // The audit actions written about `request_id`, oldest first.
  std::vector<std::string> Actions(const std::string& request_id) {
    std::vector<std::string> out;
    auto trail = store_->AuditBySubject(request_id, 100);
    EXPECT_TRUE(trail.ok());
    if (trail.ok()) {
      for (const auto& e : *trail) out.push_back(e.action + " by " + e.actor);
    }
    return out;
  }
};

TEST_P(AuthorizationTest, AReviewerReadsAndReviewsButNeverAppliesCancelsRevokesOrEdits) {
  const Caller reviewer = Operator("reviewer");
  // Applying, through any channel, for any institution.
  EXPECT_CODE(ra_->Submit(reviewer, ClinicForm(), "").status(), kForbidden);
  EXPECT_CODE(ra_->PreviewApplication(reviewer, ClinicForm()).status(), kForbidden);
  EXPECT_EQ(ra_->List(Operator(), {})->items.size(), 0u) << "nothing was stored";

  auto pending = Pending(Institution(kClinic));
  auto issued = MustSubmit(Institution(kClinic), ClinicForm());
  ASSERT_EQ(issued.state, ApplicationState::kIssued);
  // Reading every institution.
  EXPECT_TRUE(ra_->Get(reviewer, pending.request_id).ok());
  EXPECT_EQ(ra_->List(reviewer, {})->items.size(), 2u);
  // Cancelling, revoking, editing, bulk revocation and the password hand-over: forbidden
  // (the reviewer sees the application, so it is not hidden as not found).
  EXPECT_CODE(ra_->Cancel(reviewer, pending.request_id), kForbidden);
  EXPECT_CODE(ra_->Revoke(reviewer, issued.request_id, 0), kForbidden);
  std::vector<domain::FieldError> errors;
  EXPECT_CODE(ra_->Edit(reviewer, issued.request_id, {{"phone", "03-1111-2222"}}, &errors).status(),
              kForbidden);
  EXPECT_CODE(ra_->RevokeSerials(reviewer, {issued.serial}, 0).status(), kForbidden);
  EXPECT_CODE(ra_->RevokeInstitution(reviewer, kClinic, 0).status(), kForbidden);
  EXPECT_CODE(ra_->TakeDownloadPassword(reviewer, issued.request_id).status(), kForbidden);
  EXPECT_EQ(store_->GetApplication(pending.request_id)->state, ApplicationState::kPending);
  EXPECT_EQ(store_->GetApplication(issued.request_id)->state, ApplicationState::kIssued);
  // Reviewing is what it is for.
  auto approved = ra_->Approve(reviewer, pending.request_id);
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->application.state, ApplicationState::kIssued);
}

TEST_P(AuthorizationTest, AnOperatorCancelsAndRevokesForAnyInstitution) {
  const Caller op = Operator("operator");
  auto pending = Pending(Institution(kClinic));
  auto issued = MustSubmit(Institution(kOtherClinic, "other@example.jp"), ClinicForm("0112489"));
  ASSERT_OK(ra_->Cancel(op, pending.request_id));
  ASSERT_OK(ra_->Revoke(op, issued.request_id, 9));  // privilegeWithdrawn: the CA's reason
  // An institution may not give the CA's reason, even for its own certificate.
  auto mine = MustSubmit(Institution(kClinic), ClinicForm());
  EXPECT_CODE(ra_->Revoke(Institution(kClinic), mine.request_id, 9), kInvalidArgument);
}

TEST_P(AuthorizationTest, AnotherInstitutionsApplicationIsNotFoundForEveryAction) {
  auto pending = Pending(Institution(kClinic));
  auto issued = MustSubmit(Institution(kClinic), ClinicForm());
  const Caller other = Institution(kOtherClinic, "other@example.jp");
  for (const auto& id : {pending.request_id, issued.request_id}) {
    EXPECT_CODE(ra_->Get(other, id).status(), kNotFound);
    EXPECT_CODE(ra_->Approve(other, id).status(), kNotFound);
    EXPECT_CODE(ra_->Reject(other, id, "不備"), kNotFound);
    EXPECT_CODE(ra_->Cancel(other, id), kNotFound);
    EXPECT_CODE(ra_->Revoke(other, id, 0), kNotFound);
    EXPECT_CODE(ra_->Shipping(other, id).status(), kNotFound);
  }
  // Its own application, which it may see: reviewing is forbidden, not hidden.
  EXPECT_CODE(ra_->Approve(Institution(kClinic), pending.request_id).status(), kForbidden);
  EXPECT_CODE(ra_->Reject(Institution(kClinic), pending.request_id, "x"), kForbidden);
  // Nobody signed in: unauthorized, before anything is looked up.
  EXPECT_CODE(ra_->Approve(Caller{}, pending.request_id).status(), kUnauthorized);
  EXPECT_CODE(ra_->Approve(Caller{}, "20260000000000").status(), kUnauthorized);
}

TEST_P(AuthorizationTest, FourEyesTheStaffWhoAppliedCannotApprove) {
  RaOptions manual;
  manual.auto_review.enabled = false;
  Rebuild(manual);
  const Caller alice = Staff("alice");
  auto a = MustSubmit(alice, ClinicForm());
  ASSERT_EQ(a.state, ApplicationState::kPending);
  EXPECT_EQ(a.account_id, "alice");

  auto refused = ra_->Approve(alice, a.request_id);
  EXPECT_CODE(refused.status(), kForbidden);
  EXPECT_NE(refused.status().message().find("four-eyes"), std::string::npos);
  // Refused, audited, nothing issued.
  EXPECT_EQ(store_->GetApplication(a.request_id)->state, ApplicationState::kPending);
  const auto actions = Actions(a.request_id);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[1], "application.approve_refused by operator:alice");
  auto trail = store_->AuditBySubject(a.request_id, 10);
  EXPECT_NE(trail->back().details.find(R"("rule":"four_eyes")"), std::string::npos);
  // Another reviewer approves.
  auto approved = ra_->Approve(Staff("bob", "reviewer"), a.request_id);
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  EXPECT_EQ(approved->application.decided_by, "operator:bob");
  // An administrator is no exception; rejecting one's own entry (a typing mistake) stays
  // possible.
  const Caller root = Staff("root", "administrator");
  auto b = MustSubmit(root, ClinicForm());
  EXPECT_CODE(ra_->Approve(root, b.request_id).status(), kForbidden);
  ASSERT_OK(ra_->Reject(root, b.request_id, "入力誤り"));
  // The chain still verifies with the refusal rows in it.
  AuditRows();
}

TEST_P(AuthorizationTest, FourEyesBindsAccountsNotTheOwnersTools) {
  RaOptions manual;
  manual.auto_review.enabled = false;
  Rebuild(manual);
  // The init token / command line (cmd::OperatorCaller): it can create a second account
  // anyway, so the rule would add nothing there.
  Caller owner = Staff("api-token", "administrator");
  owner.owner = true;
  auto a = MustSubmit(owner, ClinicForm());
  ASSERT_TRUE(ra_->Approve(owner, a.request_id).ok());
  // An account that happens to have the same name is an account like any other.
  const Caller named = Staff("api-token", "administrator");
  auto b = MustSubmit(named, ClinicForm());
  EXPECT_CODE(ra_->Approve(named, b.request_id).status(), kForbidden);
}

TEST_P(AuthorizationTest, FourEyesCanBeTurnedOff) {
  RaOptions o;
  o.auto_review.enabled = false;
  o.four_eyes = false;
  Rebuild(o);
  const Caller alice = Staff("alice");
  auto a = MustSubmit(alice, ClinicForm());
  auto approved = ra_->Approve(alice, a.request_id);
  ASSERT_TRUE(approved.ok()) << approved.status().ToString();
  for (const auto& action : Actions(a.request_id)) {
    EXPECT_EQ(action.find("approve_refused"), std::string::npos) << action;
  }
}

TEST_P(AuthorizationTest, FourEyesDoesNotConcernAutomaticReviewOrInstitutions) {
  // Submitted by staff, approved at once by automatic review (not the submitter).
  auto a = MustSubmit(Staff("alice"), ClinicForm());
  EXPECT_EQ(a.state, ApplicationState::kIssued);
  EXPECT_EQ(a.decided_by, "system:auto-review");
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthorizationTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::ra
