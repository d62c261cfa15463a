#pragma once

// Per-client rate limits shared by every `serve` process on one database (issue 22 point 2;
// docs/portal.md "Rate limits"; migration 093): a client's tries of one scope ("login",
// "download"...) are counted in the database, so a client spreading its tries over several
// nodes behind a load balancer is limited as if there were one.
//
// A sliding window of one minute, approximated from two fixed minutes (the tries of the
// current minute plus the previous minute's, weighted by the part of it still inside the
// window): at most `per_minute` tries in any 60 seconds, give or take one. Each try is ONE
// statement (an upsert returning the counts); refused tries count too, so a client that
// keeps hammering stays refused until it slows down.

#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::webstate {

class RateLimit {
 public:
  // per_minute <= 0 turns the limit off. `store` and `clock` must outlive it.
  RateLimit(store::Store& store, std::string scope, int per_minute, const Clock& clock)
      : store_(store), scope_(std::move(scope)), per_minute_(per_minute), clock_(clock) {}

  // Counts one try of `client` now; false when it goes over the limit (refuse the try).
  Result<bool> Allow(std::string_view client);

 private:
  store::Store& store_;
  const std::string scope_;
  const int per_minute_;
  const Clock& clock_;
};

// Deletes the rows of clients without a try since the minute before `now`'s. Returns how
// many.
Result<int64_t> PurgeRateLimits(store::Store& store, Instant now);

}  // namespace claimsca::webstate
