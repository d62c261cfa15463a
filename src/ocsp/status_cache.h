#pragma once

// A cache of certificate statuses with bounded freshness, for the OCSP responder of a node
// whose freshness is already "within the replication lag" (serve --read-only; see
// docs/revocation.md "Freshness of the read-only node").
//
// Entries are the store's CertStatus of one (issuer_id, serial), cached only when the
// certificate is issued (good, or revoked with its time and reason): never NotFound,
// kIntent or kFailed, since such a certificate may be issued a moment later. Each entry is
// tagged with the generation current BEFORE its status was read; an entry of an older
// generation is a miss.
//
// The generation moves when Refresh() sees the revocation epoch change
// (store/revocation_epoch.h: it changes with every revocation). A revocation committed
// after the epoch read that made generation g can only be missed by entries tagged g, and
// the next Refresh() sees the epoch change and retires them: an answer is at most one
// refresh interval (plus one epoch read) older than the store it reads. A revocation that
// commits while a status is being read leaves at worst a "good" tagged with the generation
// taken before the read, which that same next Refresh() retires.
//
// No caching at all (every read goes to the store) before the first successful Refresh(),
// after a failed one (until the next success), and when the last success is older than
// `stale_after` by the clock (a refresher that is stuck must not leave the cache serving).
//
// Time is an input: Refresh() is an explicit call; StatusRefresher calls it every interval
// on a thread of its own (serve).
//
// Thread-safety: GetStatus() from any number of threads, concurrently with Refresh().

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/periodic_thread.h"
#include "common/status.h"
#include "ocsp/cache.h"
#include "store/store.h"

namespace claimsca::ocsp {

struct StatusCacheOptions {
  size_t capacity = 200'000;  // entries (LRU beyond)
  // Serve nothing from the cache when the last successful Refresh() is older than this.
  std::chrono::seconds stale_after{5};
};

struct StatusCacheCounters {
  uint64_t hits = 0, misses = 0;
  uint64_t refreshes = 0, generations = 0, refresh_errors = 0;
};

class StatusCache {
 public:
  // The current revocation epoch (e.g. store::ReadRevocationEpoch); an error stops caching.
  using EpochReader = std::function<Result<int64_t>()>;

  // `certs`, `clock` must outlive the cache and be thread-safe.
  StatusCache(store::CertificateReader& certs, EpochReader read_epoch, const Clock& clock,
              StatusCacheOptions options = {});
  StatusCache(const StatusCache&) = delete;
  StatusCache& operator=(const StatusCache&) = delete;

  // As CertificateReader::GetStatus, from the cache when it holds an entry of the current
  // generation.
  Result<store::CertStatus> GetStatus(std::string_view issuer_id, std::string_view serial);

  // Reads the revocation epoch; moves the generation when it changed (or on the first
  // success). On an error, caching stops until the next success, and the error is returned.
  Status Refresh();

  // 0 while nothing may be cached (no successful refresh, a failed one, or stale).
  uint64_t generation() const;
  StatusCacheCounters counters() const;

 private:
  struct Entry {
    uint64_t generation = 0;
    store::CertStatus status;
  };

  store::CertificateReader& certs_;
  const EpochReader read_epoch_;
  const Clock& clock_;
  const StatusCacheOptions options_;
  ShardedLruCache<Entry> entries_;

  std::mutex refresh_mu_;         // one Refresh() at a time
  std::optional<int64_t> epoch_;  // guarded by refresh_mu_
  uint64_t last_generation_ = 0;  // guarded by refresh_mu_
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> refreshed_at_{0};  // seconds since the Unix epoch, of clock_
  std::atomic<uint64_t> hits_{0}, misses_{0}, refreshes_{0}, generations_{0}, refresh_errors_{0};
};

// Calls cache.Refresh() at once and then every `interval` on a thread of its own until
// destruction; `on_error` (optional) is told of each failed refresh.
class StatusRefresher {
 public:
  StatusRefresher(StatusCache& cache, std::chrono::milliseconds interval,
                  std::function<void(const Status&)> on_error = nullptr)
      : thread_(interval, [&cache, on_error = std::move(on_error)] {
          Status st = cache.Refresh();
          if (!st.ok() && on_error) on_error(st);
        }) {}

 private:
  PeriodicThread thread_;
};

}  // namespace claimsca::ocsp
