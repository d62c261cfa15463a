#pragma once

// Views shared by the institution pages (portal.cc) and the operator console
// (console.cc): the session of a request, a list row, the state words, the RA's errors
// as pages, and the cancel / revoke confirmation page. Internal to claimsca_portal.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "portal/page.h"
#include "portal/portal.h"

namespace claimsca::portal {

// 発行承認待ち, 発行済み, … (ra::StateLabelJa).
std::string StateJa(store::ApplicationState s);
// Why automatic review held an application (RA AutoReviewPolicy rule names), in Japanese
// with the rule name kept for operators; "" for none.
std::string HoldReasonJa(const std::string& rule);
// The label of a select's value on the confirmation screen ("1：保険医療機関（医科）").
std::string DisplayValue(std::string_view field, const std::string& value);

// The session of the request's cookie: a live session token of an enabled account, with
// its CSRF secret. Moves the idle end (PortalDeps::session_idle, capped by session_max);
// nullopt when there is none, it is past either end, or the account is disabled.
std::optional<Session> LoadSession(const PortalDeps& d, const web::Request& req);

// The session of an operator-console page (an account that reads every institution), else
// nullopt with `refused` set: the login page without a session, 403 under `title` for any
// other account.
std::optional<Session> ConsoleSession(const PortalDeps& d, const web::Request& req,
                                      const std::string& title, web::Response* refused);

// POST …/logout of a signed-in page set: checks the form's CSRF token against the session,
// revokes the session token, clears the cookie and sends the browser to `login_page`
// (with ?out=1). Without a session it only clears the cookie.
web::Response Logout(const PortalDeps& d, const web::Request& req, const std::string& login_page);

// An RA error as a page: NotFound → 404 「申請が見つかりません」, Forbidden → 403, …
web::Response RaFailure(const Session* s, const Status& st);

// One row of the list and the console's queue; `base` + request_id is its link.
nlohmann::json Row(const store::ApplicationRecord& a, int n, const std::string& base);

// The no-JavaScript confirmation of "cancel" or "revoke" with the guide's question.
web::Response ConfirmPage(const Session* s, const store::ApplicationRecord& a,
                          const std::string& op, const std::string& reason = "unspecified");

}  // namespace claimsca::portal
