// The demo mailbox (docs/operations.md "Demo"), offered only when serve runs a demo
// (PortalDeps::demo_outbox, set by cmd when demo.enabled, on a demo root, without SMTP):
//   GET  /console/demo-mail            every message of the outbox, newest first, as the
//                                      recipient would read it (links clickable), and the
//                                      issued applications whose 発行通知書 would be mailed
//   POST /console/demo-mail/password   request_id, csrf: shows that notice's download
//                                      password once, as the letter would (the RA's
//                                      hand-over: operator role, erased afterwards)
// Operators only (the console's rule: read on every institution).

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/auth_service.h"
#include "mail/mime_read.h"
#include "portal/page.h"
#include "portal/routes.h"
#include "portal/util.h"
#include "portal/views.h"

namespace claimsca::portal {
namespace {

using nlohmann::json;

// The body as pieces of text and links, so that a URL in it can be opened from the page.
json Pieces(const std::string& body) {
  json out = json::array();
  size_t i = 0;
  while (i < body.size()) {
    size_t at = std::min(body.find("http://", i), body.find("https://", i));
    if (at == std::string::npos) at = body.size();
    if (at > i) out.push_back({{"text", body.substr(i, at - i)}});
    if (at == body.size()) break;
    size_t end = at;
    while (end < body.size() && static_cast<unsigned char>(body[end]) > 0x20 &&
           static_cast<unsigned char>(body[end]) < 0x7f && body[end] != ')' && body[end] != '<' &&
           body[end] != '>' && body[end] != '"') {
      ++end;
    }
    out.push_back({{"link", body.substr(at, end - at)}});
    i = end;
  }
  return out;
}

class DemoMailbox {
 public:
  explicit DemoMailbox(PortalDeps d) : d_(std::move(d)) {}

  std::optional<Session> Operator(const web::Request& req, web::Response* refused) {
    auto s = LoadSession(d_, req);
    if (!s) {
      *refused = Redirect("/portal/login");
      return std::nullopt;
    }
    if (!auth::Allows(s->caller.principal, auth::Permission::kRead, auth::kEveryInstitution)) {
      *refused = Message(&*s, 403, "デモ用メールボックス",
                         "デモ用メールボックスは、認証局の運用者のアカウントでのみ利用できます。",
                         "/portal/", "マイページに戻る");
      return std::nullopt;
    }
    return s;
  }

  web::Response List(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused);
    if (!s) return refused;
    // A demo sends nothing: every message stays pending in the outbox.
    auto mails = d_.demo_outbox->DueMail(d_.clock.Now() + std::chrono::days(3650), 200);
    if (!mails.ok()) return RaFailure(&*s, mails.status());
    std::sort(mails->begin(), mails->end(),
              [](const auto& a, const auto& b) { return a.id > b.id; });
    json rows = json::array();
    for (const store::OutboxMail& m : *mails) {
      auto read = mail::ReadMime(m.mime);
      if (!read.ok()) continue;
      rows.push_back({{"id", m.id},
                      {"at", Minute(m.created_at)},
                      {"to", read->to},
                      {"subject", read->subject},
                      {"pieces", Pieces(read->body)}});
    }
    store::ApplicationFilter filter;
    filter.state = store::ApplicationState::kIssued;
    filter.limit = 100;
    auto issued = d_.ra.List(s->caller, filter);
    if (!issued.ok()) return RaFailure(&*s, issued.status());
    json letters = json::array();
    for (const store::ApplicationRecord& a : issued->items) {
      if (a.sealed_password.empty()) continue;  // handed over (printed or shown)
      letters.push_back({{"request_id", a.request_id},
                         {"institution_name", a.institution_name},
                         {"terminal_name", a.terminal_name}});
    }
    return Page("console_demo_mail",
                {{"title", "デモ用メールボックス"},
                 {"mails", rows},
                 {"no_mail", rows.empty()},
                 {"letters", letters},
                 {"no_letters", letters.empty()}},
                &*s);
  }

  web::Response Password(const web::Request& req) {
    web::Response refused;
    auto s = Operator(req, &refused);
    if (!s) return refused;
    FormData f = FormData::Parse(req.body);
    if (!CsrfMatches(s->csrf, f.Get("csrf"))) return CsrfRefused(&*s);
    const std::string request_id = f.Get("request_id");
    auto password = d_.ra.TakeDownloadPassword(s->caller, request_id);
    if (!password.ok()) return RaFailure(&*s, password.status());
    return Page("console_demo_mail",
                {{"title", "デモ用メールボックス"},
                 {"shown", true},
                 {"request_id", request_id},
                 {"password", *password}},
                &*s);
  }

 private:
  PortalDeps d_;
};

}  // namespace

void AddDemoMailRoutes(web::Router& router, const PortalDeps& deps) {
  if (deps.demo_outbox == nullptr) return;
  auto self = std::make_shared<DemoMailbox>(deps);
  web::RouteOptions slow{.slow = true};
  router.Handle(
      "GET", "/console/demo-mail", false, [self](const web::Request& r) { return self->List(r); },
      slow);
  router.Handle(
      "POST", "/console/demo-mail/password", false,
      [self](const web::Request& r) { return self->Password(r); }, slow);
}

}  // namespace claimsca::portal
