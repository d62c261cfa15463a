#pragma once

// A small Prometheus registry. No globals: the program owns one Metrics and passes it to
// whoever records. Registration takes a mutex; recording is lock-free (relaxed atomics),
// cheap enough for the request hot path. All classes are thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace claimsca::web {

// Label name/value pairs of one series, e.g. {{"route", "/ocsp"}, {"code", "2xx"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Fixed buckets (upper bounds in seconds, ascending) plus +Inf.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);

  void Observe(double seconds);
  void Observe(std::chrono::nanoseconds d);

  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == upper_bounds().size() is +Inf).
  uint64_t BucketCount(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t Count() const;
  double Sum() const;  // seconds

 private:
  std::vector<double> bounds_;
  std::vector<int64_t> bounds_ns_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> sum_ns_{0};
};

// 100 µs .. 5 s.
std::vector<double> DefaultLatencyBuckets();

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Returns the series `name{labels}`, creating it (and its family, with `help`) on first
  // use. References stay valid for the life of the Metrics. Names must match
  // [a-zA-Z_:][a-zA-Z0-9_:]*; one name always has one type (a clash returns a detached
  // series that is never rendered). The first registration's help and buckets win.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          std::vector<double> upper_bounds = DefaultLatencyBuckets());

  // Text exposition format 0.0.4 (# HELP / # TYPE lines, families sorted by name).
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<std::unique_ptr<Series>> series;
  };
  Series* FindOrAdd(std::string_view name, std::string_view help, Type type, const Labels& labels,
                    bool* created);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::unique_ptr<Series>> detached_;
};

}  // namespace claimsca::web
