#pragma once

// Per-client rate limits of the portal's login, download and self-service forms
// (docs/portal.md "Rate limits"): at most `per_minute` tries of one scope per client address
// in any minute, counted in the database (webstate::RateLimit, migration 093), so every
// `serve` process behind a load balancer counts the same tries. They complement the
// per-account and per-request-ID lockouts of AuthService and the RA (also in the
// database), which a guesser spreading tries over many accounts never trips.

#include <string>
#include <string_view>

#include "common/clock.h"
#include "store/store.h"
#include "webstate/rate_limit.h"

namespace claimsca::portal {

// The scopes: each form counts its own tries.
inline constexpr std::string_view kLoginScope = "login";
inline constexpr std::string_view kKjLoginScope = "kj_login";
inline constexpr std::string_view kDownloadScope = "download";
inline constexpr std::string_view kSelfServiceScope = "self_service";

class Throttle {
 public:
  // per_minute <= 0 turns the limit off. `store` and `clock` must outlive the throttle.
  Throttle(store::Store& store, std::string_view scope, int per_minute, const Clock& clock)
      : limit_(store, std::string(scope), per_minute, clock) {}

  // Takes one try for `client`; false when it is over the limit (the try is refused). A
  // database error lets the try through: the login or download behind it needs the
  // database too and answers its own error.
  bool Allow(std::string_view client);

 private:
  webstate::RateLimit limit_;
};

}  // namespace claimsca::portal
