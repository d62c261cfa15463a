#include "jobs/runner.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/iso_date.h"
#include "common/time_util.h"

namespace claimsca::jobs {

Result<int> ParseTimeOfDay(std::string_view t, std::string_view what) {
  const auto digit = [&](size_t i) { return t[i] >= '0' && t[i] <= '9'; };
  if (t.size() != 5 || t[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) {
    return InvalidArgument(std::string(what) + ": expected HH:MM (JST)");
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return InvalidArgument(std::string(what) + ": expected HH:MM (JST)");
  return h * 60 + m;
}

Result<std::string> Runner::RunWithHeartbeat(const Job& job, const std::string& lease,
                                             std::chrono::seconds ttl, Instant now) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  const auto every = std::max<std::chrono::milliseconds>(ttl / 3, std::chrono::milliseconds(100));
  std::thread beat([&] {
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, every, [&] { return done; })) {
      lock.unlock();
      // Renewed at the job's clock (a rehearsal's fixed --at renews to the same end).
      (void)store_.TryLease(lease, holder_, clock_.Now(), ttl);
      lock.lock();
    }
  });
  Result<std::string> r = job.run(now);
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  beat.join();
  return r;
}

Runner::Runner(store::Store& store, const Clock& clock, std::string holder,
               const Clock* lease_clock)
    : store_(store),
      clock_(clock),
      lease_clock_(lease_clock != nullptr ? *lease_clock : clock),
      holder_(std::move(holder)) {}

void Runner::Add(Job job) { jobs_.push_back(std::move(job)); }

std::vector<JobOutcome> Runner::RunDue(const std::vector<std::string>& only,
                                       const std::function<void(const JobOutcome&)>& each) {
  std::vector<JobOutcome> out;
  // Each outcome is told as soon as it is known, not after the whole round.
  const auto emit = [&](JobOutcome o) {
    if (each) each(o);
    out.push_back(std::move(o));
  };
  for (const Job& job : jobs_) {
    if (!only.empty() && std::find(only.begin(), only.end(), job.name) == only.end()) continue;
    JobOutcome o;
    o.name = job.name;
    const Instant now = clock_.Now();
    const std::string today = IsoDate(JstDate(now));
    if (job.daily_at_minute) {
      const auto since_midnight =
          std::chrono::duration_cast<std::chrono::minutes>(now - JstMidnight(JstDate(now)));
      auto last = store_.LastJobDay(job.name);
      if (!last.ok()) {
        o.status = last.status();
        emit(std::move(o));
        continue;
      }
      // `==`, not `>=`: a day recorded in the future (a rehearsal) does not stop today's run.
      if (since_midnight.count() < *job.daily_at_minute || (*last && **last == today)) {
        o.skipped = true;
        o.summary = "not due";
        emit(std::move(o));
        continue;
      }
    }
    if (job.due) {
      Result<bool> due = job.due(now);
      if (!due.ok() || !*due) {
        o.status = due.status();
        o.skipped = due.ok();
        o.summary = "not due";
        emit(std::move(o));
        continue;
      }
    }
    const std::string lease = "job:" + job.name;
    const std::chrono::seconds ttl = job.lease.count() > 0 ? job.lease : default_lease_;
    auto leased = store_.TryLease(lease, holder_, now, ttl);
    if (!leased.ok() || !*leased) {
      o.status = leased.ok() ? Status::Ok() : leased.status();
      o.skipped = leased.ok();
      o.elsewhere = leased.ok();
      o.summary = "running elsewhere";
      emit(std::move(o));
      continue;
    }
    Result<std::string> r = RunWithHeartbeat(job, lease, ttl, now);
    if (r.ok() && job.daily_at_minute) {
      o.status = store_.RecordJobDay(job.name, today, clock_.Now());
    } else {
      o.status = r.status();
    }
    if (r.ok()) o.summary = *r;
    // Released at the earlier of the job's time and the real time: a rehearsal's release
    // never dates the lease in the future.
    (void)store_.TryLease(lease, holder_, std::min(clock_.Now(), lease_clock_.Now()),
                          std::chrono::seconds(0));
    emit(std::move(o));
  }
  return out;
}

}  // namespace claimsca::jobs
