#include "portal/throttle.h"

#include <algorithm>
#include <chrono>

namespace claimsca::portal {

bool Throttle::Allow(std::string_view client) {
  if (per_minute_ <= 0) return true;
  const Instant now = clock_.Now();
  const double capacity = per_minute_;
  auto refilled = [&](const Bucket& b) {
    const double secs = std::chrono::duration<double>(now - b.at).count();
    return std::min(capacity, b.tokens + std::max(0.0, secs) * capacity / 60.0);
  };
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxClients) {
      std::erase_if(buckets_, [&](const auto& kv) { return refilled(kv.second) >= capacity; });
    }
    it = buckets_.emplace(std::string(client), Bucket{capacity, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b);
  b.at = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace claimsca::portal
