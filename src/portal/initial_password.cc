// 初回パスワード変更 (docs/qualcheck.md "The temporary password"): a portal account made by
// an approved 資格確認限定型 application of 申請区分 1 and 2 holds the temporary password
// printed on the ユーザー設定情報 letter. The login (portal.cc) checks the password as usual,
// then, instead of a session, shows this screen (InitialPasswordScreen); the holder gives
// the temporary password again and a password of their own (the portal's policy), and logs
// in with it. No session exists before the change, so no page can be used with the
// temporary password.
//   GET  /portal/password/initial   back to the login (the screen follows a login)
//   POST /portal/password/initial   the change

#include "qualcheck/initial_password.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "auth/password.h"
#include "portal/page.h"
#include "portal/qualcheck_pages.h"
#include "portal/routes.h"
#include "portal/util.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

constexpr char kPath[] = "/portal/password/initial";

struct FieldText {
  const char* name;
  const char* label;
  const char* help;
};
constexpr FieldText kFields[] = {
    {"current", "仮パスワード", "郵送の「ユーザー設定情報」に印字された仮パスワードです。"},
    {"password", "新しいパスワード",
     "12文字以上。数字・英字・記号・かなのうち2種類以上を使ってください。"},
    {"password_again", "新しいパスワード（確認）", "同じパスワードをもう一度入力してください。"},
};

web::Response Screen(const std::string& account_id, const std::string& csrf,
                     const std::vector<domain::FieldError>& errors, int status) {
  json fields = json::array();
  for (const FieldText& f : kFields) {
    json field = {{"name", f.name},
                  {"label", f.label},
                  {"type", "password"},
                  {"value", ""},
                  {"help", f.help},
                  {"autocomplete",
                   std::string_view(f.name) == "current" ? "current-password" : "new-password"}};
    std::string message;
    for (const auto& e : errors) {
      if (e.field == f.name) message += (message.empty() ? "" : " ") + e.message_ja;
    }
    if (!message.empty()) field["error"] = message;
    fields.push_back(std::move(field));
  }
  return Page("initial_password",
              {{"title", "初回パスワード変更"},
               {"form_csrf", csrf},
               {"account_id", account_id},
               {"action", kPath},
               {"fields", fields},
               {"has_errors", !errors.empty()}},
              nullptr, status);
}

web::Response Unavailable() {
  return Message(nullptr, 503, "ただいま処理できません",
                 "しばらくしてから、もう一度お試しください。", "/portal/login", "ログイン画面へ");
}

class InitialPasswordPage {
 public:
  InitialPasswordPage(PortalDeps d, qualcheck::InitialPasswords& initial)
      : d_(std::move(d)), initial_(initial) {}

  web::Response Post(const web::Request& req) {
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    const std::string id = auth::AuthService::NormalizeAccountId(f.Get("account_id"));
    if (id.empty()) {
      return Message(nullptr, 400, "初回パスワード変更", "ログインからやり直してください。",
                     "/portal/login", "ログイン画面へ");
    }
    std::string current = f.Get("current");
    std::string password = f.Get("password");
    std::string again = f.Get("password_again");
    std::vector<domain::FieldError> errors;
    const int status = Check(id, current, password, again, &errors);
    OPENSSL_cleanse(current.data(), current.size());
    if (status == 200) {
      Status st = Change(id, password);
      OPENSSL_cleanse(password.data(), password.size());
      OPENSSL_cleanse(again.data(), again.size());
      if (!st.ok()) return Unavailable();
      return Message(nullptr, 200, "パスワードを変更しました",
                     "新しいパスワードで、もう一度ログインしてください。", "/portal/login",
                     "ログイン画面へ");
    }
    OPENSSL_cleanse(password.data(), password.size());
    OPENSSL_cleanse(again.data(), again.size());
    if (status == 303) return Redirect("/portal/login");
    if (status == 503) return Unavailable();
    return Screen(id, f.Get("csrf"), errors, status);
  }

 private:
  // 200 to change, 422 / 401 / 429 with field errors, 303 when nothing is to change.
  int Check(const std::string& id, const std::string& current, const std::string& password,
            const std::string& again, std::vector<domain::FieldError>* errors) {
    Instant locked_until{};
    auto principal = d_.auth.Login(id, current, &locked_until);
    if (!principal.ok()) {
      if (principal.status().code() == Code::kRateLimited) {
        errors->push_back({"current", "locked",
                           "パスワードの誤りが続いたため、このアカウントをロックしました。" +
                               Minute(locked_until) +
                               " を過ぎてから、ログインからやり直してください。"});
        return 429;
      }
      if (principal.status().code() != Code::kUnauthorized) return 503;
      errors->push_back({"current", "mismatch", "仮パスワードが正しくありません。"});
      return 401;
    }
    auto must = initial_.MustChange(id);
    if (!must.ok()) return 503;
    if (!*must) return 303;
    for (auto& e : auth::CheckPasswordPolicy(password, id)) errors->push_back(std::move(e));
    if (password == current) {
      errors->push_back({"password", "same", "仮パスワードとは違うパスワードにしてください。"});
    }
    if (password != again) {
      errors->push_back({"password_again", "mismatch", "確認のパスワードが一致しません。"});
    }
    return errors->empty() ? 200 : 422;
  }

  Status Change(const std::string& id, const std::string& password) {
    ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password, d_.auth.options().kdf));
    const std::string actor = "self:" + id;
    RETURN_IF_ERROR(d_.accounts.SetPasswordHash(
        id, hash, {d_.clock.Now(), actor, "account.change_password", id, R"({"initial":true})"}));
    return initial_.Done(id);
  }

  PortalDeps d_;
  qualcheck::InitialPasswords& initial_;
};

}  // namespace

std::optional<web::Response> InitialPasswordScreen(const PortalDeps& d,
                                                   const std::string& account_id,
                                                   const std::string& csrf) {
  if (d.qualcheck == nullptr || d.qualcheck->initial_passwords == nullptr) return std::nullopt;
  auto must = d.qualcheck->initial_passwords->MustChange(account_id);
  if (!must.ok()) return Unavailable();
  if (!*must) return std::nullopt;
  return Screen(account_id, csrf, {}, 200);
}

void AddInitialPasswordRoutes(web::Router& router, const PortalDeps& deps) {
  if (deps.qualcheck == nullptr || deps.qualcheck->initial_passwords == nullptr) return;
  auto self = std::make_shared<InitialPasswordPage>(deps, *deps.qualcheck->initial_passwords);
  router.Handle("GET", kPath, false, [](const web::Request&) { return Redirect("/portal/login"); });
  router.Handle(
      "POST", kPath, false, [self](const web::Request& r) { return self->Post(r); },
      web::RouteOptions{.slow = true});
}

}  // namespace claimsca::portal
