#pragma once

// The Japanese web portal (docs/portal.md): server-side rendered pages over the
// registration authority for institutions (login, マイページ, application with the
// pre-submit pop-up and confirmation, 申請状況照会, 詳細/編集), the network-terminal
// application form without an account, the download site, and the operator console.
// Thin like the JSON API: parse the form, call the RA / AuthService, render a template.

#include <chrono>
#include <string>

#include "auth/address_ranges.h"
#include "auth/auth_service.h"
#include "common/clock.h"
#include "ra/registration_authority.h"
#include "store/store.h"
#include "web/http.h"

namespace claimsca::portal {

struct PortalDeps {
  ra::RegistrationAuthority& ra;
  auth::AuthService& auth;
  store::AccountStore& accounts;  // the session's CSRF secret and the account's display name
  const auth::AddressRanges& network_ranges;  // where /network/ is open
  const Clock& clock;
  std::string root_cert_der;  // its thumbprints are shown on the download site
  std::chrono::seconds session_ttl{std::chrono::hours(2)};
};

// Registers /portal/…, /network/, /download/, /console/…, /static/portal.css|js and "/"
// (a redirect to /portal/). Everything referenced by `deps` must outlive the router.
void AddPortalRoutes(web::Router& router, PortalDeps deps);

}  // namespace claimsca::portal
