#include "jobs/renewal_failures.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "common/iso_date.h"
#include "common/time_util.h"
#include "store/module_sql.h"

namespace claimsca::jobs {
namespace {

int64_t Seconds(Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

constexpr char kInsert[] =
    "INSERT INTO renewal_failures (serial, day, reports, reason, client, first_at, last_at) "
    "VALUES ($1, $2, 1, $3, $4, $5, $5) ON CONFLICT (serial, day) DO NOTHING";
constexpr char kBump[] =
    "UPDATE renewal_failures SET reports = reports + 1, reason = $3, client = $4, last_at = $5 "
    "WHERE serial = $1 AND day = $2";
constexpr char kCounts[] =
    "SELECT (SELECT reports FROM renewal_failures WHERE serial = $1 AND day = $2), "
    "(SELECT COUNT(*) FROM renewal_failures WHERE serial = $1)";
// Certificates with failures on at least $2 days, still valid at $1.
constexpr char kDue[] =
    "SELECT f.serial, c.request_id, COUNT(*) FROM renewal_failures f "
    "JOIN certificates c ON c.serial = f.serial "
    "WHERE c.revoked_at IS NULL AND c.not_after > $1 AND c.request_id IS NOT NULL "
    "GROUP BY f.serial, c.request_id HAVING COUNT(*) >= $2 ORDER BY f.serial";
constexpr char kDays[] =
    "SELECT day, reports, reason FROM renewal_failures WHERE serial = $1 ORDER BY day";

// At most `max` bytes of `s`, not cutting a UTF-8 character.
std::string CutUtf8(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// "2026/11/24" from "2026-11-24".
std::string Slashed(std::string day) {
  for (char& c : day) {
    if (c == '-') c = '/';
  }
  return day;
}

}  // namespace

Result<RenewalFailureRecorded> RecordRenewalFailure(store::Store& store,
                                                    const store::CertificateRecord& cert,
                                                    std::string_view reason,
                                                    std::string_view client, Instant now) {
  if (reason.empty()) return InvalidArgument("reason: say why the renewal failed");
  if (cert.revoked_at) return FailedPrecondition("revoked: certificate " + cert.serial);
  if (now >= cert.not_after) return FailedPrecondition("expired: certificate " + cert.serial);
  RenewalFailureRecorded out;
  out.day = IsoDate(JstDate(now));
  const std::string why = CutUtf8(reason, kRenewalFailureReasonMax);
  Status st = store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
    const store::SqlParams p = {cert.serial, out.day, why, std::string(client), Seconds(now)};
    ASSIGN_OR_RETURN(int64_t inserted, tx.Exec(kInsert, p));
    if (inserted == 0) RETURN_IF_ERROR(tx.Exec(kBump, p).status());
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> row,
                     tx.QueryFirst(kCounts, {cert.serial, out.day}));
    ASSIGN_OR_RETURN(out.reports, row->Int(0));
    ASSIGN_OR_RETURN(out.days, row->Int(1));
    if (inserted == 0) return Status::Ok();
    const store::AuditEvent ev{now, "terminal:" + cert.serial, "terminal.renewal_failure",
                               cert.request_id,
                               nlohmann::json{{"serial", cert.serial},
                                              {"day", out.day},
                                              {"days", out.days},
                                              {"reason", why},
                                              {"client", std::string(client)}}
                                   .dump()};
    return tx.AppendAudit(ev);
  });
  if (!st.ok()) return st;
  return out;
}

Result<RenewalFailingReport> EnqueueRenewalFailingMails(store::Store& store,
                                                        const mail::Composer& composer,
                                                        int min_days, Instant now) {
  if (min_days < 1) return InvalidArgument("jobs.renewal_failing_days: at least 1");
  struct Due {
    std::string serial, request_id;
    std::vector<std::string> lines;  // one per day
    std::string last_reason;
  };
  std::vector<Due> due;
  RETURN_IF_ERROR(store::RunRead(store, [&](store::SqlTx& tx) -> Status {
    due.clear();
    ASSIGN_OR_RETURN(std::vector<store::SqlRow> rows,
                     tx.Query(kDue, {Seconds(now), int64_t{min_days}}));
    for (const store::SqlRow& r : rows) {
      Due d;
      ASSIGN_OR_RETURN(d.serial, r.Text(0));
      ASSIGN_OR_RETURN(d.request_id, r.Text(1));
      ASSIGN_OR_RETURN(std::vector<store::SqlRow> days, tx.Query(kDays, {d.serial}));
      for (const store::SqlRow& day : days) {
        ASSIGN_OR_RETURN(std::string on, day.Text(0));
        ASSIGN_OR_RETURN(int64_t reports, day.Int(1));
        ASSIGN_OR_RETURN(d.last_reason, day.Text(2));
        d.lines.push_back("  " + Slashed(on) + "  " + std::to_string(reports) + "回");
      }
      due.push_back(std::move(d));
    }
    return Status::Ok();
  }));
  RenewalFailingReport report;
  std::vector<store::OutboxMail> batch;
  for (const Due& d : due) {
    Result<store::ApplicationRecord> found = store.GetApplication(d.request_id);
    if (found.status().code() == Code::kNotFound) continue;
    RETURN_IF_ERROR(found.status());
    const store::ApplicationRecord& a = *found;
    // Only the application's current certificate (a renewed one no longer matters).
    if (a.serial != d.serial || a.email.empty() || !a.not_after) continue;
    std::string days;
    for (const std::string& line : d.lines) days += line + "\n";
    if (!days.empty()) days.pop_back();
    ASSIGN_OR_RETURN(store::OutboxMail m,
                     composer.Compose("renewal_failing", d.serial, a.email,
                                      {{"contact_name", a.contact_name},
                                       {"institution_name", a.institution_name},
                                       {"institution_code", a.institution_code},
                                       {"request_id", a.request_id},
                                       {"terminal_name", a.terminal_name},
                                       {"serial", d.serial},
                                       {"failure_days", days},
                                       {"days_count", std::to_string(d.lines.size())},
                                       {"last_reason", d.last_reason},
                                       {"not_after_date", FormatDateJa(JstDate(*a.not_after))}},
                                      d.serial + "|renewal_failing"));
    batch.push_back(std::move(m));
  }
  if (batch.empty()) return report;
  ASSIGN_OR_RETURN(int64_t fresh, store.EnqueueMails(batch));
  report.mails = static_cast<int>(fresh);
  report.already_sent = static_cast<int>(batch.size()) - static_cast<int>(fresh);
  return report;
}

}  // namespace claimsca::jobs
