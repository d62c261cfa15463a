#pragma once

// The jobs of a deployment (docs/notices-and-mail.md), wired from the App:
//   reminders       daily at jobs.reminders_at: reminder e-mails into the outbox
//   notice-batch    daily at jobs.notice_batch_at: re-send list + the day's notice PDF
//   purge-downloads daily at jobs.purge_at: PKCS#12 files past their download deadline,
//                   and expired tokens (sessions, API tokens, e-mail links)
//   purge-web-state every run: rate-limit rows of past minutes and expired one-time file
//                   links (src/webstate)
//   mail            every run: send due outbox messages (only with mail.smtp_url)
//   crl             every run: publish each issuing CA's CRL and CRL shards when due
//                   (`jobs run` only; serve has its own CRL updater threads)
//   audit-checkpoint every run, when due: a signed checkpoint of the audit chain
//                   (audit.checkpoint_interval_seconds, docs/audit.md)
//   kj-expiry-notice daily at jobs.reminders_at: 国保連 証明書有効期限切れ事前通知 (inbox and
//                   e-mail; docs/kokuhoren.md)
//   newinst-supersede every run: certificates on replaced codes superseded (docs/newinst.md)
//   billing-run     daily at jobs.billing_run_at from the month's invoice day: the monthly
//                   billing run until it is done (billing.job_enabled, docs/billing.md)

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cmd/app.h"
#include "crl/shards.h"
#include "crl/updater.h"
#include "jobs/runner.h"

namespace claimsca::cmd {

// What the crl job keeps current: every issuing CA's full CRL and its shards.
struct CrlPublishers {
  std::vector<std::unique_ptr<crl::CrlUpdater>> full;
  std::vector<std::unique_ptr<crl::ShardedCrlUpdater>> shards;
};

// Adds the jobs above to `runner`; `crl` may be null (no crl job).
Status AddStandardJobs(App& app, jobs::Runner& runner, CrlPublishers* crl);

// `claimsca jobs run [--job NAME]...`: every due job once, at the app's clock (`--at`).
// Prints one line per job; exit code 1 when one failed.
int RunJobsCommand(App& app, const std::vector<std::string>& only);

// `serve`'s background thread: RunDue every `interval`, outcomes logged.
class JobThread {
 public:
  JobThread(App& app, std::unique_ptr<jobs::Runner> runner, std::chrono::seconds interval);
  ~JobThread();
  void Start();
  void Stop();

 private:
  void Loop();
  App& app_;
  std::unique_ptr<jobs::Runner> runner_;
  std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace claimsca::cmd
