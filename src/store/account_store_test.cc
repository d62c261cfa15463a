// AccountStore on both back ends: accounts, login failure bookkeeping, tokens, and the
// audit rows the mutating methods append.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/time_util.h"
#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::store {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

class AccountStoreTest : public StoreTest {
 protected:
  static AccountRecord Institution(const std::string& id) {
    AccountRecord a;
    a.account_id = id;
    a.kind = "institution";
    a.institution_codes = {"1312345678", "06130011"};
    a.display_name = "さくら内科クリニック";
    a.email = id;
    a.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
    a.created_at = kT0;
    return a;
  }

  static AccountRecord Operator(const std::string& id, std::vector<std::string> roles) {
    AccountRecord a;
    a.account_id = id;
    a.kind = "operator";
    a.roles = std::move(roles);
    a.display_name = "田中 太郎";
    a.email = id + "@ca.example.jp";
    a.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$b3BlcmF0b3I$b3BlcmF0b3I";
    a.created_at = kT0 + seconds(1);
    return a;
  }

  static AuditEvent Audit(const std::string& action, const std::string& subject) {
    return AuditEvent{kT0, "operator:admin", action, subject, "{}"};
  }

  static TokenRecord Token(const std::string& hash, const std::string& account,
                           const std::string& kind, Instant expires) {
    TokenRecord t;
    t.token_hash = hash;
    t.account_id = account;
    t.kind = kind;
    t.created_at = kT0;
    t.expires_at = expires;
    t.data = "csrf-" + hash;
    return t;
  }

  int64_t AuditRows() {
    int64_t rows = -1;
    Status st = store_->VerifyAuditChain(&rows);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return rows;
  }
};

TEST_P(AccountStoreTest, CreateGetList) {
  AccountRecord inst = Institution("clinic@example.jp");
  ASSERT_OK(store_->CreateAccount(inst, Audit("account.create", inst.account_id)));
  AccountRecord op = Operator("tanaka", {"reviewer", "administrator", "operator"});
  op.email_verified = true;
  ASSERT_OK(store_->CreateAccount(op, Audit("account.create", op.account_id)));

  auto got = store_->GetAccount("clinic@example.jp");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->account_id, inst.account_id);
  EXPECT_EQ(got->kind, "institution");
  EXPECT_EQ(got->display_name, inst.display_name);
  EXPECT_EQ(got->email, inst.email);
  EXPECT_EQ(got->password_hash, inst.password_hash);
  EXPECT_FALSE(got->email_verified);
  EXPECT_FALSE(got->disabled);
  EXPECT_EQ(got->failed_logins, 0);
  EXPECT_FALSE(got->locked_until.has_value());
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_TRUE(got->roles.empty());
  // Roles and codes come back sorted.
  EXPECT_EQ(got->institution_codes, (std::vector<std::string>{"06130011", "1312345678"}));

  auto got_op = store_->GetAccount("tanaka");
  ASSERT_TRUE(got_op.ok());
  EXPECT_EQ(got_op->roles, (std::vector<std::string>{"administrator", "operator", "reviewer"}));
  EXPECT_TRUE(got_op->institution_codes.empty());
  EXPECT_TRUE(got_op->email_verified);

  EXPECT_CODE(store_->GetAccount("nobody").status(), kNotFound);

  auto all = store_->ListAccounts("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].account_id, "clinic@example.jp");  // by account_id
  EXPECT_EQ((*all)[1].account_id, "tanaka");
  EXPECT_EQ((*all)[1].roles.size(), 3u);
  auto ops = store_->ListAccounts("operator");
  ASSERT_TRUE(ops.ok());
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ((*ops)[0].account_id, "tanaka");
  auto insts = store_->ListAccounts("institution");
  ASSERT_TRUE(insts.ok());
  ASSERT_EQ(insts->size(), 1u);
  EXPECT_EQ((*insts)[0].institution_codes.size(), 2u);
  EXPECT_EQ(AuditRows(), 2);
}

TEST_P(AccountStoreTest, DuplicateIsConflictAndWritesNothing) {
  ASSERT_OK(store_->CreateAccount(Institution("a@example.jp"), Audit("account.create", "a")));
  AccountRecord again = Institution("a@example.jp");
  again.display_name = "other";
  EXPECT_CODE(store_->CreateAccount(again, Audit("account.create", "a")), kConflict);
  auto got = store_->GetAccount("a@example.jp");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->display_name, Institution("a").display_name);
  EXPECT_EQ(AuditRows(), 1);  // the refused create appended nothing
}

TEST_P(AccountStoreTest, RefusesMalformedAccounts) {
  auto refused = [&](AccountRecord a) {
    EXPECT_CODE(store_->CreateAccount(a, Audit("account.create", a.account_id)), kInvalidArgument)
        << a.account_id;
  };
  AccountRecord a = Institution("");
  refused(a);
  a = Institution("x");
  a.kind = "robot";
  refused(a);
  a = Operator("y", {"reviewer", "root"});
  refused(a);
  a = Operator("y", {"reviewer", "reviewer"});
  refused(a);
  a = Institution("z");
  a.institution_codes = {"131234567"};  // 9 digits
  refused(a);
  a = Institution("z");
  a.institution_codes = {"1312345678,0613001"};
  refused(a);
  a = Institution("z");
  a.password_hash.clear();
  refused(a);
  EXPECT_CODE(store_->CreateAccount(Institution("ok"), AuditEvent{kT0, "", "x", "", "{}"}),
              kInvalidArgument);
  auto all = store_->ListAccounts("");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  EXPECT_EQ(AuditRows(), 0);
}

TEST_P(AccountStoreTest, LoginFailuresLockAndReset) {
  ASSERT_OK(store_->CreateAccount(Operator("op", {"reviewer"}), Audit("account.create", "op")));
  const seconds lock(900);
  for (int i = 1; i <= 2; ++i) {
    auto a = store_->RecordLoginFailure("op", kT0 + seconds(i), 3, lock);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->failed_logins, i);
    EXPECT_FALSE(a->locked_until.has_value());
  }
  // The third failure locks until at + lock_for and resets the counter.
  auto locked = store_->RecordLoginFailure("op", kT0 + seconds(3), 3, lock);
  ASSERT_TRUE(locked.ok());
  EXPECT_EQ(locked->failed_logins, 0);
  ASSERT_TRUE(locked->locked_until.has_value());
  EXPECT_EQ(*locked->locked_until, kT0 + seconds(3) + lock);
  EXPECT_EQ(locked->roles, (std::vector<std::string>{"reviewer"}));  // full record
  // A failure after the lock counts from zero and keeps the old lock instant.
  auto after = store_->RecordLoginFailure("op", kT0 + seconds(2000), 3, lock);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->failed_logins, 1);
  EXPECT_EQ(*after->locked_until, kT0 + seconds(3) + lock);

  // Success clears both.
  ASSERT_OK(store_->RecordLoginSuccess("op", kT0 + seconds(2001)));
  auto ok = store_->GetAccount("op");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->failed_logins, 0);
  EXPECT_FALSE(ok->locked_until.has_value());

  // max_failures 1 locks at once.
  auto one = store_->RecordLoginFailure("op", kT0, 1, seconds(60));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one->locked_until, kT0 + seconds(60));

  EXPECT_CODE(store_->RecordLoginFailure("nobody", kT0, 3, lock).status(), kNotFound);
  EXPECT_CODE(store_->RecordLoginSuccess("nobody", kT0), kNotFound);
  EXPECT_CODE(store_->RecordLoginFailure("op", kT0, 0, lock).status(), kInvalidArgument);
  EXPECT_CODE(store_->RecordLoginFailure("op", kT0, 3, seconds(-1)).status(), kInvalidArgument);
  // The creation, then every recorded login: 2 failures, the locking one, one after the
  // lock, the success, the immediate lock (the refused calls wrote nothing).
  EXPECT_EQ(AuditRows(), 7);
  auto trail = store_->AuditBySubject("op", 100);
  ASSERT_TRUE(trail.ok()) << trail.status().ToString();
  std::vector<std::string> seen;
  for (const AuditEntry& e : *trail) seen.push_back(e.actor + " " + e.action + " " + e.details);
  EXPECT_THAT(seen, ::testing::Contains(R"(system:auth account.login_failed {"failed_logins":2})"));
  EXPECT_THAT(seen, ::testing::Contains("system:auth account.login_failed "
                                        R"({"locked_until":")" +
                                        FormatUtc(kT0 + seconds(3) + lock) + "\"}"));
  EXPECT_THAT(seen, ::testing::Contains("self:op account.login {}"));
}

TEST_P(AccountStoreTest, ConcurrentFailuresAreAllCounted) {
  ASSERT_OK(store_->CreateAccount(Operator("op", {"reviewer"}), Audit("account.create", "op")));
  constexpr int kThreads = 8;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (!store_->RecordLoginFailure("op", kT0, 1000, seconds(60)).ok()) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  auto a = store_->GetAccount("op");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->failed_logins, kThreads * kEach);  // no lost update
}

TEST_P(AccountStoreTest, SetPasswordVerifiedDisabled) {
  ASSERT_OK(store_->CreateAccount(Institution("c@example.jp"), Audit("account.create", "c")));
  ASSERT_TRUE(store_->RecordLoginFailure("c@example.jp", kT0, 1, seconds(60)).ok());
  ASSERT_OK(
      store_->SetPasswordHash("c@example.jp", "$argon2id$new", Audit("account.password", "c")));
  auto a = store_->GetAccount("c@example.jp");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->password_hash, "$argon2id$new");
  EXPECT_FALSE(a->locked_until.has_value());  // a new password clears the lock
  EXPECT_EQ(a->failed_logins, 0);

  ASSERT_OK(store_->SetEmailVerified("c@example.jp", Audit("account.verify", "c")));
  ASSERT_OK(store_->SetDisabled("c@example.jp", true, Audit("account.disable", "c")));
  a = store_->GetAccount("c@example.jp");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->email_verified);
  EXPECT_TRUE(a->disabled);
  ASSERT_OK(store_->SetDisabled("c@example.jp", false, Audit("account.enable", "c")));
  a = store_->GetAccount("c@example.jp");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->disabled);

  // Unknown accounts: NotFound, and no audit row.
  EXPECT_CODE(store_->SetPasswordHash("nobody", "h", Audit("account.password", "n")), kNotFound);
  EXPECT_CODE(store_->SetEmailVerified("nobody", Audit("account.verify", "n")), kNotFound);
  EXPECT_CODE(store_->SetDisabled("nobody", true, Audit("account.disable", "n")), kNotFound);
  EXPECT_CODE(store_->SetPasswordHash("c@example.jp", "", Audit("account.password", "c")),
              kInvalidArgument);
  EXPECT_EQ(AuditRows(), 6);  // 5 changes and the login failure that locked the account
}

TEST_P(AccountStoreTest, Tokens) {
  ASSERT_OK(store_->CreateAccount(Institution("t@example.jp"), Audit("account.create", "t")));
  ASSERT_OK(store_->CreateAccount(Operator("op", {"operator"}), Audit("account.create", "op")));
  const Instant exp = kT0 + seconds(3600);
  ASSERT_OK(store_->PutToken(Token("h-session", "t@example.jp", "session", exp)));
  ASSERT_OK(store_->PutToken(Token("h-api", "t@example.jp", "api", exp)));
  ASSERT_OK(store_->PutToken(Token("h-verify", "t@example.jp", "email_verify", exp)));
  ASSERT_OK(store_->PutToken(Token("h-op", "op", "session", exp)));
  EXPECT_CODE(store_->PutToken(Token("h-api", "op", "api", exp)), kConflict);
  EXPECT_CODE(store_->PutToken(Token("h-x", "nobody", "api", exp)), kNotFound);
  EXPECT_CODE(store_->PutToken(Token("h-y", "op", "cookie", exp)), kInvalidArgument);
  EXPECT_CODE(store_->PutToken(Token("", "op", "api", exp)), kInvalidArgument);

  auto t = store_->GetToken("h-session", kT0);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->token_hash, "h-session");
  EXPECT_EQ(t->account_id, "t@example.jp");
  EXPECT_EQ(t->kind, "session");
  EXPECT_EQ(t->created_at, kT0);
  EXPECT_EQ(t->expires_at, exp);
  EXPECT_EQ(t->data, "csrf-h-session");
  // Valid up to the second before expires_at; expired at it.
  EXPECT_TRUE(store_->GetToken("h-session", exp - seconds(1)).ok());
  EXPECT_CODE(store_->GetToken("h-session", exp).status(), kNotFound);
  EXPECT_CODE(store_->GetToken("unknown", kT0).status(), kNotFound);

  ASSERT_OK(store_->DeleteToken("h-session"));
  ASSERT_OK(store_->DeleteToken("h-session"));  // no-op when absent
  EXPECT_CODE(store_->GetToken("h-session", kT0).status(), kNotFound);

  // By kind, then all kinds; other accounts keep theirs.
  ASSERT_OK(store_->DeleteTokens("t@example.jp", "api"));
  EXPECT_CODE(store_->GetToken("h-api", kT0).status(), kNotFound);
  EXPECT_TRUE(store_->GetToken("h-verify", kT0).ok());
  ASSERT_OK(store_->DeleteTokens("t@example.jp", ""));
  EXPECT_CODE(store_->GetToken("h-verify", kT0).status(), kNotFound);
  EXPECT_TRUE(store_->GetToken("h-op", kT0).ok());
}

TEST_P(AccountStoreTest, ExpiredTokensArePurged) {
  ASSERT_OK(store_->CreateAccount(Institution("t@example.jp"), Audit("account.create", "t")));
  ASSERT_OK(store_->PutToken(Token("h-old", "t@example.jp", "session", kT0 + seconds(60))));
  ASSERT_OK(store_->PutToken(Token("h-new", "t@example.jp", "session", kT0 + seconds(3600))));
  EXPECT_EQ(*store_->PurgeExpiredTokens(kT0 + seconds(60)), 0);  // kept through expires_at
  EXPECT_EQ(*store_->PurgeExpiredTokens(kT0 + seconds(61)), 1);
  EXPECT_CODE(store_->GetToken("h-old", kT0).status(), kNotFound);  // gone, not just expired
  EXPECT_TRUE(store_->GetToken("h-new", kT0).ok());
}

TEST_P(AccountStoreTest, HostileTextRoundTrips) {
  const std::string hostile =
      "'); DROP TABLE accounts; -- \"x\" \\ \t\n\r 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ％ _ % 髙橋 \xef\xbb\xbf";
  AccountRecord a = Institution(hostile);
  a.display_name = hostile;
  a.email = hostile + "@example.jp";
  a.password_hash = hostile;
  AuditEvent e{kT0, "operator:" + hostile, "account.create", hostile, R"({"q":"\"'"})"};
  ASSERT_OK(store_->CreateAccount(a, e));
  auto got = store_->GetAccount(hostile);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->account_id, hostile);
  EXPECT_EQ(got->display_name, hostile);
  EXPECT_EQ(got->email, a.email);
  EXPECT_EQ(got->password_hash, hostile);
  // LIKE wildcards in the kind filter match nothing.
  auto none = store_->ListAccounts("%");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  TokenRecord t = Token(hostile, hostile, "password_reset", kT0 + seconds(10));
  t.data = hostile;
  ASSERT_OK(store_->PutToken(t));
  auto tok = store_->GetToken(hostile, kT0);
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ(tok->data, hostile);
  EXPECT_EQ(tok->account_id, hostile);
  ASSERT_OK(store_->DeleteTokens(hostile, "password_reset"));
  EXPECT_CODE(store_->GetToken(hostile, kT0).status(), kNotFound);
  EXPECT_EQ(AuditRows(), 1);
}

TEST_P(AccountStoreTest, AuditRowsJoinTheChain) {
  // Mixed with plain appends: one chain.
  ASSERT_OK(store_->AppendAudit(Audit("register.import", "v1")));
  ASSERT_OK(store_->CreateAccount(Operator("op", {"reviewer"}), Audit("account.create", "op")));
  ASSERT_OK(store_->SetDisabled("op", true, Audit("account.disable", "op")));
  ASSERT_OK(store_->AppendAudit(Audit("certificate.revoke", "01")));
  ASSERT_OK(store_->SetEmailVerified("op", Audit("account.verify", "op")));
  ASSERT_OK(store_->SetPasswordHash("op", "h2", Audit("account.password", "op")));
  EXPECT_EQ(AuditRows(), 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace claimsca::store
