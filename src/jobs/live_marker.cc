#include "jobs/live_marker.h"

namespace claimsca::jobs {

Result<bool> IsServiceLive(store::LeaseStore& leases, std::string_view prober, Instant real_now) {
  ASSIGN_OR_RETURN(bool free,
                   leases.TryLease(kLiveLease, prober, real_now, std::chrono::seconds(0)));
  return !free;
}

LiveMarker::LiveMarker(store::LeaseStore& leases, const Clock& real_clock, std::string holder,
                       std::chrono::seconds renew_every, std::chrono::seconds ttl)
    : leases_(leases),
      clock_(real_clock),
      holder_(std::move(holder)),
      renew_every_(renew_every),
      ttl_(ttl) {}

LiveMarker::~LiveMarker() { Stop(); }

Result<bool> LiveMarker::Renew() {
  return leases_.TryLease(kLiveLease, holder_, clock_.Now(), ttl_);
}

void LiveMarker::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  (void)Renew();  // held before Start returns: a rehearsal started right after sees it
  thread_ = std::thread([this] {
    std::unique_lock held(mu_);
    while (!cv_.wait_for(held, renew_every_, [this] { return stop_; })) {
      held.unlock();
      (void)Renew();  // a failed renewal is retried at the next turn; the ttl covers two
      held.lock();
    }
  });
}

void LiveMarker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  // A stopped service is not live: released (a no-op when another process holds it).
  (void)leases_.TryLease(kLiveLease, holder_, clock_.Now(), std::chrono::seconds(0));
}

}  // namespace claimsca::jobs
