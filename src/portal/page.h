#pragma once

// What every portal page shares (docs/portal.md): the security headers, redirects, the
// layout around a template, plain message pages, the anonymous pages' double-submit CSRF
// cookie, and JST date formats. Used by portal.cc, self_service_pages.cc and
// terminal_page.cc.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "ra/registration_authority.h"
#include "web/http.h"

namespace claimsca::portal {

// A logged-in browser: who (as the RA sees the caller), its session token and the
// session's CSRF secret.
struct Session {
  ra::Caller caller;
  std::string token;
  std::string csrf;
};

// `r` with the security headers (SecurityHeaders()).
web::Response WithHeaders(web::Response r);
// 303 See Other to `to`.
web::Response Redirect(const std::string& to);
// Template `tmpl` with `data` in the layout; with a session, plus the user, its CSRF secret
// (for the logout form) and whether it is an operator.
web::Response Page(std::string_view tmpl, nlohmann::json data, const Session* s, int status = 200);
// Whether every operator's menu links the demo mailbox (set once by AddPortalRoutes).
void SetDemoMailboxLink(bool on);
// The "message" page: a title, a sentence and an optional link back.
web::Response Message(const Session* s, int status, std::string title, std::string message,
                      std::string back = "", std::string back_label = "");
// 403 for a form posted without (or with a wrong) CSRF token.
web::Response CsrfRefused(const Session* s);

// The anonymous pages' CSRF value: the cookie's, or a fresh one (*fresh = true) that
// SetAnonCookie then sets on the response.
std::string AnonCsrf(const web::Request& req, bool* fresh);
web::Response SetAnonCookie(web::Response r, const web::Request& req, const std::string& value,
                            bool fresh);
// Whether the posted "csrf" field equals the cookie.
bool AnonCsrfOk(const web::Request& req, std::string_view posted);

// "2021/09/10" and "2021/09/10 15:04" (Asia/Tokyo); "" for nullopt. The older names of
// FormatDateJa / FormatDateTimeJa (portal/util.h), which new code calls.
std::string Day(const std::optional<Instant>& t);
std::string Minute(Instant t);
// `bytes` random bytes as hex ("" if the DRBG fails).
std::string RandomHex(size_t bytes);

}  // namespace claimsca::portal
