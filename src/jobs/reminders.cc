#include "jobs/reminders.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "domain/reminders.h"

namespace claimsca::jobs {
namespace {

constexpr int kPage = 500;

// Composes one reminder into `batch` (written a page at a time).
Status Compose(const mail::Composer& composer, std::string_view kind,
               const store::ApplicationRecord& a, std::string_view subject_ref, int stage,
               std::map<std::string, std::string> values, std::vector<store::OutboxMail>* batch) {
  values["contact_name"] = a.contact_name;
  values["institution_name"] = a.institution_name;
  values["institution_code"] = a.institution_code;
  values["request_id"] = a.request_id;
  values["terminal_name"] = a.terminal_name;
  const std::string key =
      std::string(subject_ref) + "|" + std::string(kind) + "|" + std::to_string(stage);
  ASSIGN_OR_RETURN(store::OutboxMail m, composer.Compose(kind, subject_ref, a.email, values, key));
  batch->push_back(std::move(m));
  return Status::Ok();
}

// Writes a page's reminders in one transaction; counts them as written or already there.
Status Flush(store::Store& store, std::vector<store::OutboxMail>* batch, int* written,
             int* repeated) {
  if (batch->empty()) return Status::Ok();
  ASSIGN_OR_RETURN(int64_t fresh, store.EnqueueMails(*batch));
  *written += static_cast<int>(fresh);
  *repeated += static_cast<int>(batch->size()) - static_cast<int>(fresh);
  batch->clear();
  return Status::Ok();
}

}  // namespace

Result<ReminderReport> EnqueueReminderMails(store::Store& store, const mail::Composer& composer,
                                            const ca::ProgramRegistry& programs, Instant now,
                                            std::optional<Date> covered) {
  using Page = std::vector<store::ApplicationRecord>;
  using Lister = std::function<Result<Page>(Instant after, Instant before, int64_t seq)>;
  using ChangedLister =
      std::function<Result<Page>(Instant since, Instant after, Instant before, int64_t seq)>;
  ReminderReport report;
  const Date today = JstDate(now);
  std::vector<store::OutboxMail> batch;
  const auto plus = [](Date d, int n) {
    return Date{std::chrono::sys_days(d) + std::chrono::days(n)};
  };
  // The last instant of JST day `d`.
  const auto end_of = [&](Date d) { return JstMidnight(plus(d, 1)) - std::chrono::seconds(1); };
  // One schedule: `end` of an application (its certificate's end, its download deadline),
  // `one` writes its reminder when due.
  struct Scan {
    const domain::ReminderSchedule& schedule;
    Lister list;
    ChangedLister list_changed;
    std::function<std::optional<Instant>(const store::ApplicationRecord&)> end;
    std::function<Status(const store::ApplicationRecord&)> one;
    int* written;
  };
  // Pages through `list`, calling `take` for each application.
  const auto pages =
      [&](const Scan& scan, const std::function<Result<Page>(int64_t)>& list,
          const std::function<bool(const store::ApplicationRecord&)>& take) -> Status {
    for (int64_t seq = 0;;) {
      ASSIGN_OR_RETURN(Page page, list(seq));
      report.read += static_cast<int>(page.size());
      for (const store::ApplicationRecord& a : page) {
        seq = a.seq;
        if (take(a)) RETURN_IF_ERROR(scan.one(a));
      }
      RETURN_IF_ERROR(Flush(store, &batch, scan.written, &report.already_sent));
      if (page.size() < static_cast<size_t>(kPage)) return Status::Ok();
    }
  };
  const auto run = [&](const Scan& scan) -> Status {
    // 1. The applications ending on the end dates that entered a stage since `covered`.
    const std::vector<domain::DateRange> ranges =
        domain::NewlyDueEndDates(scan.schedule, today, covered);
    for (const domain::DateRange& r : ranges) {
      // End instants on r.first .. r.last (any time of day), and not yet past.
      const Instant after = std::max(now, JstMidnight(r.first) - std::chrono::seconds(1));
      const Instant before = end_of(r.last);
      RETURN_IF_ERROR(pages(
          scan, [&](int64_t seq) { return scan.list(after, before, seq); },
          [](const store::ApplicationRecord&) { return true; }));
    }
    if (domain::CoversWindow(scan.schedule, today, ranges)) return Status::Ok();
    // 2. The applications written since the start of the covered day (issued, renewed, a
    // renewal reverted, edited...) whose end lies anywhere in the window: they may be due in
    // a stage that began before they were written. From the start of that day, not from
    // the last run's instant: a write another node's clock dated earlier than the run is
    // read too, and the dedup keys make a repeat harmless. The end dates of step 1 were
    // read there already.
    const Instant since = JstMidnight(*covered);
    const Instant before = end_of(plus(today, scan.schedule.days_before.front()));
    return pages(
        scan, [&](int64_t seq) { return scan.list_changed(since, now, before, seq); },
        [&](const store::ApplicationRecord& a) {
          const std::optional<Instant> end = scan.end(a);
          if (!end) return false;
          const auto day = std::chrono::sys_days(JstDate(*end));
          return std::none_of(ranges.begin(), ranges.end(), [&](const domain::DateRange& r) {
            return std::chrono::sys_days(r.first) <= day && day <= std::chrono::sys_days(r.last);
          });
        });
  };

  const domain::ReminderSchedule& expiry = domain::ExpiryMailSchedule();
  RETURN_IF_ERROR(
      run(Scan{expiry,
               [&](Instant after, Instant before, int64_t seq) {
                 return store.ListExpiringApplications(after, before, seq, kPage);
               },
               [&](Instant since, Instant after, Instant before, int64_t seq) {
                 return store.ListExpiringChangedSince(since, after, before, seq, kPage);
               },
               [](const store::ApplicationRecord& a) { return a.not_after; },
               [&](const store::ApplicationRecord& a) -> Status {
                 if (a.email.empty() || !a.not_after) return Status::Ok();
                 const Date end = JstDate(*a.not_after);
                 const int left = domain::DaysUntil(today, end);
                 const std::optional<int> stage = domain::ReminderStage(expiry, left);
                 if (!stage) return Status::Ok();
                 // A program no longer configured still gets its reminder, in general words.
                 auto program = programs.Find(a.program);
                 const std::string renewal_opens =
                     program.ok() ? (*program)->RenewalOpensJa() : "更新の受付期間に入って";
                 return Compose(composer, "expiry_reminder", a, a.serial, *stage,
                                {{"days_left", std::to_string(left)},
                                 {"renewal_opens", renewal_opens},
                                 {"not_after", FormatJstMinute(*a.not_after)},
                                 {"not_after_date", FormatDateJa(end)}},
                                &batch);
               },
               &report.expiry_mails}));

  const domain::ReminderSchedule& download = domain::DownloadMailSchedule();
  RETURN_IF_ERROR(
      run(Scan{download,
               [&](Instant after, Instant before, int64_t seq) {
                 return store.ListUndownloadedApplications(after, before, seq, kPage);
               },
               [&](Instant since, Instant after, Instant before, int64_t seq) {
                 return store.ListUndownloadedChangedSince(since, after, before, seq, kPage);
               },
               [](const store::ApplicationRecord& a) { return a.download_deadline; },
               [&](const store::ApplicationRecord& a) -> Status {
                 if (a.email.empty() || !a.download_deadline) return Status::Ok();
                 const Date end = JstDate(*a.download_deadline);
                 const int left = domain::DaysUntil(today, end);
                 const std::optional<int> stage = domain::ReminderStage(download, left);
                 if (!stage) return Status::Ok();
                 return Compose(composer, "download_reminder", a, a.request_id, *stage,
                                {{"days_left", std::to_string(left)},
                                 {"download_deadline", FormatJstMinute(*a.download_deadline)},
                                 {"download_deadline_date", FormatDateJa(end)}},
                                &batch);
               },
               &report.download_mails}));
  return report;
}

Result<ScreenReminder> ScreenReminderFor(store::ScheduleStore& store,
                                         const store::CertificateRecord& cert, Instant now) {
  ScreenReminder r;
  r.not_after = cert.not_after;
  const Date today = JstDate(now);
  const Date end = JstDate(cert.not_after);
  r.days_left = domain::DaysUntil(today, end);
  if (now >= cert.not_after) return r;  // expired: the terminal cannot even connect
  const std::optional<int> stage =
      domain::ReminderStage(domain::ExpiryScreenSchedule(), r.days_left);
  if (!stage) return r;
  ASSIGN_OR_RETURN(std::string shown_on,
                   store.MarkOnscreenReminder(cert.serial, *stage, IsoDate(today)));
  if (shown_on != IsoDate(today)) return r;  // shown on an earlier day of this stage
  r.show = true;
  r.title = "電子証明書の有効期限が近づいています";
  r.message = "この端末の電子証明書の有効期限は " + FormatDateJa(end) + "（" +
              FormatJstMinute(cert.not_after).substr(11) + "）です。" +
              (r.days_left == 0 ? std::string("本日で有効期限が切れます。")
                                : "あと" + std::to_string(r.days_left) + "日です。") +
              "有効期限が切れると、オンライン資格確認やオンライン請求ができなくなります。"
              "有効期限までに電子証明書の更新を行ってください。";
  return r;
}

}  // namespace claimsca::jobs
