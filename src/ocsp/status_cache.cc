#include "ocsp/status_cache.h"

#include <string>
#include <utility>

namespace claimsca::ocsp {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

std::string Key(std::string_view issuer_id, std::string_view serial) {
  std::string key;
  key.reserve(issuer_id.size() + 1 + serial.size());
  key.append(issuer_id).push_back('\0');
  key.append(serial);
  return key;
}

int64_t Seconds(Instant t) { return t.time_since_epoch().count(); }

}  // namespace

StatusCache::StatusCache(store::CertificateReader& certs, EpochReader read_epoch,
                         const Clock& clock, StatusCacheOptions options)
    : certs_(certs),
      read_epoch_(std::move(read_epoch)),
      clock_(clock),
      options_(options),
      entries_(options.capacity) {}

uint64_t StatusCache::generation() const {
  const uint64_t g = generation_.load(std::memory_order_acquire);
  if (g == 0) return 0;
  const int64_t age = Seconds(clock_.Now()) - refreshed_at_.load(kRelaxed);
  return age > options_.stale_after.count() ? 0 : g;
}

Result<store::CertStatus> StatusCache::GetStatus(std::string_view issuer_id,
                                                 std::string_view serial) {
  // The generation BEFORE the read: see the header.
  const uint64_t g = generation();
  std::string key;
  if (g != 0) {
    key = Key(issuer_id, serial);
    std::shared_ptr<const Entry> e = entries_.Get(key);
    if (e && e->generation == g) {
      hits_.fetch_add(1, kRelaxed);
      return e->status;
    }
  }
  misses_.fetch_add(1, kRelaxed);
  Result<store::CertStatus> st = certs_.GetStatus(issuer_id, serial);
  if (g != 0 && st.ok() && st->state == store::CertState::kIssued) {
    entries_.Put(key, std::make_shared<const Entry>(Entry{g, *st}));
  }
  return st;
}

Status StatusCache::Refresh() {
  std::lock_guard lock(refresh_mu_);
  // Stamped before the read: the age of a generation counts from before its epoch.
  const Instant started = clock_.Now();
  refreshes_.fetch_add(1, kRelaxed);
  Result<int64_t> epoch = read_epoch_();
  if (!epoch.ok()) {
    refresh_errors_.fetch_add(1, kRelaxed);
    generation_.store(0, std::memory_order_release);
    epoch_.reset();
    return epoch.status();
  }
  refreshed_at_.store(Seconds(started), kRelaxed);
  if (!epoch_ || *epoch != *epoch_) {
    epoch_ = *epoch;
    generations_.fetch_add(1, kRelaxed);
    generation_.store(++last_generation_, std::memory_order_release);
  }
  return Status::Ok();
}

StatusCacheCounters StatusCache::counters() const {
  return {hits_.load(kRelaxed), misses_.load(kRelaxed), refreshes_.load(kRelaxed),
          generations_.load(kRelaxed), refresh_errors_.load(kRelaxed)};
}

}  // namespace claimsca::ocsp
