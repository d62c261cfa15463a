#pragma once

// The fixture of the application, issuance and reminder tests: a fresh store of each back
// end (store/store_test_fixture.h), a real CA hierarchy and issuer, the key pool, the
// sealing key, and accounts. Accounts: an in-memory KjAccounts keeping the contract of
// applications_accounts.h (passwords with generations, offset offices, an inbox with
// dedupe keys) while the accounts part's own implementation is not on main; the CLI and
// the integration test use the real one.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ca/issuer.h"
#include "ca/key_pool.h"
#include "ca/testing.h"
#include "common/time_util.h"
#include "kokuhoren/applications.h"
#include "kokuhoren/issuance.h"
#include "store/store_test_fixture.h"

namespace claimsca::kokuhoren::testing {

inline constexpr char kOffice[] = "1310000011";
inline constexpr char kOffice2[] = "1310000029";
inline constexpr char kOfficeAccount[] = "kj10000001";
inline constexpr char kOffice2Account[] = "kj10000002";
inline constexpr char kAgentAccount[] = "kj20000001";

class MemoryAccounts : public KjAccounts {
 public:
  struct Entry {
    KjAccount account;
    std::string login_password;
    std::vector<std::string> issuance;  // generation n is issuance[n - 1]
  };
  struct Post {
    std::string account_id, title, body, key;
    Instant at;
  };

  void Add(KjAccount a, std::string login, std::string issuance) {
    const std::string id = a.account_id;
    accounts_[id] = Entry{std::move(a), std::move(login), {std::move(issuance)}};
  }
  // A re-issue: a new generation.
  void Reissue(const std::string& id, std::string password) {
    accounts_.at(id).issuance.push_back(std::move(password));
  }

  Result<KjAccount> Find(std::string_view id) override {
    auto it = accounts_.find(std::string(id));
    if (it == accounts_.end()) return NotFound("account");
    return it->second.account;
  }
  Result<int64_t> VerifyIssuancePassword(std::string_view id, std::string_view pw) override {
    auto it = accounts_.find(std::string(id));
    if (it == accounts_.end() || it->second.issuance.back() != pw) {
      return Status(Code::kUnauthorized, "issuance password");
    }
    return static_cast<int64_t>(it->second.issuance.size());
  }
  Result<int64_t> IssuancePasswordGeneration(std::string_view id) override {
    auto it = accounts_.find(std::string(id));
    if (it == accounts_.end()) return NotFound("account");
    return static_cast<int64_t>(it->second.issuance.size());
  }
  Result<std::string> VerifyOffsetOffice(std::string_view user_id, std::string_view pw) override {
    auto it = accounts_.find(AccountIdOf(user_id));
    if (it == accounts_.end() || it->second.account.kind != kOfficeKind ||
        it->second.login_password != pw) {
      return Status(Code::kUnauthorized, "offset office");
    }
    return it->second.account.offices.front();
  }
  Result<bool> PostInbox(std::string_view id, std::string_view title, std::string_view body,
                         std::string_view key, Instant at) override {
    if (!keys_.insert(std::string(key)).second) return false;
    posts_.push_back(
        {std::string(id), std::string(title), std::string(body), std::string(key), at});
    return true;
  }
  const std::vector<Post>& posts() const { return posts_; }

 private:
  std::map<std::string, Entry> accounts_;
  std::set<std::string> keys_;
  std::vector<Post> posts_;
};

class KokuhorenTest : public store::test::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    hierarchy_ = ca::testing::MakeTestHierarchy(clock_.Now() - std::chrono::hours(24),
                                                crypto::KeyAlgorithm::kEcP256);
    ca::IssuerOptions io;
    io.organization = "claimsca test";
    io.urls = {"http://127.0.0.1/crl/issuing-1.crl", "http://127.0.0.1/ocsp",
               "http://127.0.0.1/ca/issuing-1.der"};
    issuer_ = std::make_unique<ca::Issuer>(io, hierarchy_.issuing.get(), *hierarchy_.issuing_signer,
                                           *store_, programs_, clock_);
    pool_ = std::make_unique<ca::KeyPool>(*store_, "pool secret", ca::KeyPoolOptions{});
    sealer_.emplace(std::move(crypto::SealedBox::Create(std::string(32, 's')).value()));
    accounts_.Add({kOfficeAccount,
                   std::string(kOfficeKind),
                   {kOffice},
                   "介護ステーション一番",
                   "office@example.jp"},
                  "login-1", "issue-1");
    accounts_.Add({kOffice2Account, std::string(kOfficeKind), {kOffice2}, "訪問介護二番", ""},
                  "login-2", "issue-2");
    accounts_.Add(
        {kAgentAccount, std::string(kAgentKind), {kOffice, kOffice2}, "請求代行株式会社", ""},
        "login-a", "issue-a");
    ApplicationOptions ao;
    ao.program = programs_.Find("kokuhoren").value();
    ao.sealer = &*sealer_;
    apps_ = std::make_unique<Applications>(*store_, accounts_, clock_, ao);
    issuance_ = std::make_unique<Issuance>(
        *store_, *issuer_, *pool_, programs_,
        std::vector<X509*>{hierarchy_.issuing.get(), hierarchy_.root.get()}, *sealer_, accounts_,
        clock_, "test-holder");
  }

  // An office's own application with its password and the terms accepted.
  ApplyRequest OfficeRequest(ValidityStart v = ValidityStart::kFromIssuance) {
    ApplyRequest r;
    r.account_id = kOfficeAccount;
    r.office_number = kOffice;
    r.issuance_password = "issue-1";
    r.validity = v;
    r.terms_accepted = true;
    return r;
  }

  static Instant At(const char* jst) { return *ParseInstant(jst); }

  FixedClock clock_{*ParseInstant("2027-01-11T10:00:00+09:00")};
  ca::ProgramRegistry programs_{{ca::CommonProgramDefaults(), ca::KokuhorenProgramDefaults()}};
  ca::testing::TestHierarchy hierarchy_;
  std::unique_ptr<ca::Issuer> issuer_;
  std::unique_ptr<ca::KeyPool> pool_;
  std::optional<crypto::SealedBox> sealer_;
  MemoryAccounts accounts_;
  std::unique_ptr<Applications> apps_;
  std::unique_ptr<Issuance> issuance_;
};

}  // namespace claimsca::kokuhoren::testing
