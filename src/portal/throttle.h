#pragma once

// Per-client rate limits of the portal's login and download forms (docs/portal.md): a
// token bucket per client address holding `per_minute` tries, refilled at per_minute per
// minute. It complements the per-account and per-request-ID lockouts of AuthService and
// the RA, which a guesser spreading tries over many accounts never trips.
//
// In memory, per process: several serve processes each allow per_minute. Thread-safe.

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace claimsca::portal {

class Throttle {
 public:
  // per_minute <= 0 turns the limit off. `clock` must outlive the throttle.
  Throttle(int per_minute, const Clock& clock) : per_minute_(per_minute), clock_(clock) {}

  // Takes one try for `client`; false when its bucket is empty (the try is refused).
  bool Allow(std::string_view client);

 private:
  struct Bucket {
    double tokens = 0;
    Instant at{};
  };
  static constexpr size_t kMaxClients = 100000;  // then full buckets are forgotten

  const int per_minute_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // GUARDED_BY(mu_)
};

}  // namespace claimsca::portal
