#pragma once

// The job runner (docs/notices-and-mail.md): `serve` calls RunDue on a timer, `claimsca
// jobs run --at T` once at a chosen instant. A job runs under the cross-process lease
// "job:<name>", so two processes never run it at once. While a job runs, its lease is
// renewed every third of its ttl (a heartbeat): a long run keeps it however short the ttl,
// and the lease of a process that died expires one ttl after its last renewal, when
// another process takes the job over (docs/architecture.md "Several processes, one
// database"). A daily job is due once per JST day
// at or after its time; it is recorded as done for that day only after it finished, so a
// job killed half-way runs again — every job's work is idempotent (outbox dedup keys,
// batch transactions), so nothing is sent twice.
//
// Time rehearsals (docs/operations.md): a lease is released at the earlier of the job's
// time and the real time (`lease_clock`), so a `jobs run --at <future>` cannot keep a
// running service out of a lease until that instant; and a daily job is skipped only when
// it already ran on exactly today's JST day, so a day recorded by a rehearsal in the future
// does not stop today's run.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::jobs {

struct Job {
  std::string name;
  // Minutes after 00:00 JST from which a daily job is due; nullopt = every run.
  std::optional<int> daily_at_minute;
  // Does the work at `now`; returns a one-line summary.
  std::function<Result<std::string>(Instant now)> run;
  // The lease's ttl, renewed while the job runs; 0 = the runner's default (jobs.lease_seconds).
  std::chrono::seconds lease{0};
  // Extra gate for a job that runs "every run": false = skipped as "not due" (not run,
  // no lease taken). Null = always due. E.g. the audit checkpoint's interval.
  std::function<Result<bool>(Instant now)> due = nullptr;
};

// "HH:MM" → minutes after midnight; InvalidArgument naming `what` otherwise.
Result<int> ParseTimeOfDay(std::string_view text, std::string_view what);

struct JobOutcome {
  std::string name;
  Status status;
  std::string summary;     // when ok
  bool skipped = false;    // not due, or another process holds its lease
  bool elsewhere = false;  // skipped because another process holds its lease
};

class Runner {
 public:
  // `store`, `clock` and `lease_clock` must outlive the runner; `holder` names this process
  // in leases. `clock` decides what is due and is passed to the jobs (`--at`);
  // `lease_clock` (the real clock; null = `clock`) bounds the release time.
  Runner(store::Store& store, const Clock& clock, std::string holder,
         const Clock* lease_clock = nullptr);
  // The ttl of a job's lease when the job does not set its own (30 minutes unless set).
  void SetDefaultLease(std::chrono::seconds ttl) { default_lease_ = ttl; }
  void Add(Job job);
  // Runs every due job once, in the order added. A failing job does not stop the others.
  // `each` (may be null) is called with each outcome as soon as it is known.
  std::vector<JobOutcome> RunDue(const std::vector<std::string>& only = {},
                                 const std::function<void(const JobOutcome&)>& each = nullptr);
  const std::vector<Job>& jobs() const { return jobs_; }

 private:
  // Runs `job` while a thread renews its lease every third of `ttl`.
  Result<std::string> RunWithHeartbeat(const Job& job, const std::string& lease,
                                       std::chrono::seconds ttl, Instant now);

  store::Store& store_;
  const Clock& clock_;
  const Clock& lease_clock_;
  std::string holder_;
  std::chrono::seconds default_lease_{std::chrono::minutes(30)};
  std::vector<Job> jobs_;
};

}  // namespace claimsca::jobs
