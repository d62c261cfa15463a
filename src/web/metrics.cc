#include "web/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace claimsca::web {
namespace {

void AppendLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

void AppendHelp(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

// {a="x",b="y"} with an optional extra label (le) appended; "" when there are none.
void AppendLabels(std::string& out, const Labels& labels, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return;
  out.push_back('{');
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += k;
    out += "=\"";
    AppendLabelValue(out, v);
    out.push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out.push_back(',');
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out.push_back('"');
  }
  out.push_back('}');
}

std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // Prefer the shortest representation that round-trips.
  for (int prec = 1; prec <= 17; ++prec) {
    char b[32];
    std::snprintf(b, sizeof b, "%.*g", prec, v);
    if (std::strtod(b, nullptr) == v) return b;
  }
  return buf;
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  for (double b : bounds_) bounds_ns_.push_back(static_cast<int64_t>(std::llround(b * 1e9)));
  counts_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(std::chrono::nanoseconds d) {
  const int64_t ns = std::max<int64_t>(0, d.count());
  size_t i = 0;
  while (i < bounds_ns_.size() && ns > bounds_ns_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

void Histogram::Observe(double seconds) {
  Observe(std::chrono::nanoseconds(static_cast<int64_t>(std::llround(seconds * 1e9))));
}

uint64_t Histogram::Count() const {
  uint64_t n = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) n += BucketCount(i);
  return n;
}

double Histogram::Sum() const {
  return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5};
}

Metrics::Series* Metrics::FindOrAdd(std::string_view name, std::string_view help, Type type,
                                    const Labels& labels, bool* created) {
  *created = false;
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}}).first;
  }
  Family& f = it->second;
  if (f.type != type) {
    detached_.push_back(std::make_unique<Series>());
    *created = true;
    return detached_.back().get();
  }
  for (auto& s : f.series) {
    if (s->labels == labels) return s.get();
  }
  f.series.push_back(std::make_unique<Series>());
  f.series.back()->labels = labels;
  *created = true;
  return f.series.back().get();
}

Counter& Metrics::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  bool created;
  Series* s = FindOrAdd(name, help, Type::kCounter, labels, &created);
  if (created) s->counter = std::make_unique<Counter>();
  return *s->counter;
}

Gauge& Metrics::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  bool created;
  Series* s = FindOrAdd(name, help, Type::kGauge, labels, &created);
  if (created) s->gauge = std::make_unique<Gauge>();
  return *s->gauge;
}

Histogram& Metrics::GetHistogram(std::string_view name, std::string_view help, const Labels& labels,
                                 std::vector<double> upper_bounds) {
  std::lock_guard lock(mu_);
  bool created;
  Series* s = FindOrAdd(name, help, Type::kHistogram, labels, &created);
  if (created) s->histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  return *s->histogram;
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  out.reserve(4096);
  for (const auto& [name, f] : families_) {
    out += "# HELP ";
    out += name;
    out.push_back(' ');
    AppendHelp(out, f.help);
    out += "\n# TYPE ";
    out += name;
    out += f.type == Type::kCounter ? " counter\n"
           : f.type == Type::kGauge ? " gauge\n"
                                    : " histogram\n";
    for (const auto& s : f.series) {
      if (s->counter || s->gauge) {
        out += name;
        AppendLabels(out, s->labels);
        out.push_back(' ');
        out += s->counter ? std::to_string(s->counter->Value()) : std::to_string(s->gauge->Value());
        out.push_back('\n');
        continue;
      }
      const Histogram& h = *s->histogram;
      uint64_t cumulative = 0;
      const auto& bounds = h.upper_bounds();
      for (size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += h.BucketCount(i);
        out += name;
        out += "_bucket";
        AppendLabels(out, s->labels, "le",
                     i < bounds.size() ? FormatDouble(bounds[i]) : std::string("+Inf"));
        out.push_back(' ');
        out += std::to_string(cumulative);
        out.push_back('\n');
      }
      out += name;
      out += "_sum";
      AppendLabels(out, s->labels);
      out.push_back(' ');
      out += FormatDouble(h.Sum());
      out.push_back('\n');
      out += name;
      out += "_count";
      AppendLabels(out, s->labels);
      out.push_back(' ');
      out += std::to_string(cumulative);
      out.push_back('\n');
    }
  }
  return out;
}

}  // namespace claimsca::web
