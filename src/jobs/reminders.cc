#include "jobs/reminders.h"

#include <chrono>
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
                                            const ca::ProgramRegistry& programs, Instant now) {
  using std::chrono::days;
  ReminderReport report;
  const Date today = JstDate(now);
  // Everything ending by the end of the first stage's day is a candidate.
  const auto window = [&](const domain::ReminderSchedule& s) {
    return JstMidnight(Date{std::chrono::sys_days(today) + days(s.days_before.front() + 1)});
  };

  std::vector<store::OutboxMail> batch;
  const domain::ReminderSchedule& expiry = domain::ExpiryMailSchedule();
  for (int64_t after = 0;;) {
    ASSIGN_OR_RETURN(std::vector<store::ApplicationRecord> page,
                     store.ListExpiringApplications(now, window(expiry), after, kPage));
    for (const store::ApplicationRecord& a : page) {
      after = a.seq;
      if (a.email.empty() || !a.not_after) continue;
      const Date end = JstDate(*a.not_after);
      const int left = domain::DaysUntil(today, end);
      const std::optional<int> stage = domain::ReminderStage(expiry, left);
      if (!stage) continue;
      // A program no longer configured still gets its reminder, in general words.
      auto program = programs.Find(a.program);
      const std::string renewal_opens =
          program.ok() ? (*program)->RenewalOpensJa() : "更新の受付期間に入って";
      RETURN_IF_ERROR(Compose(composer, "expiry_reminder", a, a.serial, *stage,
                              {{"days_left", std::to_string(left)},
                               {"renewal_opens", renewal_opens},
                               {"not_after", FormatJstMinute(*a.not_after)},
                               {"not_after_date", FormatDateJa(end)}},
                              &batch));
    }
    RETURN_IF_ERROR(Flush(store, &batch, &report.expiry_mails, &report.already_sent));
    if (page.size() < static_cast<size_t>(kPage)) break;
  }

  const domain::ReminderSchedule& download = domain::DownloadMailSchedule();
  for (int64_t after = 0;;) {
    ASSIGN_OR_RETURN(std::vector<store::ApplicationRecord> page,
                     store.ListUndownloadedApplications(now, window(download), after, kPage));
    for (const store::ApplicationRecord& a : page) {
      after = a.seq;
      if (a.email.empty() || !a.download_deadline) continue;
      const Date end = JstDate(*a.download_deadline);
      const int left = domain::DaysUntil(today, end);
      const std::optional<int> stage = domain::ReminderStage(download, left);
      if (!stage) continue;
      RETURN_IF_ERROR(Compose(composer, "download_reminder", a, a.request_id, *stage,
                              {{"days_left", std::to_string(left)},
                               {"download_deadline", FormatJstMinute(*a.download_deadline)},
                               {"download_deadline_date", FormatDateJa(end)}},
                              &batch));
    }
    RETURN_IF_ERROR(Flush(store, &batch, &report.download_mails, &report.already_sent));
    if (page.size() < static_cast<size_t>(kPage)) break;
  }
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
