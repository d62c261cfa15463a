#pragma once

// The "service is live" marker behind the refusal of time rehearsals on live data
// (docs/operations.md). A `serve` running on the real clock holds the lease "serve:live"
// on the real clock and renews it every `renew_every`, for `ttl`, and releases it when it
// stops (a killed one's lapses after `ttl`); another live `serve` takes it over at its next
// renewal. A one-shot command with a future `--at` asks IsServiceLive first and refuses
// (unless forced) while the marker is held.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::jobs {

inline constexpr std::string_view kLiveLease = "serve:live";

// True while a live `serve` holds the marker at `real_now`. A probe: it takes the lease
// with a zero ttl when free (which leaves it free).
Result<bool> IsServiceLive(store::LeaseStore& leases, std::string_view prober, Instant real_now);

// Renews the marker from a background thread. `leases` and `real_clock` must outlive it.
class LiveMarker {
 public:
  LiveMarker(store::LeaseStore& leases, const Clock& real_clock, std::string holder,
             std::chrono::seconds renew_every = std::chrono::seconds(60),
             std::chrono::seconds ttl = std::chrono::seconds(180));
  ~LiveMarker();  // Stop()s
  LiveMarker(const LiveMarker&) = delete;
  LiveMarker& operator=(const LiveMarker&) = delete;

  // Takes or renews the marker once (false: another live process holds it, which is fine).
  Result<bool> Renew();
  // Renews once, then every `renew_every` on a background thread until Stop, which
  // releases the marker.
  void Start();
  void Stop();

 private:
  store::LeaseStore& leases_;
  const Clock& clock_;
  const std::string holder_;
  const std::chrono::seconds renew_every_, ttl_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace claimsca::jobs
