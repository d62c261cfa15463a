#pragma once

#include <atomic>
#include <chrono>

namespace claimsca {

// All instants in claimsca are whole seconds since the Unix epoch (UTC). Civil dates for
// business rules are computed in Asia/Tokyo (see common/time_util.h).
using Instant = std::chrono::sys_seconds;

// Time is an input: every component that needs "now" takes a Clock. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// A clock that stands still at a chosen instant until moved (tests, and `--at`).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant at) : at_(at.time_since_epoch().count()) {}
  Instant Now() const override { return Instant(std::chrono::seconds(at_.load())); }
  void Set(Instant at) { at_.store(at.time_since_epoch().count()); }
  void Advance(std::chrono::seconds d) { at_.fetch_add(d.count()); }

 private:
  std::atomic<long long> at_;
};

// A clock that runs at real speed from a chosen starting instant: `serve --at` uses it
// so a demo server can live years ahead.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(Instant start) : offset_(start - SystemClock().Now()) {}
  Instant Now() const override { return SystemClock().Now() + offset_; }

 private:
  std::chrono::seconds offset_;
};

}  // namespace claimsca
