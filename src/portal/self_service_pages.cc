// The account self-service pages (docs/portal.md): /portal/register, /portal/verify,
// /portal/reset-request and /portal/reset, over auth::SelfService.

#include <openssl/crypto.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "portal/page.h"
#include "portal/routes.h"
#include "portal/throttle.h"
#include "portal/util.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

struct FieldText {
  const char* name;
  const char* label;
  const char* type;
  const char* autocomplete;
  const char* help;
};

constexpr FieldText kRegisterFields[] = {
    {"email", "メールアドレス（アカウントID）", "email", "email",
     "ログインに使うアカウントIDになります。確認のメールをこのアドレスに送ります。"},
    {"institution_code", "医療機関等コード（10桁）または保険者番号（8桁）", "text", "off",
     "医療機関等コードは、都道府県番号（2桁）・点数表番号（1桁）・医療機関コード（7桁）を続けたも"
     "のです。"},
    {"institution_name", "医療機関等の名称（医療保険者等名）", "text", "organization",
     "保険医療機関届などで届け出た名称を入力してください。"},
    {"postal_code", "郵便番号", "text", "postal-code",
     "届け出た所在地の郵便番号を7桁で入力してください（例：0050813）。"},
    {"password", "パスワード", "password", "new-password",
     "12文字以上。数字・英字・記号・かなのうち2種類以上を使ってください。"},
    {"password_again", "パスワード（確認）", "password", "new-password",
     "同じパスワードをもう一度入力してください。"},
};

constexpr FieldText kResetFields[] = {
    {"password", "新しいパスワード", "password", "new-password",
     "12文字以上。数字・英字・記号・かなのうち2種類以上を使ってください。"},
    {"password_again", "新しいパスワード（確認）", "password", "new-password",
     "同じパスワードをもう一度入力してください。"},
};

// Field views: values from `f` (passwords are never sent back), errors next to each.
template <size_t N>
json Fields(const FieldText (&specs)[N], const FormData& f,
            const std::vector<domain::FieldError>& errors) {
  json out = json::array();
  for (const FieldText& s : specs) {
    const bool secret = std::string_view(s.type) == "password";
    json field = {{"name", s.name}, {"label", s.label},
                  {"type", s.type}, {"autocomplete", s.autocomplete},
                  {"help", s.help}, {"value", secret ? "" : f.Get(s.name)}};
    std::string message;
    for (const auto& e : errors) {
      if (e.field == s.name) message += (message.empty() ? "" : " ") + e.message_ja;
    }
    if (!message.empty()) field["error"] = message;
    out.push_back(std::move(field));
  }
  return out;
}

class SelfServicePages {
 public:
  SelfServicePages(auth::SelfService& svc, store::Store& state, const Clock& clock, int per_minute)
      : svc_(svc), throttle_(state, kSelfServiceScope, per_minute, clock) {}

  web::Response RegisterPage(const web::Request& req) {
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    FormData empty;
    return SetAnonCookie(Page("register", RegisterData(csrf, empty, {}), nullptr), req, csrf,
                         fresh);
  }

  web::Response RegisterPost(const web::Request& req) {
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    if (!throttle_.Allow(req.remote_addr)) return TooMany();
    auth::RegistrationForm form{
        f.Get("email"),       f.Get("institution_code"), f.Get("institution_name"),
        f.Get("postal_code"), f.Get("password"),         f.Get("password_again")};
    std::vector<domain::FieldError> errors;
    Status st = svc_.Register(form, &errors);
    OPENSSL_cleanse(form.password.data(), form.password.size());
    OPENSSL_cleanse(form.password_again.data(), form.password_again.size());
    if (st.code() == Code::kConflict) {
      errors.push_back({"email", "exists",
                        "このメールアドレスは登録済みです。パスワードを忘れたときは、ログイン画面の"
                        "「パスワードを忘れた方」から再設定してください。"});
    } else if (!st.ok()) {
      return Unavailable();
    }
    if (!errors.empty()) {
      return Page("register", RegisterData(f.Get("csrf"), f, errors), nullptr, 422);
    }
    return Message(nullptr, 200, "確認のメールを送りました",
                   "入力されたメールアドレスに確認のメールを送りました。メールに記載のリンクを開"
                   "くと登録が完了し、ログインできるようになります（リンクの有効期限は24時間で"
                   "す）。",
                   "/portal/login", "ログイン画面へ");
  }

  web::Response Verify(const web::Request& req) {
    auto id = svc_.VerifyEmail(FormData::Parse(req.query).Get("token"));
    if (!id.ok()) {
      if (id.status().code() != Code::kUnauthorized) return Unavailable();
      return Message(nullptr, 400, "リンクが使えません",
                     "このリンクは正しくないか、有効期限が切れているか、すでに使われています。確"
                     "認が済んでいる場合は、そのままログインできます。",
                     "/portal/login", "ログイン画面へ");
    }
    return Message(nullptr, 200, "メールアドレスを確認しました",
                   "登録が完了しました。アカウントID " + *id + " でログインしてください。",
                   "/portal/login", "ログイン画面へ");
  }

  web::Response ResetRequestPage(const web::Request& req) {
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    return SetAnonCookie(
        Page("reset_request", {{"title", "パスワードの再設定"}, {"form_csrf", csrf}}, nullptr), req,
        csrf, fresh);
  }

  web::Response ResetRequestPost(const web::Request& req) {
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    if (!throttle_.Allow(req.remote_addr)) return TooMany();
    if (!svc_.RequestPasswordReset(f.Get("account_id")).ok()) return Unavailable();
    return Page("reset_request",
                {{"title", "パスワードの再設定"},
                 {"form_csrf", f.Get("csrf")},
                 {"account_id", f.Get("account_id")},
                 {"sent", true}},
                nullptr);
  }

  web::Response ResetPage(const web::Request& req) {
    const std::string token = FormData::Parse(req.query).Get("token");
    Status st = svc_.CheckResetToken(token);
    if (!st.ok()) return BadLink();
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    FormData empty;
    return SetAnonCookie(Page("reset", ResetData(csrf, token, empty, {}), nullptr), req, csrf,
                         fresh);
  }

  web::Response ResetPost(const web::Request& req) {
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    std::string password = f.Get("password");
    std::string again = f.Get("password_again");
    std::vector<domain::FieldError> errors;
    Status st = svc_.ResetPassword(f.Get("token"), password, again, &errors);
    OPENSSL_cleanse(password.data(), password.size());
    OPENSSL_cleanse(again.data(), again.size());
    if (st.code() == Code::kUnauthorized) return BadLink();
    if (!st.ok()) return Unavailable();
    if (!errors.empty()) {
      return Page("reset", ResetData(f.Get("csrf"), f.Get("token"), f, errors), nullptr, 422);
    }
    return Message(nullptr, 200, "パスワードを設定しました",
                   "新しいパスワードでログインしてください。ほかの端末でのログインは終了しました。",
                   "/portal/login", "ログイン画面へ");
  }

 private:
  static json RegisterData(const std::string& csrf, const FormData& f,
                           const std::vector<domain::FieldError>& errors) {
    return {{"title", "アカウントの登録"},
            {"form_csrf", csrf},
            {"fields", Fields(kRegisterFields, f, errors)},
            {"has_errors", !errors.empty()}};
  }

  static json ResetData(const std::string& csrf, const std::string& token, const FormData& f,
                        const std::vector<domain::FieldError>& errors) {
    return {{"title", "新しいパスワードの設定"},
            {"form_csrf", csrf},
            {"token", token},
            {"fields", Fields(kResetFields, f, errors)},
            {"has_errors", !errors.empty()}};
  }

  static web::Response BadLink() {
    return Message(nullptr, 400, "リンクが使えません",
                   "このリンクは正しくないか、有効期限（30分）が切れているか、すでに使われていま"
                   "す。もう一度、パスワードの再設定を申し込んでください。",
                   "/portal/reset-request", "パスワードの再設定へ");
  }

  static web::Response TooMany() {
    return Message(nullptr, 429, "しばらくお待ちください",
                   "短い時間に操作が続いたため、受け付けを止めています。1分ほど待ってから、もう一"
                   "度お試しください。",
                   "/portal/login", "ログイン画面へ");
  }

  static web::Response Unavailable() {
    return Message(nullptr, 503, "ただいま処理できません",
                   "しばらくしてから、もう一度お試しください。", "/portal/login", "ログイン画面へ");
  }

  auth::SelfService& svc_;
  Throttle throttle_;
};

}  // namespace

void AddSelfServiceRoutes(web::Router& router, auth::SelfService& svc, store::Store& state,
                          const Clock& clock, int per_minute) {
  auto self = std::make_shared<SelfServicePages>(svc, state, clock, per_minute);
  auto bind = [self](web::Response (SelfServicePages::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  web::RouteOptions slow{.slow = true};
  router.Handle("GET", "/portal/register", false, bind(&SelfServicePages::RegisterPage), slow);
  router.Handle("POST", "/portal/register", false, bind(&SelfServicePages::RegisterPost), slow);
  router.Handle("GET", "/portal/verify", false, bind(&SelfServicePages::Verify), slow);
  router.Handle("GET", "/portal/reset-request", false, bind(&SelfServicePages::ResetRequestPage),
                slow);
  router.Handle("POST", "/portal/reset-request", false, bind(&SelfServicePages::ResetRequestPost),
                slow);
  router.Handle("GET", "/portal/reset", false, bind(&SelfServicePages::ResetPage), slow);
  router.Handle("POST", "/portal/reset", false, bind(&SelfServicePages::ResetPost), slow);
}

}  // namespace claimsca::portal
