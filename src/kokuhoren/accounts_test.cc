#include "kokuhoren/accounts.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/codes.h"
#include "kokuhoren/accounts_kj.h"
#include "kokuhoren/accounts_test_fixture.h"
#include "kokuhoren/inbox.h"
#include "kokuhoren/types.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::kOffice1;
using testing::kOffice2;
using testing::kOfficeA;

class AccountsTest : public testing::KjStoreTest {
 protected:
  // The count of rows of `sql` (a SELECT count(*)).
  int64_t Count(const char* sql, const store::SqlParams& params = {}) {
    int64_t n = -1;
    Status st = store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(sql, params));
      ASSIGN_OR_RETURN(n, r->Int(0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }
};

TEST(OfficeNumberTest, SeriesIsValid) {
  std::set<std::string> seen;
  for (int i = 0; i < 300; ++i) {
    const std::string n = testing::OfficeNumber(i);
    EXPECT_TRUE(domain::CareOfficeNumberOk(n)) << n;
    EXPECT_TRUE(seen.insert(n).second) << n;
  }
  EXPECT_TRUE(domain::CareOfficeNumberOk(kOffice1));
  EXPECT_TRUE(domain::CareOfficeNumberOk(kOffice2));
  EXPECT_TRUE(domain::CareOfficeNumberOk(kOfficeA));
}

TEST_P(AccountsTest, RegisterOfficeThenFirstLoginMustChangeThePassword) {
  Office o;
  o.care_office_number = " 13a1234569 ";  // stored trimmed, upper case
  o.name = "訪問介護ステーションさくら";
  o.postal_code = "100-0001";
  auto reg = accounts_->RegisterOffice(o, "operator:test");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_TRUE(IsUserId(reg->user_id)) << reg->user_id;
  EXPECT_TRUE(reg->user_id.starts_with("KJ"));
  EXPECT_EQ(reg->account_id, AccountIdOf(reg->user_id));
  EXPECT_EQ(reg->offices, std::vector<std::string>{kOfficeA});
  EXPECT_EQ(reg->temporary_password.size(), 12u);
  EXPECT_NE(reg->temporary_password, reg->issuance_password);
  EXPECT_EQ(reg->postal_code, "1000001");

  auto office = accounts_->GetOffice(kOfficeA);
  ASSERT_TRUE(office.ok()) << office.status().ToString();
  EXPECT_EQ(office->account_id, reg->account_id);
  EXPECT_EQ(office->name, "訪問介護ステーションさくら");
  // Only hashes are stored.
  EXPECT_EQ(Count("SELECT count(*) FROM kj_issuance_passwords WHERE password_hash LIKE "
                  "'$argon2id$%' AND account_id = $1",
                  {reg->account_id}),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE password_hash = $1 OR password_hash = $2",
                  {reg->temporary_password, reg->issuance_password}),
            0);

  // First login with the user ID as printed: allowed, with the must-change mark.
  auto p = auth_->Login(reg->user_id, reg->temporary_password);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, "kj_office");
  EXPECT_TRUE(auth::Allows(*p, auth::Permission::kKjApply, kOfficeA));
  EXPECT_FALSE(auth::Allows(*p, auth::Permission::kKjApply, kOffice1));
  ASSERT_TRUE(accounts_->MustChangePassword(reg->user_id).ok());
  EXPECT_TRUE(*accounts_->MustChangePassword(reg->user_id));

  // The change: policy, not the same, the current one checked.
  EXPECT_EQ(accounts_->ChangePassword(reg->user_id, reg->temporary_password, "short").code(),
            Code::kInvalidArgument);
  Status same =
      accounts_->ChangePassword(reg->user_id, reg->temporary_password, reg->temporary_password);
  EXPECT_EQ(same.code(), Code::kInvalidArgument);
  EXPECT_NE(same.message().find("same_as_current"), std::string::npos) << same.message();
  EXPECT_EQ(
      accounts_->ChangePassword(reg->user_id, "wrong-password-1", "Sakura-Station-2026").code(),
      Code::kUnauthorized);
  auto session = auth_->IssueToken(reg->account_id, "session", seconds(600));
  ASSERT_TRUE(session.ok());
  ASSERT_OK(
      accounts_->ChangePassword(reg->user_id, reg->temporary_password, "Sakura-Station-2026"));
  EXPECT_FALSE(*accounts_->MustChangePassword(reg->user_id));
  EXPECT_EQ(auth_->Authenticate(*session).status().code(), Code::kUnauthorized);  // ended
  EXPECT_EQ(auth_->Login(reg->user_id, reg->temporary_password).status().code(),
            Code::kUnauthorized);
  EXPECT_TRUE(auth_->Login(reg->user_id, "Sakura-Station-2026").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'kokuhoren.password.change'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'kokuhoren.office.register'"), 1);
}

TEST_P(AccountsTest, RegisterOfficeRefusals) {
  Office o;
  o.name = "事業所";
  o.care_office_number = "1371234567";  // wrong check digit
  EXPECT_EQ(accounts_->RegisterOffice(o, "t").status().code(), Code::kInvalidArgument);
  o.care_office_number = "9971234566";  // no such prefecture
  EXPECT_EQ(accounts_->RegisterOffice(o, "t").status().code(), Code::kInvalidArgument);
  o.care_office_number = kOffice1;
  o.postal_code = "100-001";
  EXPECT_EQ(accounts_->RegisterOffice(o, "t").status().code(), Code::kInvalidArgument);
  o.postal_code = "";
  o.name = "";
  EXPECT_EQ(accounts_->RegisterOffice(o, "t").status().code(), Code::kInvalidArgument);
  o.name = "事業所";
  ASSERT_TRUE(accounts_->RegisterOffice(o, "t").ok());
  // Registered twice: Conflict, and no second account is left behind.
  EXPECT_EQ(accounts_->RegisterOffice(o, "t").status().code(), Code::kConflict);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE kind = 'kj_office'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM kj_password_change"), 1);
}

TEST_P(AccountsTest, AgentForMoreThanOneHundredOffices) {
  std::vector<std::string> offices;
  for (int i = 0; i < 120; ++i) {
    offices.push_back(testing::OfficeNumber(i));
    AddOffice(offices.back());
  }
  Agent g;
  g.name = "介護請求代行株式会社";
  g.offices = offices;
  auto reg = accounts_->RegisterAgent(g, "operator:test");
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  EXPECT_EQ(reg->kind, "kj_agent");
  EXPECT_EQ(reg->offices.size(), 120u);
  auto p = auth_->Login(reg->user_id, reg->temporary_password);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  for (const std::string& o : offices) {
    EXPECT_TRUE(auth::Allows(*p, auth::Permission::kKjApply, o)) << o;
  }
  EXPECT_FALSE(auth::Allows(*p, auth::Permission::kKjApply, kOffice1));
  auto agent = accounts_->GetAgent(reg->user_id);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  EXPECT_EQ(agent->offices.size(), 120u);
  auto agents = accounts_->ListAgents();
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_EQ(agents->front().offices.size(), 120u);
  auto listed = accounts_->ListOffices();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 120u);
  // The office's own account and the agent act for it.
  auto who = accounts_->AccountsForOffice(offices[7]);
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->size(), 2u);
  EXPECT_TRUE(std::find(who->begin(), who->end(), reg->account_id) != who->end());
}

TEST_P(AccountsTest, AgentRefusals) {
  AddOffice(kOffice1);
  Agent g;
  g.name = "代理人";
  EXPECT_EQ(accounts_->RegisterAgent(g, "t").status().code(), Code::kInvalidArgument);
  g.offices = {kOffice1, kOffice1};
  EXPECT_EQ(accounts_->RegisterAgent(g, "t").status().code(), Code::kInvalidArgument);
  g.offices = {kOffice1, kOffice2};  // kOffice2 not registered
  auto r = accounts_->RegisterAgent(g, "t");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find(kOffice2), std::string::npos) << r.status().message();
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE kind = 'kj_agent'"), 0);
}

TEST_P(AccountsTest, IssuancePasswordGenerations) {
  const Registration reg = AddOffice(kOffice1);
  EXPECT_EQ(*accounts_->IssuancePasswordGeneration(reg.account_id), 1);
  auto g = accounts_->VerifyIssuancePassword(reg.user_id, reg.issuance_password);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(*g, 1);
  EXPECT_EQ(accounts_->VerifyIssuancePassword(reg.user_id, reg.temporary_password).status().code(),
            Code::kUnauthorized);
  EXPECT_EQ(accounts_->VerifyIssuancePassword("kj99999999", "x").status().code(),
            Code::kUnauthorized);
  auto made = accounts_->MakeIssuancePassword(reg.account_id);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  const std::string second = made->first;
  ASSERT_OK(store::RunInTransaction(*store_, [&](store::SqlTx& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t added,
                     accounts_->AddIssuancePasswordIn(tx, reg.account_id, made->second));
    EXPECT_EQ(added, 2);
    return Status::Ok();
  }));
  EXPECT_EQ(*accounts_->IssuancePasswordGeneration(reg.account_id), 2);
  // The old one is refused from now on; the new one is generation 2.
  EXPECT_EQ(accounts_->VerifyIssuancePassword(reg.user_id, reg.issuance_password).status().code(),
            Code::kUnauthorized);
  EXPECT_EQ(*accounts_->VerifyIssuancePassword(reg.user_id, second), 2);
}

TEST_P(AccountsTest, OffsetOfficeIsCheckedLikeALoginAndLocksAfterThree) {
  const Registration office = AddOffice(kOffice1);
  AddOffice(kOffice2);
  Agent g;
  g.name = "代理人";
  g.offices = {kOffice2};
  auto agent = accounts_->RegisterAgent(g, "t");
  ASSERT_TRUE(agent.ok());
  auto code = accounts_->VerifyOffsetOffice(office.user_id, office.temporary_password);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, kOffice1);
  // An agent's account is not an offset office; unknown IDs answer the same.
  auto not_office = accounts_->VerifyOffsetOffice(agent->user_id, agent->temporary_password);
  auto unknown = accounts_->VerifyOffsetOffice("KJ00000000", "whatever-pass-1");
  EXPECT_EQ(not_office.status().code(), Code::kUnauthorized);
  EXPECT_EQ(unknown.status().code(), Code::kUnauthorized);
  EXPECT_EQ(not_office.status().message(), unknown.status().message());
  // Three wrong passwords lock the office's account for 30 minutes (kj lockout).
  EXPECT_EQ(accounts_->VerifyOffsetOffice(office.user_id, "wrong-1").status().code(),
            Code::kUnauthorized);
  EXPECT_EQ(accounts_->VerifyOffsetOffice(office.user_id, "wrong-2").status().code(),
            Code::kUnauthorized);
  EXPECT_EQ(accounts_->VerifyOffsetOffice(office.user_id, "wrong-3").status().code(),
            Code::kRateLimited);
  EXPECT_EQ(auth_->Login(office.user_id, office.temporary_password).status().code(),
            Code::kRateLimited);
  clock_.Advance(minutes(30));
  EXPECT_TRUE(accounts_->VerifyOffsetOffice(office.user_id, office.temporary_password).ok());
}

TEST_P(AccountsTest, InstitutionAccountsStillWork) {
  // Migration 060 rebuilt the accounts table on SQLite: the common kinds still go in.
  store::AccountRecord a;
  a.account_id = "clinic@example.jp";
  a.kind = "institution";
  a.institution_codes = {"1312345678"};
  a.display_name = "さくら内科";
  ASSERT_OK(auth_->CreateAccount(a, "Correct-Horse-2026", "t"));
  EXPECT_TRUE(auth_->Login("clinic@example.jp", "Correct-Horse-2026").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE kind = 'robot'"), 0);
}

TEST_P(AccountsTest, ResetLoginPasswordByAnAdministrator) {
  const Registration reg = AddOffice(kOffice1);
  ASSERT_OK(accounts_->ChangePassword(reg.user_id, reg.temporary_password, "Sakura-Station-2026"));
  // Locked by three wrong passwords, then reset.
  for (const char* wrong : {"w-1", "w-2", "w-3"}) (void)auth_->Login(reg.user_id, wrong);
  EXPECT_EQ(auth_->Login(reg.user_id, "Sakura-Station-2026").status().code(), Code::kRateLimited);
  auto session = auth_->IssueToken(reg.account_id, "session", seconds(600));
  ASSERT_TRUE(session.ok());
  auto reset = accounts_->ResetLoginPassword(reg.user_id, "operator:admin");
  ASSERT_TRUE(reset.ok()) << reset.status().ToString();
  EXPECT_EQ(reset->user_id, reg.user_id);
  EXPECT_TRUE(reset->issuance_password.empty());
  EXPECT_EQ(reset->name, "事業所 " + std::string(kOffice1));
  EXPECT_EQ(reset->postal_code, "1000001");
  EXPECT_TRUE(auth_->Login(reg.user_id, reset->temporary_password).ok());  // lock cleared
  EXPECT_EQ(auth_->Login(reg.user_id, "Sakura-Station-2026").status().code(), Code::kUnauthorized);
  EXPECT_TRUE(*accounts_->MustChangePassword(reg.user_id));
  EXPECT_EQ(auth_->Authenticate(*session).status().code(), Code::kUnauthorized);
  // The issuance password did not change.
  EXPECT_EQ(*accounts_->VerifyIssuancePassword(reg.user_id, reg.issuance_password), 1);
  EXPECT_EQ(accounts_->ResetLoginPassword("kj00000000", "operator:admin").status().code(),
            Code::kNotFound);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'kokuhoren.password.reset'"), 1);
}

TEST_P(AccountsTest, KjAccountsInterfaceForApplications) {
  Office o;
  o.care_office_number = kOffice1;
  o.name = "訪問介護さくら";
  o.email = "sakura@example.jp";
  auto office = accounts_->RegisterOffice(o, "t");
  ASSERT_TRUE(office.ok());
  AddOffice(kOffice2);
  Agent g;
  g.name = "請求代行株式会社";
  g.offices = {kOffice2, kOffice1};
  auto agent = accounts_->RegisterAgent(g, "t");
  ASSERT_TRUE(agent.ok());
  StoreKjAccounts kj(*store_, *accounts_);

  auto a = kj.Find(office->account_id);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->kind, "kj_office");
  EXPECT_EQ(a->name, "訪問介護さくら");
  EXPECT_EQ(a->email, "sakura@example.jp");
  EXPECT_EQ(a->offices, std::vector<std::string>{kOffice1});
  auto b = kj.Find(agent->user_id);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->kind, "kj_agent");
  EXPECT_EQ(b->name, "請求代行株式会社");
  EXPECT_EQ(b->offices, (std::vector<std::string>{kOffice1, kOffice2}));
  EXPECT_EQ(kj.Find("kj00000000").status().code(), Code::kNotFound);

  EXPECT_EQ(*kj.VerifyIssuancePassword(office->account_id, office->issuance_password), 1);
  EXPECT_EQ(*kj.IssuancePasswordGeneration(agent->account_id), 1);
  EXPECT_EQ(*kj.VerifyOffsetOffice(office->user_id, office->temporary_password), kOffice1);
  EXPECT_TRUE(*kj.PostInbox(office->account_id, "件名", "本文", "k1", kT0));
  EXPECT_FALSE(*kj.PostInbox(office->account_id, "件名", "本文", "k1", kT0));
  EXPECT_EQ(ListMessages(*store_, office->account_id)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountsTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::kokuhoren
