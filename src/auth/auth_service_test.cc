#include "auth/auth_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "auth/token.h"
#include "store/store.h"

namespace claimsca::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Instant kT0{seconds(1'800'000'000)};
constexpr KdfParams kFast{1, 8 * 1024};
constexpr char kPassword[] = "Correct-Horse-2026";

// ---------------------------------------------------------------------------------------
// Permissions: the table of docs/accounts.md, read from the file, against Allows for
// every kind × role × permission × scope.

Principal Make(std::string kind, std::vector<std::string> roles,
               std::vector<std::string> codes = {}) {
  return Principal{"someone", std::move(kind), std::move(roles), std::move(codes)};
}

constexpr char kOwn[] = "1312345678";
constexpr char kOther[] = "1312345679";

// One row of the docs table: the permission's cell for each column.
struct DocRow {
  Permission permission;
  std::string institution, reviewer, op, admin, kj_office, kj_agent;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.front() == ' ')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ')) s.pop_back();
  return s;
}

// The rows of the table under "## Roles and permissions" whose first cell is a permission
// name in backquotes.
std::vector<DocRow> ReadDocsTable() {
  std::ifstream in(std::string(CLAIMSCA_DOCS_DIR) + "/accounts.md");
  EXPECT_TRUE(in.good()) << "docs/accounts.md not found under " << CLAIMSCA_DOCS_DIR;
  std::vector<DocRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("| `")) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(Trim(cell));
    if (cells.size() < 8) continue;
    const std::string name = cells[0].substr(1, cells[0].find('`', 1) - 1);
    std::optional<Permission> perm;
    for (Permission p : kAllPermissions) {
      if (PermissionName(p) == name) perm = p;
    }
    EXPECT_TRUE(perm.has_value()) << "docs/accounts.md names an unknown permission: " << name;
    if (perm) rows.push_back({*perm, cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]});
  }
  return rows;
}

TEST(AuthPermissionTest, MatchesDocsTable) {
  const std::vector<DocRow> rows = ReadDocsTable();
  ASSERT_EQ(rows.size(), std::size(kAllPermissions)) << "one row per permission in the table";
  std::set<Permission> seen;
  const std::string scopes[] = {kOwn, kOther, std::string(kAnyInstitution),
                                std::string(kEveryInstitution)};
  for (const DocRow& row : rows) {
    EXPECT_TRUE(seen.insert(row.permission).second) << PermissionName(row.permission);
    const std::string_view name = PermissionName(row.permission);
    ASSERT_TRUE(row.institution.empty() || row.institution == "own codes") << name;
    const bool own = row.institution == "own codes";
    const Principal clinic = Make("institution", {}, {kOwn, "06130011"});
    EXPECT_EQ(Allows(clinic, row.permission, kOwn), own) << name;
    EXPECT_EQ(Allows(clinic, row.permission, "06130011"), own) << name;
    EXPECT_EQ(Allows(clinic, row.permission, kAnyInstitution), own) << name;
    EXPECT_FALSE(Allows(clinic, row.permission, kOther)) << name;
    EXPECT_FALSE(Allows(clinic, row.permission, kEveryInstitution)) << name;
    EXPECT_FALSE(Allows(clinic, row.permission, "131234567")) << name;  // a prefix is not it
    EXPECT_FALSE(Allows(Make("institution", {}, {}), row.permission, kOwn)) << name;
    // Roles on an institution account mean nothing.
    EXPECT_FALSE(Allows(Make("institution", {"administrator"}, {kOwn}), row.permission, kOther));
    // The 国保連 kinds: their codes are care office numbers (one letter allowed).
    for (const auto& [kind, cell] :
         {std::pair<std::string, std::string>{"kj_office", row.kj_office},
          {"kj_agent", row.kj_agent}}) {
      ASSERT_TRUE(cell.empty() || cell == "own offices") << name << " " << kind;
      const bool mine = cell == "own offices";
      const Principal kj = Make(kind, {}, {kOwn, "13A1234567"});
      EXPECT_EQ(Allows(kj, row.permission, kOwn), mine) << name << " " << kind;
      EXPECT_EQ(Allows(kj, row.permission, "13A1234567"), mine) << name << " " << kind;
      EXPECT_EQ(Allows(kj, row.permission, kAnyInstitution), mine) << name << " " << kind;
      EXPECT_FALSE(Allows(kj, row.permission, kOther)) << name << " " << kind;
      EXPECT_FALSE(Allows(kj, row.permission, kEveryInstitution)) << name << " " << kind;
      EXPECT_FALSE(Allows(Make(kind, {}, {}), row.permission, kOwn)) << name << " " << kind;
      EXPECT_FALSE(Allows(Make(kind, {"administrator"}, {kOwn}), row.permission, kOther)) << name;
    }
    // The programs do not share permissions: no row is open to both an institution and a
    // kj kind, and the kj_* rows are exactly those named kj_*.
    const bool kj_row = name.starts_with("kj_");
    EXPECT_FALSE(own && kj_row) << name;
    EXPECT_FALSE(!kj_row && (!row.kj_office.empty() || !row.kj_agent.empty())) << name;
    const std::pair<const char*, const std::string*> roles[] = {
        {"reviewer", &row.reviewer}, {"operator", &row.op}, {"administrator", &row.admin}};
    for (const auto& [role, cell] : roles) {
      ASSERT_TRUE(cell->empty() || *cell == "✓") << name << " " << role << ": " << *cell;
      for (const std::string& scope : scopes) {
        EXPECT_EQ(Allows(Make("operator", {role}), row.permission, scope), *cell == "✓")
            << name << " " << role << " scope '" << scope << "'";
      }
    }
    // Several roles: the highest counts; unknown ones add nothing.
    EXPECT_EQ(Allows(Make("operator", {"root", "reviewer"}), row.permission), row.reviewer == "✓")
        << name;
    EXPECT_EQ(Allows(Make("operator", {"reviewer", "administrator"}), row.permission),
              row.admin == "✓")
        << name;
    for (const Principal& nobody :
         {Make("operator", {}), Make("operator", {"root"}), Make("operator", {"Administrator"}),
          Make("robot", {"administrator"}, {kOwn}), Make("", {"administrator"}),
          Principal{"", "operator", {"administrator"}, {}},
          Principal{"", "institution", {}, {kOwn}}, Principal{}}) {
      for (const std::string& scope : scopes) {
        EXPECT_FALSE(Allows(nobody, row.permission, scope))
            << name << " " << nobody.kind << " scope '" << scope << "'";
      }
    }
  }
  for (Permission p : kAllPermissions) EXPECT_TRUE(seen.count(p)) << PermissionName(p);
}

TEST(AuthPermissionTest, ReviewerOnlyReadsAndReviews) {
  // The issue that made the table matter: a reviewer alone must never create a certificate.
  // Keying a 資格確認限定型 or subsidy paper form (docs/qualcheck.md) issues nothing: the
  // reviewer role does that data entry and reviews it.
  const Principal reviewer = Make("operator", {"reviewer"});
  for (Permission p : kAllPermissions) {
    const bool want = p == Permission::kRead || p == Permission::kReview ||
                      p == Permission::kKjRead || p == Permission::kKjReview ||
                      p == Permission::kQcApply || p == Permission::kQcReview ||
                      p == Permission::kSubsidyApply || p == Permission::kSubsidyReview;
    EXPECT_EQ(Allows(reviewer, p, kOwn), want) << PermissionName(p);
  }
}

TEST(AuthPermissionTest, Names) {
  EXPECT_EQ(PermissionName(Permission::kApply), "apply");
  EXPECT_EQ(PermissionName(Permission::kManageAccounts), "manage_accounts");
  EXPECT_EQ(PermissionName(Permission::kBilling), "billing");
  EXPECT_EQ(PermissionName(Permission::kHandOverPassword), "hand_over_password");
  std::set<std::string_view> names;
  for (Permission p : kAllPermissions) names.insert(PermissionName(p));
  EXPECT_EQ(names.size(), std::size(kAllPermissions));
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(AuthPermissionTest, CodeSyntax) {
  EXPECT_TRUE(IsInstitutionCodeSyntax("1312345678"));
  EXPECT_TRUE(IsInstitutionCodeSyntax("06130011"));
  for (const char* bad : {"", "131234567", "13123456789", "0613001", "131234567a",
                          "１３１２３４５６７８", "1312-45678", " 06130011"}) {
    EXPECT_FALSE(IsInstitutionCodeSyntax(bad)) << bad;
  }
}

// ---------------------------------------------------------------------------------------
// AuthService on a real SQLite store.

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(std::random_device{}());
    dir_ = std::filesystem::path(::testing::TempDir()) / ("claimsca_auth_" + std::to_string(rng()));
    std::filesystem::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "store.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    Status st = store_->Migrate();
    ASSERT_TRUE(st.ok()) << st.ToString();
    options_.kdf = kFast;
    options_.max_failed_logins = 3;
    options_.lock_for = minutes(15);
    auth_ = std::make_unique<AuthService>(*store_, clock_, options_);
  }
  void TearDown() override {
    auth_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static store::AccountRecord Clinic(const std::string& id = "clinic@example.jp") {
    store::AccountRecord a;
    a.account_id = id;
    a.kind = "institution";
    a.institution_codes = {"1312345678"};
    a.display_name = "さくら内科";
    return a;
  }
  static store::AccountRecord Staff(const std::string& id, std::vector<std::string> roles) {
    store::AccountRecord a;
    a.account_id = id;
    a.kind = "operator";
    a.roles = std::move(roles);
    a.display_name = "田中";
    a.email = id + "@ca.example.jp";
    return a;
  }

  Code LoginCode(std::string_view id, std::string_view pw) {
    return auth_->Login(id, pw).status().code();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  FixedClock clock_{kT0};
  AuthOptions options_;
  std::unique_ptr<AuthService> auth_;
};

TEST_F(AuthServiceTest, CreateAndLogin) {
  ASSERT_TRUE(
      auth_->CreateAccount(Clinic(" Clinic@Example.JP "), kPassword, "operator:admin").ok());
  auto stored = store_->GetAccount("clinic@example.jp");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_TRUE(stored->password_hash.starts_with("$argon2id$"));
  EXPECT_EQ(stored->password_hash.find(kPassword), std::string::npos);
  EXPECT_EQ(stored->email, "clinic@example.jp");  // defaults to the account id
  EXPECT_EQ(stored->created_at, kT0);

  auto p = auth_->Login("CLINIC@example.jp", kPassword);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account_id, "clinic@example.jp");
  EXPECT_EQ(p->kind, "institution");
  EXPECT_EQ(p->institution_codes, std::vector<std::string>{"1312345678"});
  EXPECT_TRUE(Allows(*p, Permission::kApply));
  EXPECT_TRUE(Allows(*p, Permission::kCancel, "1312345678"));

  EXPECT_EQ(auth_->CreateAccount(Clinic(), kPassword, "operator:admin").code(), Code::kConflict);
  int64_t rows = 0;
  ASSERT_TRUE(store_->VerifyAuditChain(&rows).ok());
  EXPECT_EQ(rows, 2);  // the creation and the login
}

TEST_F(AuthServiceTest, CreateValidates) {
  struct Case {
    store::AccountRecord a;
    std::string password;
    std::string fragment;  // expected in the message
  };
  auto clinic_codes = [](std::vector<std::string> codes) {
    auto a = Clinic();
    a.institution_codes = std::move(codes);
    return a;
  };
  auto clinic_kind = [](std::string kind) {
    auto a = Clinic();
    a.kind = std::move(kind);
    return a;
  };
  auto clinic_roles = Clinic();
  clinic_roles.roles = {"reviewer"};
  auto staff_codes = Staff("tanaka", {"reviewer"});
  staff_codes.institution_codes = {"1312345678"};
  const std::vector<Case> cases = {
      {Clinic(""), kPassword, "account_id: required"},
      {Clinic("   "), kPassword, "account_id: required"},
      {Clinic("not-an-email"), kPassword, "account_id: not_email"},
      {Clinic("a@b"), kPassword, "account_id: not_email"},
      {Clinic("a b@example.jp"), kPassword, "account_id: invalid_char"},
      {Clinic("a\n@example.jp"), kPassword, "account_id: invalid_char"},
      {Clinic(std::string(250, 'a') + "@example.jp"), kPassword, "account_id: too_long"},
      {clinic_kind("robot"), kPassword, "kind: unknown"},
      {clinic_kind(""), kPassword, "kind: unknown"},
      {clinic_codes({}), kPassword, "institution_codes: required"},
      {clinic_codes({"131234567"}), kPassword, "institution_codes: format"},
      {clinic_codes({"１３１２３４５６７８"}), kPassword, "institution_codes: format"},
      {clinic_codes({"1312345678", "1312345678"}), kPassword, "institution_codes: duplicate"},
      {clinic_roles, kPassword, "roles: institution_has_roles"},
      {Staff("tanaka", {}), kPassword, "roles: required"},
      {Staff("tanaka", {"root"}), kPassword, "roles: unknown"},
      {Staff("tanaka", {"reviewer", "reviewer"}), kPassword, "roles: duplicate"},
      {staff_codes, kPassword, "institution_codes: operator_has_codes"},
      {Staff("tanaka@example.jp", {"reviewer"}), kPassword, "account_id: invalid_char"},
      {Staff("tanaka", {"reviewer"}), "short-1A", "password: too_short"},
      {Staff("tanaka", {"reviewer"}), "tanaka-2026-pass", "password: contains_id"},
      {Staff("tanaka", {"reviewer"}), "", "password: required"},
  };
  for (const Case& c : cases) {
    Status st = auth_->CreateAccount(c.a, c.password, "operator:admin");
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << c.fragment;
    EXPECT_NE(st.message().find(c.fragment), std::string::npos) << st.message();
    // The password is never echoed.
    if (!c.password.empty()) {
      EXPECT_EQ(st.message().find(c.password), std::string::npos) << st.message();
    }
  }
  auto all = store_->ListAccounts("");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
  // Both code lengths are accepted.
  EXPECT_TRUE(
      auth_->CreateAccount(clinic_codes({"1312345678", "06130011"}), kPassword, "operator:admin")
          .ok());
  EXPECT_TRUE(
      auth_->CreateAccount(Staff("tanaka.t-2", {"administrator"}), kPassword, "system:init").ok());
}

TEST_F(AuthServiceTest, WrongUserAndWrongPasswordLookTheSame) {
  ASSERT_TRUE(auth_->CreateAccount(Clinic(), kPassword, "operator:admin").ok());
  auto unknown = auth_->Login("nobody@example.jp", kPassword);
  auto wrong = auth_->Login("clinic@example.jp", "Wrong-Horse-2026");
  auto empty = auth_->Login("", kPassword);
  EXPECT_EQ(unknown.status().code(), Code::kUnauthorized);
  EXPECT_EQ(wrong.status().code(), Code::kUnauthorized);
  EXPECT_EQ(empty.status().code(), Code::kUnauthorized);
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  EXPECT_EQ(unknown.status().message(), empty.status().message());
  EXPECT_EQ(wrong.status().message().find("Wrong-Horse"), std::string::npos);
}

TEST_F(AuthServiceTest, LockoutAfterMaxFailuresThenUnlocksWithTime) {
  ASSERT_TRUE(auth_->CreateAccount(Staff("tanaka", {"reviewer"}), kPassword, "system:init").ok());
  EXPECT_EQ(LoginCode("tanaka", "wrong-1"), Code::kUnauthorized);
  clock_.Advance(seconds(10));
  EXPECT_EQ(LoginCode("tanaka", "wrong-2"), Code::kUnauthorized);
  clock_.Advance(seconds(10));
  // The third failure in a row locks: lock_for from that failure.
  Instant until{};
  auto third = auth_->Login("tanaka", "wrong-3", &until);
  EXPECT_EQ(third.status().code(), Code::kRateLimited);
  const Instant expected = kT0 + seconds(20) + minutes(15);
  EXPECT_EQ(until, expected);
  // "account locked until 2027-01-15T17:15:20+09:00" (JST).
  EXPECT_NE(third.status().message().find("locked until 2027-01-15T17:"), std::string::npos)
      << third.status().message();

  // While locked even the right password is refused, and nothing is counted.
  clock_.Advance(minutes(14));
  Instant until2{};
  EXPECT_EQ(auth_->Login("tanaka", kPassword, &until2).status().code(), Code::kRateLimited);
  EXPECT_EQ(until2, expected);
  auto acct = store_->GetAccount("tanaka");
  ASSERT_TRUE(acct.ok());
  EXPECT_EQ(acct->failed_logins, 0);

  // One second before the end: still locked; at the end: open.
  clock_.Set(expected - seconds(1));
  EXPECT_EQ(LoginCode("tanaka", kPassword), Code::kRateLimited);
  clock_.Set(expected);
  EXPECT_TRUE(auth_->Login("tanaka", kPassword).ok());
}

// The 国保連 kinds: "kj" + 8 digits, care office numbers as codes, their own lockout
// (kj_max_failed_logins wrong passwords lock for kj_lock_for), whatever the portal's is.
store::AccountRecord KjAccount(const std::string& id, const std::string& kind,
                               std::vector<std::string> codes) {
  store::AccountRecord a;
  a.account_id = id;
  a.kind = kind;
  a.institution_codes = std::move(codes);
  a.display_name = "介護ステーションさくら";
  return a;
}

TEST_F(AuthServiceTest, KjKindsAreValidated) {
  Status created = auth_->CreateAccount(KjAccount("KJ00000001", "kj_office", {"1371234566"}),
                                        kPassword, "operator:admin");
  ASSERT_TRUE(created.ok()) << created.ToString();
  ASSERT_TRUE(auth_
                  ->CreateAccount(KjAccount("kj00000002", "kj_agent",
                                            {"1371234566", "13A1234569", "2710000015"}),
                                  kPassword, "operator:admin")
                  .ok());
  auto office = store_->GetAccount("kj00000001");
  ASSERT_TRUE(office.ok()) << office.status().ToString();
  EXPECT_EQ(office->kind, "kj_office");
  EXPECT_EQ(office->email, "");  // no e-mail made up from the user ID
  auto p = auth_->Login("KJ00000001", kPassword);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(Allows(*p, Permission::kKjApply, "1371234566"));
  EXPECT_FALSE(Allows(*p, Permission::kApply, "1371234566"));

  struct Case {
    store::AccountRecord a;
    std::string fragment;
  };
  auto with_roles = KjAccount("kj00000003", "kj_office", {"1371234566"});
  with_roles.roles = {"operator"};
  const std::vector<Case> cases = {
      {KjAccount("kj0000003", "kj_office", {"1371234566"}), "account_id: not_kj_user_id"},
      {KjAccount("kj0000000a", "kj_office", {"1371234566"}), "account_id: not_kj_user_id"},
      {KjAccount("office@example.jp", "kj_office", {"1371234566"}), "account_id: not_kj_user_id"},
      {KjAccount("kj00000003", "kj_office", {}), "institution_codes: required"},
      {KjAccount("kj00000003", "kj_office", {"1371234566", "2710000015"}),
       "institution_codes: office_has_one_code"},
      {KjAccount("kj00000003", "kj_office", {"1371234567"}),
       "institution_codes: care_office_number"},
      {KjAccount("kj00000003", "kj_agent", {"1371234566", "1371234566"}),
       "institution_codes: duplicate"},
      {with_roles, "roles: kj_account_has_roles"},
      {KjAccount("kj00000003", "kj_other", {"1371234566"}), "kind: unknown"},
  };
  for (const Case& c : cases) {
    Status st = auth_->CreateAccount(c.a, kPassword, "operator:admin");
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << c.fragment;
    EXPECT_NE(st.message().find(c.fragment), std::string::npos) << st.message();
  }
}

TEST_F(AuthServiceTest, KjKindsLockAfterThreeFailuresForTheirOwnTime) {
  AuthOptions o = options_;
  o.max_failed_logins = 5;
  o.lock_for = minutes(15);
  o.kj_max_failed_logins = 3;
  o.kj_lock_for = minutes(30);
  AuthService auth(*store_, clock_, o);
  ASSERT_TRUE(auth.CreateAccount(KjAccount("kj00000001", "kj_office", {"1371234566"}), kPassword,
                                 "operator:admin")
                  .ok());
  ASSERT_TRUE(auth.CreateAccount(Staff("tanaka", {"reviewer"}), kPassword, "system:init").ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(auth.Login("tanaka", "wrong").status().code(), Code::kUnauthorized) << i;
  }
  EXPECT_EQ(auth.Login("KJ00000001", "wrong-1").status().code(), Code::kUnauthorized);
  EXPECT_EQ(auth.Login("KJ00000001", "wrong-2").status().code(), Code::kUnauthorized);
  Instant until{};
  EXPECT_EQ(auth.Login("KJ00000001", "wrong-3", &until).status().code(), Code::kRateLimited);
  EXPECT_EQ(until, kT0 + minutes(30));
  clock_.Set(kT0 + minutes(30) - seconds(1));
  EXPECT_EQ(auth.Login("KJ00000001", kPassword).status().code(), Code::kRateLimited);
  clock_.Set(kT0 + minutes(30));
  EXPECT_TRUE(auth.Login("KJ00000001", kPassword).ok());
  // The operator's three failures did not lock it (its limit is 5).
  EXPECT_TRUE(auth.Login("tanaka", kPassword).ok());
}

TEST_F(AuthServiceTest, SuccessResetsTheCounter) {
  ASSERT_TRUE(auth_->CreateAccount(Staff("tanaka", {"reviewer"}), kPassword, "system:init").ok());
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(LoginCode("tanaka", "wrong"), Code::kUnauthorized);
    EXPECT_EQ(LoginCode("tanaka", "wrong"), Code::kUnauthorized);  // max - 1
    ASSERT_TRUE(auth_->Login("tanaka", kPassword).ok());
    auto a = store_->GetAccount("tanaka");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->failed_logins, 0);
    EXPECT_FALSE(a->locked_until.has_value());
  }
}

TEST_F(AuthServiceTest, DisabledAccountsAreRefused) {
  ASSERT_TRUE(auth_->CreateAccount(Staff("tanaka", {"operator"}), kPassword, "system:init").ok());
  auto token = auth_->IssueToken("tanaka", "api", minutes(60));
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(
      store_
          ->SetDisabled("tanaka", true, {kT0, "operator:admin", "account.disable", "tanaka", "{}"})
          .ok());
  EXPECT_EQ(LoginCode("tanaka", kPassword), Code::kForbidden);
  EXPECT_EQ(LoginCode("tanaka", "wrong"), Code::kUnauthorized);  // no hint without the password
  EXPECT_EQ(auth_->Authenticate(*token).status().code(), Code::kForbidden);
}

TEST_F(AuthServiceTest, RehashesOnLoginWhenParametersChange) {
  ASSERT_TRUE(auth_->CreateAccount(Staff("tanaka", {"reviewer"}), kPassword, "system:init").ok());
  auto before = store_->GetAccount("tanaka");
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->password_hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));

  AuthOptions stronger = options_;
  stronger.kdf = KdfParams{2, 16 * 1024};
  AuthService upgraded(*store_, clock_, stronger);
  ASSERT_TRUE(upgraded.Login("tanaka", kPassword).ok());
  auto after = store_->GetAccount("tanaka");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->password_hash.starts_with("$argon2id$v=19$m=16,t=2,p=1$"))
      << after->password_hash;
  EXPECT_TRUE(VerifyPassword(after->password_hash, kPassword));
  // A second login does not rehash again.
  ASSERT_TRUE(upgraded.Login("tanaka", kPassword).ok());
  auto again = store_->GetAccount("tanaka");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->password_hash, after->password_hash);
  int64_t rows = 0;
  ASSERT_TRUE(store_->VerifyAuditChain(&rows).ok());
  EXPECT_EQ(rows, 4);  // create, two logins, one rehash
}

TEST_F(AuthServiceTest, TokensAuthenticateUntilExpiryOrRevocation) {
  ASSERT_TRUE(
      auth_->CreateAccount(Staff("tanaka", {"administrator"}), kPassword, "system:init").ok());
  auto api = auth_->IssueToken("tanaka", "api", minutes(60));
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  EXPECT_EQ(api->size(), kTokenChars);
  // Stored hashed: the hash finds it, the token itself does not.
  auto rec = store_->GetToken(TokenHash(*api), kT0);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->account_id, "tanaka");
  EXPECT_EQ(rec->expires_at, kT0 + minutes(60));
  EXPECT_EQ(store_->GetToken(*api, kT0).status().code(), Code::kNotFound);

  auto p = auth_->Authenticate(*api);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->account_id, "tanaka");
  EXPECT_TRUE(Allows(*p, Permission::kManageAccounts));

  auto session = auth_->IssueToken("tanaka", "session", minutes(30), "csrf-secret");
  ASSERT_TRUE(session.ok());
  EXPECT_TRUE(auth_->Authenticate(*session).ok());
  auto srec = store_->GetToken(TokenHash(*session), kT0);
  ASSERT_TRUE(srec.ok());
  EXPECT_EQ(srec->data, "csrf-secret");

  // E-mail links are not bearer credentials.
  auto verify = auth_->IssueToken("tanaka", "email_verify", minutes(60));
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(auth_->Authenticate(*verify).status().code(), Code::kUnauthorized);

  EXPECT_EQ(auth_->Authenticate("").status().code(), Code::kUnauthorized);
  EXPECT_EQ(auth_->Authenticate("made-up").status().code(), Code::kUnauthorized);
  EXPECT_EQ(auth_->Authenticate(*api + "x").status().code(), Code::kUnauthorized);

  clock_.Advance(minutes(30));  // the session's expiry instant
  EXPECT_EQ(auth_->Authenticate(*session).status().code(), Code::kUnauthorized);
  EXPECT_TRUE(auth_->Authenticate(*api).ok());

  ASSERT_TRUE(auth_->RevokeToken(*api).ok());
  EXPECT_EQ(auth_->Authenticate(*api).status().code(), Code::kUnauthorized);
  EXPECT_TRUE(auth_->RevokeToken(*api).ok());  // idempotent

  EXPECT_EQ(auth_->IssueToken("nobody", "api", minutes(1)).status().code(), Code::kNotFound);
  EXPECT_EQ(auth_->IssueToken("tanaka", "api", seconds(0)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(auth_->IssueToken("tanaka", "cookie", minutes(1)).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace claimsca::auth
