#include "auth/self_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace claimsca::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Instant kT0{seconds(1'800'000'000)};
constexpr char kPassword[] = "sakura pass 2026";

// The body of a stored MIME message (one base64 text part after the blank line).
std::string MailBody(const std::string& mime) {
  size_t start = mime.find("\r\n\r\n");
  if (start == std::string::npos) return "";
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0;
  uint32_t acc = 0;
  for (char c : mime.substr(start + 4)) {
    size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;  // line ends, padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string TokenIn(const std::string& body, const std::string& path) {
  size_t p = body.find(path + "?token=");
  if (p == std::string::npos) return "";
  return body.substr(p + path.size() + 7, 43);
}

class SelfServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(std::random_device{}());
    dir_ = std::filesystem::path(::testing::TempDir()) / ("claimsca_self_" + std::to_string(rng()));
    std::filesystem::create_directories(dir_);
    auto s = store::OpenStore("sqlite:" + (dir_ / "store.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->Migrate().ok());
    store::RegisterEntry e{"1310000001", "医療法人 さくら内科", "1000001", "千代田区千代田1-1", "1",
                           "deduction"};
    ASSERT_TRUE(store_->ImportRegister({e}, "test", "test", kT0).ok());
    auth_ = std::make_unique<AuthService>(*store_, clock_, AuthOptions{.kdf = {1, 8 * 1024}});
    composer_ = std::make_unique<mail::Composer>(clock_, mail::OutboxOptions{});
    svc_ = std::make_unique<SelfService>(*auth_, *store_, *composer_, clock_,
                                         SelfServiceOptions{.public_url = "https://ca.example"});
  }
  void TearDown() override {
    svc_.reset();
    auth_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  RegistrationForm Good() {
    return {"Sakura@Example.JP", "1310000001", "医療法人　さくら内科",
            "100-0001",          kPassword,    kPassword};
  }

  // The newest mail of `kind` to `to` in the outbox, decoded.
  std::string LastMail(const std::string& kind, const std::string& to) {
    auto due = store_->DueMail(clock_.Now() + std::chrono::hours(24 * 30), 100);
    EXPECT_TRUE(due.ok());
    std::string body;
    for (const auto& m : *due) {
      if (m.kind == kind && m.recipient == to) body = MailBody(m.mime);
    }
    return body;
  }

  std::filesystem::path dir_;
  FixedClock clock_{kT0};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<mail::Composer> composer_;
  std::unique_ptr<SelfService> svc_;
};

TEST_F(SelfServiceTest, RegisterChecksEveryFieldAgainstTheRegisterAndWritesNothingOnError) {
  struct Case {
    void (*change)(RegistrationForm&);
    const char* field;
    const char* rule;
  };
  const Case cases[] = {
      {[](RegistrationForm& f) { f.email = "<script>alert(1)</script>"; }, "email", "email"},
      {[](RegistrationForm& f) { f.institution_code = "13100000"; }, "institution_code",
       "not_in_register"},
      {[](RegistrationForm& f) { f.institution_code = "テスト中です#%& * > ? @"; },
       "institution_code", "format"},
      {[](RegistrationForm& f) { f.institution_name = "さくら歯科"; }, "institution_name",
       "mismatch"},
      {[](RegistrationForm& f) { f.institution_name = " "; }, "institution_name", "required"},
      {[](RegistrationForm& f) { f.postal_code = "1000002"; }, "postal_code", "mismatch"},
      {[](RegistrationForm& f) { f.postal_code = "100"; }, "postal_code", "format"},
      {[](RegistrationForm& f) { f.password = f.password_again = "short"; }, "password",
       "too_short"},
      {[](RegistrationForm& f) { f.password_again = "sakura pass 2027"; }, "password_again",
       "mismatch"},
  };
  for (const Case& c : cases) {
    RegistrationForm f = Good();
    c.change(f);
    std::vector<domain::FieldError> errors;
    ASSERT_TRUE(svc_->Register(f, &errors).ok());
    ASSERT_FALSE(errors.empty()) << c.field;
    EXPECT_EQ(errors[0].field, c.field);
    EXPECT_EQ(errors[0].rule, c.rule) << c.field;
    EXPECT_FALSE(errors[0].message_ja.empty());
  }
  EXPECT_EQ(store_->GetAccount("sakura@example.jp").status().code(), Code::kNotFound);
}

TEST_F(SelfServiceTest, RegisteredAccountLogsInOnlyAfterTheLinkWhichWorksOnce) {
  std::vector<domain::FieldError> errors;
  ASSERT_TRUE(svc_->Register(Good(), &errors).ok());
  ASSERT_TRUE(errors.empty()) << errors[0].message_ja;
  auto a = store_->GetAccount("sakura@example.jp");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->disabled);
  EXPECT_FALSE(a->email_verified);
  EXPECT_EQ(a->institution_codes, std::vector<std::string>{"1310000001"});
  EXPECT_EQ(auth_->Login("sakura@example.jp", kPassword).status().code(), Code::kForbidden);
  EXPECT_EQ(svc_->Register(Good(), &errors).code(), Code::kConflict);

  const std::string body = LastMail("email_verify", "sakura@example.jp");
  ASSERT_NE(body.find("https://ca.example/portal/verify?token="), std::string::npos) << body;
  const std::string token = TokenIn(body, "/portal/verify");
  ASSERT_EQ(token.size(), 43u);
  std::string tampered = token;  // one character changed (a random token may start with 'x')
  tampered[0] = tampered[0] == 'x' ? 'y' : 'x';
  EXPECT_EQ(svc_->VerifyEmail(tampered).status().code(), Code::kUnauthorized);
  auto id = svc_->VerifyEmail(token);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "sakura@example.jp");
  EXPECT_EQ(svc_->VerifyEmail(token).status().code(), Code::kUnauthorized) << "single use";
  auto p = auth_->Login("sakura@example.jp", kPassword);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->institution_codes, std::vector<std::string>{"1310000001"});
}

TEST_F(SelfServiceTest, VerificationLinkExpiresAfter24Hours) {
  std::vector<domain::FieldError> errors;
  ASSERT_TRUE(svc_->Register(Good(), &errors).ok());
  const std::string token =
      TokenIn(LastMail("email_verify", "sakura@example.jp"), "/portal/verify");
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(svc_->VerifyEmail(token).status().code(), Code::kUnauthorized);
}

TEST_F(SelfServiceTest, PasswordResetIsSingleUseExpiresAndEndsSessions) {
  store::AccountRecord a;
  a.account_id = "sakura@example.jp";
  a.kind = "institution";
  a.institution_codes = {"1310000001"};
  ASSERT_TRUE(auth_->CreateAccount(a, kPassword, "operator:test").ok());
  ASSERT_TRUE(store_->SetEmailVerified(a.account_id, {kT0, "t", "t", a.account_id, "{}"}).ok());
  auto session = auth_->IssueToken(a.account_id, "session", std::chrono::hours(1), "csrf");
  ASSERT_TRUE(session.ok());

  ASSERT_TRUE(svc_->RequestPasswordReset("nobody@example.jp").ok()) << "no oracle";
  ASSERT_TRUE(svc_->RequestPasswordReset("Sakura@Example.JP").ok());
  std::string token = TokenIn(LastMail("password_reset", a.account_id), "/portal/reset");
  ASSERT_EQ(token.size(), 43u);
  ASSERT_TRUE(svc_->CheckResetToken(token).ok());

  std::vector<domain::FieldError> errors;
  ASSERT_TRUE(svc_->ResetPassword(token, "new pass 2027!", "new pass 2028!", &errors).ok());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "password_again");
  errors.clear();
  ASSERT_TRUE(svc_->ResetPassword(token, "new pass 2027!", "new pass 2027!", &errors).ok());
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(svc_->ResetPassword(token, "new pass 2029!", "new pass 2029!", &errors).code(),
            Code::kUnauthorized)
      << "single use";
  EXPECT_EQ(auth_->Authenticate(*session).status().code(), Code::kUnauthorized) << "sessions ended";
  EXPECT_EQ(auth_->Login(a.account_id, kPassword).status().code(), Code::kUnauthorized);
  EXPECT_TRUE(auth_->Login(a.account_id, "new pass 2027!").ok());

  clock_.Advance(seconds(1));
  ASSERT_TRUE(svc_->RequestPasswordReset(a.account_id).ok());
  token = TokenIn(LastMail("password_reset", a.account_id), "/portal/reset");
  clock_.Advance(minutes(30));
  EXPECT_EQ(svc_->CheckResetToken(token).code(), Code::kUnauthorized) << "expired";
}

}  // namespace
}  // namespace claimsca::auth
