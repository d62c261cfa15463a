#include "portal/page.h"

#include <atomic>

#include "common/time_util.h"
#include "crypto/ossl.h"
#include "crypto/random.h"
#include "portal/render.h"
#include "portal/util.h"

namespace claimsca::portal {

web::Response WithHeaders(web::Response r) {
  for (auto& h : SecurityHeaders()) r.headers.push_back(std::move(h));
  return r;
}

web::Response Redirect(const std::string& to) {
  web::Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", to);
  return WithHeaders(std::move(r));
}

namespace {

std::atomic<bool> demo_mailbox_link{false};

// Whether a string of the page's data tells the reader to contact the body: the page then
// links the お問い合わせ page (docs/portal.md "Help"). The 国保連's pages name their own
// contact (国保連合会) and are left alone.
bool SaysContactUs(const nlohmann::json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().find("問い合わせ") != std::string::npos;
  if (j.is_object() || j.is_array()) {
    for (const auto& v : j) {
      if (SaysContactUs(v)) return true;
    }
  }
  return false;
}

}  // namespace

void SetDemoMailboxLink(bool on) { demo_mailbox_link = on; }

web::Response Page(std::string_view tmpl, nlohmann::json data, const Session* s, int status) {
  if (!data.contains("kj") && tmpl != "contact" && SaysContactUs(data)) data["contact_link"] = true;
  if (demo_mailbox_link) data["demo_mailbox"] = true;
  if (s) {
    data["user"] = s->caller.principal.account_id;
    data["csrf"] = s->csrf;
    data["is_operator"] = s->caller.principal.kind == "operator";
  }
  auto html = RenderPage(tmpl, data);
  if (!html.ok()) return WithHeaders(web::Response::Text("ページを表示できませんでした。", 500));
  web::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(*html);
  return WithHeaders(std::move(r));
}

web::Response Message(const Session* s, int status, std::string title, std::string message,
                      std::string back, std::string back_label) {
  return Page("message",
              {{"title", std::move(title)},
               {"message", std::move(message)},
               {"back", std::move(back)},
               {"back_label", std::move(back_label)}},
              s, status);
}

web::Response CsrfRefused(const Session* s) {
  return Message(
      s, 403, "送信を受け付けられませんでした",
      "画面の有効期限が切れたか、正しくない送信です。もう一度はじめから操作してください。",
      s ? "/portal/" : "/portal/login", "戻る");
}

std::string AnonCsrf(const web::Request& req, bool* fresh) {
  auto c = CookieValue(req.Header("Cookie"), kAnonCsrfCookie);
  if (c && c->size() == 32) {
    *fresh = false;
    return *c;
  }
  *fresh = true;
  return RandomHex(16);
}

web::Response SetAnonCookie(web::Response r, const web::Request& req, const std::string& value,
                            bool fresh) {
  if (fresh) r.headers.emplace_back("Set-Cookie", SetCookie(kAnonCsrfCookie, value, req.tls));
  return r;
}

bool AnonCsrfOk(const web::Request& req, std::string_view posted) {
  auto c = CookieValue(req.Header("Cookie"), kAnonCsrfCookie);
  return c && CsrfMatches(*c, posted);
}

std::string Day(const std::optional<Instant>& t) { return FormatDateJa(t); }

std::string Minute(Instant t) { return FormatDateTimeJa(t); }

std::string RandomHex(size_t bytes) {
  auto r = crypto::RandomBytes(bytes);
  if (!r.ok()) return "";
  return crypto::HexEncode(*r);
}

}  // namespace claimsca::portal
