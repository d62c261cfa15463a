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
  ReminderReport report;
  const Date today = JstDate(now);
  std::vector<store::OutboxMail> batch;
  // Pages through the applications of `schedule` ending on the newly due end dates.
  const auto each_due = [&](const domain::ReminderSchedule& schedule, const Lister& list,
                            const std::function<Status(const store::ApplicationRecord&)>& one,
                            int* written) -> Status {
    for (const domain::DateRange& r : domain::NewlyDueEndDates(schedule, today, covered)) {
      // End instants on r.first .. r.last (any time of day), and not yet past.
      const Instant after = std::max(now, JstMidnight(r.first) - std::chrono::seconds(1));
      const Instant before =
          JstMidnight(Date{std::chrono::sys_days(r.last) + std::chrono::days(1)}) -
          std::chrono::seconds(1);
      for (int64_t seq = 0;;) {
        ASSIGN_OR_RETURN(Page page, list(after, before, seq));
        report.read += static_cast<int>(page.size());
        for (const store::ApplicationRecord& a : page) {
          seq = a.seq;
          RETURN_IF_ERROR(one(a));
        }
        RETURN_IF_ERROR(Flush(store, &batch, written, &report.already_sent));
        if (page.size() < static_cast<size_t>(kPage)) break;
      }
    }
    return Status::Ok();
  };

  const domain::ReminderSchedule& expiry = domain::ExpiryMailSchedule();
  RETURN_IF_ERROR(each_due(
      expiry,
      [&](Instant after, Instant before, int64_t seq) {
        return store.ListExpiringApplications(after, before, seq, kPage);
      },
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
      &report.expiry_mails));

  const domain::ReminderSchedule& download = domain::DownloadMailSchedule();
  RETURN_IF_ERROR(each_due(
      download,
      [&](Instant after, Instant before, int64_t seq) {
        return store.ListUndownloadedApplications(after, before, seq, kPage);
      },
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
      &report.download_mails));
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
