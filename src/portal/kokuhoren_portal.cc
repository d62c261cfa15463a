// The 国保連 電子請求受付システム pages of an office or an agent (docs/kokuhoren.md
// "Pages"): login with the KJ user ID, the forced change of the temporary password,
// メインメニュー, お知らせ / 連絡文書 with their attachments. The certificate pages are in
// kokuhoren_certificate.cc.

#include <openssl/crypto.h>

#include <charconv>
#include <memory>
#include <nlohmann/json.hpp>

#include "kokuhoren/types.h"
#include "portal/kokuhoren_views.h"
#include "portal/render.h"
#include "portal/routes.h"
#include "portal/throttle.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

class KjPortal {
 public:
  KjPortal(PortalDeps d, const KokuhorenPages& k)
      : d_(std::move(d)),
        k_(k),
        login_throttle_(d_.state, kKjLoginScope, d_.login_per_minute, d_.clock) {}

  web::Response LoginPage(const web::Request& req) {
    web::Response refused;
    if (LoadKj(d_, k_, req, &refused, true)) return Redirect("/kj/");
    bool fresh = false;
    std::string csrf = AnonCsrf(req, &fresh);
    FormData q = FormData::Parse(req.query);
    json data = {{"title", "ログイン"}, {"form_csrf", csrf}, {"logged_out", q.Has("out")}};
    return SetAnonCookie(KjPage("kj_login", data, nullptr), req, csrf, fresh);
  }

  web::Response LoginPost(const web::Request& req) {
    FormData f = FormData::Parse(req.body);
    if (!AnonCsrfOk(req, f.Get("csrf"))) return CsrfRefused(nullptr);
    const std::string user_id = f.Get("user_id");
    json data = {{"title", "ログイン"}, {"form_csrf", f.Get("csrf")}, {"user_id", user_id}};
    auto fail = [&](int status, std::string message) {
      data["error"] = std::move(message);
      return KjPage("kj_login", data, nullptr, status);
    };
    if (!login_throttle_.Allow(req.remote_addr)) {
      return fail(429,
                  "短い時間にログインが続いたため、受け付けを止めています。1分ほど待ってから、もう"
                  "一度お試しください。");
    }
    std::string password = f.Get("password");
    // Only KJ user IDs log in here: an e-mail or an operator's ID is refused with the words
    // of a wrong password, without a lookup (the other logins are /portal/login).
    if (!kokuhoren::IsUserId(user_id)) {
      OPENSSL_cleanse(password.data(), password.size());
      return fail(401, "ユーザIDまたはパスワードが正しくありません。");
    }
    Instant locked_until{};
    auto principal = d_.auth.Login(kokuhoren::AccountIdOf(user_id), password, &locked_until);
    OPENSSL_cleanse(password.data(), password.size());
    if (principal.ok() && !IsKjAccount(principal->kind)) {
      return fail(401, "ユーザIDまたはパスワードが正しくありません。");
    }
    if (!principal.ok()) {
      switch (principal.status().code()) {
        case Code::kRateLimited:
          return fail(429, "パスワードの誤りが続いたため、このユーザIDをロックしました。" +
                               Minute(locked_until) +
                               " を過ぎてから、もう一度ログインしてください。");
        case Code::kForbidden:
          return fail(403,
                      "このユーザIDは利用を停止しています。国保連合会にお問い合わせください。");
        case Code::kUnauthorized:
          return fail(401, "ユーザIDまたはパスワードが正しくありません。");
        default:
          return fail(503,
                      "ただいまログインできません。しばらくしてから、もう一度お試しください。");
      }
    }
    std::string csrf = RandomHex(32);
    auto token = d_.auth.IssueToken(principal->account_id, "session",
                                    std::min(d_.session_idle, d_.session_max), csrf);
    if (!token.ok() || csrf.empty()) {
      return fail(503, "ただいまログインできません。しばらくしてから、もう一度お試しください。");
    }
    auto r = Redirect("/kj/");
    r.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, *token, req.tls,
                                                   static_cast<long>(d_.session_max.count())));
    return r;
  }

  web::Response Logout(const web::Request& req) { return portal::Logout(d_, req, "/kj/login"); }

  // パスワード変更: forced while the temporary password of the registration notice is in
  // use (every other page sends here), and offered from the menu afterwards.
  web::Response Password(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused, true);
    if (!c) return refused;
    json data = {{"title", "パスワード変更"}, {"forced", c->account.must_change_password}};
    if (req.method != "POST") return KjPage("kj_password", data, &*c);
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(c->s.csrf, f.Get("csrf"))) return CsrfRefused(&c->s);
    std::string current = f.Get("current");
    std::string next = f.Get("password");
    std::string again = f.Get("password2");
    auto done = [&] {
      for (std::string* p : {&current, &next, &again}) OPENSSL_cleanse(p->data(), p->size());
    };
    if (next != again) {
      done();
      data["error"] = "新しいパスワードと確認用のパスワードが一致しません。";
      return KjPage("kj_password", data, &*c, 422);
    }
    if (next == current) {
      done();
      data["error"] = "新しいパスワードには、いまのパスワードと違うものを入力してください。";
      return KjPage("kj_password", data, &*c, 422);
    }
    Status st = k_.change_password(c->s.caller.principal.account_id, current, next);
    done();
    if (!st.ok()) {
      switch (st.code()) {
        case Code::kUnauthorized:
          data["error"] = "いまのパスワードが正しくありません。";
          return KjPage("kj_password", data, &*c, 401);
        case Code::kRateLimited:
          data["error"] = "パスワードの誤りが続いたため、このユーザIDをロックしました。";
          return KjPage("kj_password", data, &*c, 429);
        case Code::kInvalidArgument:
          data["error"] = "新しいパスワードを受け付けられません（" + st.message() + "）。";
          return KjPage("kj_password", data, &*c, 422);
        default:
          data["error"] = "ただいま変更できません。しばらくしてから、もう一度お試しください。";
          return KjPage("kj_password", data, &*c, 503);
      }
    }
    // The change ended every session of the account (a stolen one too): this browser gets a
    // new one.
    std::string csrf = RandomHex(32);
    auto token = d_.auth.IssueToken(c->s.caller.principal.account_id, "session",
                                    std::min(d_.session_idle, d_.session_max), csrf);
    if (!token.ok() || csrf.empty()) {
      auto r = Redirect("/kj/login");
      r.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, "", req.tls, 0));
      return r;
    }
    c->s.token = *token;
    c->s.csrf = csrf;
    c->account.must_change_password = false;
    auto r = KjMessage(&*c, 200, "パスワード変更", "パスワードを変更しました。");
    r.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, *token, req.tls,
                                                   static_cast<long>(d_.session_max.count())));
    return r;
  }

  // メインメニュー.
  web::Response Menu(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused);
    if (!c) return refused;
    int unread = 0;
    if (k_.inbox) {
      if (auto m = k_.inbox(c->s.caller.principal.account_id); m.ok()) {
        for (const auto& x : *m) unread += x.read ? 0 : 1;
      }
    }
    return KjPage("kj_menu",
                  {{"title", "メインメニュー"},
                   {"name", c->account.name},
                   {"offices", static_cast<int64_t>(c->account.offices.size())},
                   {"unread", unread},
                   {"inbox", static_cast<bool>(k_.inbox)}},
                  &*c);
  }

  // お知らせ / 連絡文書: the list, one message, its attachment.
  web::Response Inbox(const web::Request& req) {
    web::Response refused;
    auto c = LoadKj(d_, k_, req, &refused);
    if (!c) return refused;
    if (!k_.inbox || !k_.message ||
        !auth::Allows(c->s.caller.principal, auth::Permission::kKjRead)) {
      return NotFound(&*c);
    }
    const std::string& account = c->s.caller.principal.account_id;
    std::string_view rest = req.path;
    rest.remove_prefix(std::string_view("/kj/inbox").size());
    if (rest.empty() || rest == "/") {
      auto list = k_.inbox(account);
      if (!list.ok()) return Unavailable(&*c);
      json rows = json::array();
      for (const auto& m : *list) {
        rows.push_back({{"id", m.id},
                        {"title", m.title},
                        {"at", Minute(m.created_at)},
                        {"unread", !m.read},
                        {"attachment", m.attachment_name}});
      }
      return KjPage("kj_inbox", {{"title", "お知らせ"}, {"rows", rows}, {"empty", rows.empty()}},
                    &*c);
    }
    rest.remove_prefix(1);
    const bool attachment = rest.ends_with("/attachment");
    if (attachment) rest.remove_suffix(std::string_view("/attachment").size());
    int64_t id = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
    if (ec != std::errc() || p != rest.data() + rest.size() || id <= 0) return NotFound(&*c);
    auto m = k_.message(account, id);
    if (!m.ok()) return m.status().code() == Code::kNotFound ? NotFound(&*c) : Unavailable(&*c);
    if (attachment) {
      if (m->attachment_name.empty()) return NotFound(&*c);
      auto r = web::Response::Bytes(
          m->attachment_name.ends_with(".zip") ? "application/zip" : "application/octet-stream",
          std::move(m->attachment));
      r.headers.emplace_back(
          "Content-Disposition",
          "attachment; filename=\"notice.zip\"; filename*=UTF-8''" + UrlEncode(m->attachment_name));
      return WithHeaders(std::move(r));
    }
    return KjPage("kj_message",
                  {{"title", "お知らせ表示"},
                   {"id", m->id},
                   {"subject", m->title},
                   {"body", m->body},
                   {"at", Minute(m->created_at)},
                   {"attachment", m->attachment_name}},
                  &*c);
  }

  static web::Response NotFound(const KjContext* c) {
    return KjMessage(c, 404, "見つかりません", "お探しのお知らせは見つかりませんでした。",
                     "/kj/inbox", "お知らせ一覧へ");
  }
  static web::Response Unavailable(const KjContext* c) {
    return KjMessage(c, 503, "ただいま処理できません",
                     "しばらくしてから、もう一度お試しください。");
  }

 private:
  PortalDeps d_;
  const KokuhorenPages& k_;  // outlives the router (PortalDeps::kokuhoren)
  Throttle login_throttle_;
};

}  // namespace

void AddKokuhorenPortalRoutes(web::Router& router, const PortalDeps& deps) {
  if (!deps.kokuhoren || !deps.kokuhoren->account) return;
  auto self = std::make_shared<KjPortal>(deps, *deps.kokuhoren);
  web::RouteOptions slow{.slow = true};
  auto bind = [self](web::Response (KjPortal::*fn)(const web::Request&)) {
    return [self, fn](const web::Request& r) { return (self.get()->*fn)(r); };
  };
  router.Handle("GET", "/kj/login", false, bind(&KjPortal::LoginPage), slow);
  router.Handle("POST", "/kj/login", false, bind(&KjPortal::LoginPost), slow);
  router.Handle("POST", "/kj/logout", false, bind(&KjPortal::Logout), slow);
  router.Handle("GET", "/kj/", false, bind(&KjPortal::Menu), slow);
  router.Handle("GET", "/kj", false, [](const web::Request&) { return Redirect("/kj/"); });
  router.Handle("GET", "/kj/password", false, bind(&KjPortal::Password), slow);
  if (deps.kokuhoren->change_password) {
    router.Handle("POST", "/kj/password", false, bind(&KjPortal::Password), slow);
  }
  router.Handle("GET", "/kj/inbox", false, bind(&KjPortal::Inbox), slow);
  router.Handle("GET", "/kj/inbox/", true, bind(&KjPortal::Inbox), slow);
  router.Handle("GET", "/static/kokuhoren.js", false, [](const web::Request&) {
    auto text = StaticFile("kokuhoren.js");
    if (!text) return web::Response::Error(404, "not_found", "no such file");
    auto r = web::Response::Bytes("text/javascript; charset=utf-8", std::string(*text));
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", "max-age=300");
    return r;
  });
}

}  // namespace claimsca::portal
