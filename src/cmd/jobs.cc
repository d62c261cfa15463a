#include "cmd/jobs.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cmd/audit_cmd.h"
#include "cmd/billing_cmd.h"
#include "cmd/crl_shards_cmd.h"
#include "cmd/kokuhoren_cert_cmd.h"
#include "cmd/newinst_cmd.h"
#include "cmd/newinst_withdraw_cmd.h"
#include "cmd/notices.h"
#include "cmd/rehearsal.h"
#include "common/iso_date.h"
#include "jobs/reminders.h"
#include "jobs/renewal_failures.h"
#include "webstate/one_time_files.h"
#include "webstate/rate_limit.h"

namespace claimsca::cmd {
namespace {

// The last JST day the reminders job finished: it reads what became due and what was
// written since (jobs::EnqueueReminderMails). None, or unreadable: the whole window.
std::optional<Date> ReminderCovered(store::Store& store) {
  auto day = store.LastJobDay("reminders");
  if (!day.ok() || !*day) return std::nullopt;
  return ParseIsoDate(**day);
}

}  // namespace

Status AddStandardJobs(App& app, jobs::Runner& runner, CrlPublishers* crl) {
  const Config& c = app.config;
  ASSIGN_OR_RETURN(int reminders_at,
                   jobs::ParseTimeOfDay(c.jobs_reminders_at, "jobs.reminders_at"));
  ASSIGN_OR_RETURN(int batch_at,
                   jobs::ParseTimeOfDay(c.jobs_notice_batch_at, "jobs.notice_batch_at"));
  ASSIGN_OR_RETURN(int purge_at, jobs::ParseTimeOfDay(c.jobs_purge_at, "jobs.purge_at"));
  if (c.jobs_lease_seconds < 1) return InvalidArgument("jobs.lease_seconds: at least 1");
  runner.SetDefaultLease(std::chrono::seconds(c.jobs_lease_seconds));

  runner.Add({"reminders", reminders_at, [&app](Instant now) -> Result<std::string> {
                ASSIGN_OR_RETURN(
                    jobs::ReminderReport r,
                    jobs::EnqueueReminderMails(*app.store, *app.mail_composer, app.programs, now,
                                               ReminderCovered(*app.store)));
                ASSIGN_OR_RETURN(
                    jobs::RenewalFailingReport f,
                    jobs::EnqueueRenewalFailingMails(*app.store, *app.mail_composer,
                                                     app.config.jobs_renewal_failing_days, now));
                return "expiry_mails=" + std::to_string(r.expiry_mails) +
                       " download_mails=" + std::to_string(r.download_mails) +
                       " renewal_failing_mails=" + std::to_string(f.mails) +
                       " already_sent=" + std::to_string(r.already_sent + f.already_sent) +
                       " read=" + std::to_string(r.read);
              }});
  RETURN_IF_ERROR(AddKokuhorenCertJobs(app, runner));   // kj-expiry-notice (docs/kokuhoren.md)
  AddNewinstCertsJobs(app, runner);                     // newinst-supersede (docs/newinst.md)
  RETURN_IF_ERROR(AddNewinstReminderJob(app, runner));  // newinst-remind (docs/newinst.md)
  runner.Add({"notice-batch", batch_at, [&app](Instant) -> Result<std::string> {
                ASSIGN_OR_RETURN(
                    std::string summary,
                    PrintNoticeBatch(app, app.config.Path(app.config.jobs_notices_dir), 10000));
                for (char& ch : summary) {
                  if (ch == '\n') ch = ' ';
                }
                while (!summary.empty() && summary.back() == ' ') summary.pop_back();
                return summary;
              }});
  runner.Add({"purge-downloads", purge_at, [&app](Instant now) -> Result<std::string> {
                ASSIGN_OR_RETURN(int64_t n, app.store->PurgeExpiredDownloads(now));
                ASSIGN_OR_RETURN(int64_t tokens, app.store->PurgeExpiredTokens(now));
                return "purged=" + std::to_string(n) + " expired_tokens=" + std::to_string(tokens);
              }});
  // The web state shared by the serve processes (src/webstate): the rows of finished
  // minutes and expired file links.
  runner.Add({"purge-web-state", std::nullopt, [&app](Instant now) -> Result<std::string> {
                ASSIGN_OR_RETURN(int64_t limits, webstate::PurgeRateLimits(*app.store, now));
                ASSIGN_OR_RETURN(int64_t files, webstate::PurgeOneTimeFiles(*app.store, now));
                return "rate_limits=" + std::to_string(limits) +
                       " one_time_files=" + std::to_string(files);
              }});
  if (app.outbox) {
    runner.Add({"mail", std::nullopt, [&app](Instant) -> Result<std::string> {
                  int sent = 0, retrying = 0, failed = 0;
                  while (true) {  // until nothing due is left (batches of 200)
                    ASSIGN_OR_RETURN(mail::SendReport r, app.outbox->SendDue(200));
                    sent += r.sent;
                    retrying += r.retrying;
                    failed += r.failed;
                    if (r.sent + r.retrying + r.failed < 200) break;
                  }
                  return "sent=" + std::to_string(sent) + " retrying=" + std::to_string(retrying) +
                         " failed=" + std::to_string(failed);
                }});
  }
  if (crl != nullptr) {
    runner.Add({"crl", std::nullopt, [crl](Instant) -> Result<std::string> {
                  int full = 0;
                  int shards = 0;
                  for (auto& u : crl->full) {
                    ASSIGN_OR_RETURN(bool published, u->MaybePublish());
                    full += published ? 1 : 0;
                  }
                  for (auto& u : crl->shards) {
                    ASSIGN_OR_RETURN(int n, u->MaybePublish());
                    shards += n;
                  }
                  if (full + shards == 0) return std::string("current");
                  return "published crls=" + std::to_string(full) +
                         " shards=" + std::to_string(shards);
                }});
  }
  AddAuditCheckpointJob(app, runner);
  return AddBillingRunJob(app, runner);
}

int RunJobsCommand(App& app, const std::vector<std::string>& only) {
  std::unique_ptr<CrlPublishers> crl;
  if (app.ca.issuing_signer) {
    crl::CrlUpdaterOptions o;
    o.validity = std::chrono::hours(app.config.crl_validity_hours);
    o.refresh_before = std::chrono::hours(app.config.crl_refresh_before_hours);
    o.debounce = std::chrono::seconds(0);
    o.max_delay = std::chrono::seconds(0);
    o.holder = ProcessHolder();
    o.lease_clock = &WallClock();
    crl = std::make_unique<CrlPublishers>();
    crl->full.push_back(std::make_unique<crl::CrlUpdater>(
        *app.store, *app.store, *app.store, app.config.issuer_id, app.ca.issuing.get(),
        *app.ca.issuing_signer, *app.clock, o));
    // The programs' own issuing CAs (国保連), and the shards of each (docs/revocation.md).
    for (const ProgramIssuingCa& p : app.ca.program_issuing) {
      if (p.signer == nullptr) continue;
      crl->full.push_back(std::make_unique<crl::CrlUpdater>(
          *app.store, *app.store, *app.store, p.issuer_id, p.cert.get(), *p.signer, *app.clock, o));
    }
    crl->shards = MakeShardUpdaters(app, o);
  }
  jobs::Runner runner(*app.store, *app.clock, ProcessHolder(), &WallClock());
  Status st = AddStandardJobs(app, runner, crl.get());
  if (!st.ok()) return ExitWithError(st);
  for (const std::string& name : only) {
    bool known = false;
    for (const jobs::Job& j : runner.jobs()) known |= j.name == name;
    if (!known) return ExitWithError(InvalidArgument("--job: no job named '" + name + "'"));
  }
  int exit_code = 0;
  for (const jobs::JobOutcome& o : runner.RunDue(only)) {
    if (!o.status.ok()) {
      std::printf("%s: error: %s\n", o.name.c_str(), o.status.ToString().c_str());
      exit_code = 1;
    } else {
      std::printf("%s: %s%s\n", o.name.c_str(), o.skipped ? "skipped: " : "", o.summary.c_str());
    }
  }
  return exit_code;
}

JobThread::JobThread(App& app, std::unique_ptr<jobs::Runner> runner, std::chrono::seconds interval)
    : app_(app), runner_(std::move(runner)), interval_(interval) {}

JobThread::~JobThread() { Stop(); }

void JobThread::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void JobThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JobThread::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    // Each job's outcome is logged when it ends, not after the round: a job that waits (the
    // mail job on a slow SMTP server) does not hold back what the others did.
    runner_->RunDue({}, [this](const jobs::JobOutcome& o) {
      // Another process holds the job's lease (it runs there): said, so that which node
      // runs what can be seen in the logs.
      if (o.elsewhere) app_.logger->Event("job_elsewhere", {{"job", o.name}});
      if (o.skipped) return;
      if (o.status.ok()) {
        app_.logger->Event("job", {{"job", o.name}, {"result", o.summary}});
      } else {
        app_.logger->Event("job_error", {{"job", o.name}, {"error", o.status.ToString()}});
      }
    });
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace claimsca::cmd
