// PgStore: daily job runs, reminder scans, on-screen reminders and shipping (ScheduleStore).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/applications_internal.h"
#include "store/notices_internal.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using pg::kInt8Oid;
using pg::kTextOid;
using pg::Params;
using pg::PgResult;
using pg::ReadAll;
using pg::Row;

constexpr Oid kI[] = {kInt8Oid};
constexpr Oid kT[] = {kTextOid};
constexpr Oid kTTI[] = {kTextOid, kTextOid, kInt8Oid};
constexpr Oid kTIT[] = {kTextOid, kInt8Oid, kTextOid};
constexpr Oid kTI[] = {kTextOid, kInt8Oid};
constexpr Oid kIIII[] = {kInt8Oid, kInt8Oid, kInt8Oid, kInt8Oid};
constexpr Oid kIIIII[] = {kInt8Oid, kInt8Oid, kInt8Oid, kInt8Oid, kInt8Oid};
constexpr Oid kTTTT[] = {kTextOid, kTextOid, kTextOid, kTextOid};

constexpr pg::Query kLastJobDay{"claimsca_job_last_day",
                                "SELECT last_day FROM job_runs WHERE name = $1", kT};
constexpr pg::Query kRecordJobDay{
    "claimsca_job_record_day",
    "INSERT INTO job_runs (name, last_day, finished_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (name) DO UPDATE SET last_day = excluded.last_day, "
    "finished_at = excluded.finished_at",
    kTTI};
#define CLAIMSCA_EXPIRING_WHERE \
  "state = 'issued' AND not_after > $1 AND not_after <= $2 AND seq > $3 "
#define CLAIMSCA_UNDOWNLOADED_WHERE                                     \
  "state = 'issued' AND download_count = 0 AND pkcs12_der IS NOT NULL " \
  "AND download_deadline > $1 AND download_deadline <= $2 AND seq > $3 "
constexpr pg::Query kListExpiring{"claimsca_reminder_expiring",
                                  "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
                                  " FROM applications WHERE " CLAIMSCA_EXPIRING_WHERE
                                  "ORDER BY seq LIMIT $4",
                                  kIIII};
constexpr pg::Query kListUndownloaded{"claimsca_reminder_undownloaded",
                                      "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
                                      " FROM applications WHERE " CLAIMSCA_UNDOWNLOADED_WHERE
                                      "ORDER BY seq LIMIT $4",
                                      kIIII};
// The same among the rows written since $5 (the changed_at index, migration 097).
constexpr pg::Query kListExpiringChanged{
    "claimsca_reminder_expiring_changed",
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE changed_at >= $5 AND " CLAIMSCA_EXPIRING_WHERE
    "ORDER BY seq LIMIT $4",
    kIIIII};
constexpr pg::Query kListUndownloadedChanged{
    "claimsca_reminder_undownloaded_changed",
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE changed_at >= $5 AND " CLAIMSCA_UNDOWNLOADED_WHERE
    "ORDER BY seq LIMIT $4",
    kIIIII};
#undef CLAIMSCA_EXPIRING_WHERE
#undef CLAIMSCA_UNDOWNLOADED_WHERE
constexpr pg::Query kMarkOnscreen{
    "claimsca_onscreen_mark",
    "INSERT INTO onscreen_reminders (serial, stage, shown_on) VALUES ($1, $2, $3) "
    "ON CONFLICT (serial, stage) DO NOTHING",
    kTIT};
constexpr pg::Query kOnscreenDay{
    "claimsca_onscreen_day",
    "SELECT shown_on FROM onscreen_reminders WHERE serial = $1 AND stage = $2", kTI};
constexpr pg::Query kGetShipping{"claimsca_shipping_get",
                                 "SELECT " CLAIMSCA_SHIPPING_COLUMNS
                                 " FROM notice_items i JOIN notice_batches b USING (batch_id) "
                                 "WHERE i.request_id = $1",
                                 kT};
constexpr pg::Query kLockShipping{"claimsca_shipping_lock",
                                  "SELECT " CLAIMSCA_SHIPPING_COLUMNS
                                  " FROM notice_items i JOIN notice_batches b USING (batch_id) "
                                  "WHERE i.request_id = $1 FOR UPDATE OF i",
                                  kT};
constexpr pg::Query kUpdateShipping{
    "claimsca_shipping_update",
    "UPDATE notice_items SET shipping_status = $2, tracking_number = $3, status_on = $4 "
    "WHERE request_id = $1",
    kTTTT};
constexpr pg::Query kResendQueue{"claimsca_shipping_resend_queue",
                                 "SELECT " CLAIMSCA_SHIPPING_COLUMNS
                                 " FROM notice_items i JOIN notice_batches b USING (batch_id) "
                                 "WHERE i.shipping_status = 'undeliverable' "
                                 "ORDER BY i.status_on, i.request_id LIMIT $1",
                                 kI};
constexpr pg::Query kPurgeTokens{"claimsca_purge_tokens",
                                 "DELETE FROM auth_tokens WHERE expires_at < $1", kI};
constexpr pg::Query kMarkResent{
    "claimsca_shipping_resent",
    "UPDATE notice_items SET shipping_status = 'printed', tracking_number = '', status_on = '', "
    "resend_count = resend_count + 1 WHERE request_id = $1 AND shipping_status = 'undeliverable'",
    kT};

}  // namespace

Result<std::vector<ApplicationRecord>> PgStore::ReminderPage(const pg::Query& q, const char* what,
                                                             Instant now, Instant before,
                                                             int64_t after_seq, int limit,
                                                             std::optional<Instant> since) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 10000, what));
  Params p;
  p.Int8(ToUnix(now)).Int8(ToUnix(before)).Int8(after_seq).Int8(limit);
  if (since) p.Int8(ToUnix(*since));
  ASSIGN_OR_RETURN(PgResult res, Run(q, p, what));
  return ReadAll<ApplicationRecord>(res, internal::ReadApplication<Row>);
}

Result<std::optional<std::string>> PgStore::LastJobDay(std::string_view name) {
  ASSIGN_OR_RETURN(PgResult res, Run(kLastJobDay, Params().Text(name), "last job day"));
  if (res.Rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(res.Bytes(0, 0)));
}

Status PgStore::RecordJobDay(std::string_view name, std::string_view day, Instant at) {
  if (name.empty() || day.size() != 10) return InvalidArgument("job run: name and day required");
  return Run(kRecordJobDay, Params().Text(name).Text(day).Int8(ToUnix(at)), "record job day")
      .status();
}

Result<std::vector<ApplicationRecord>> PgStore::ListExpiringApplications(Instant now,
                                                                         Instant before,
                                                                         int64_t after_seq,
                                                                         int limit) {
  return ReminderPage(kListExpiring, "expiring applications", now, before, after_seq, limit,
                      std::nullopt);
}

Result<std::vector<ApplicationRecord>> PgStore::ListUndownloadedApplications(Instant now,
                                                                             Instant before,
                                                                             int64_t after_seq,
                                                                             int limit) {
  return ReminderPage(kListUndownloaded, "undownloaded applications", now, before, after_seq, limit,
                      std::nullopt);
}

Result<std::vector<ApplicationRecord>> PgStore::ListExpiringChangedSince(Instant since, Instant now,
                                                                         Instant before,
                                                                         int64_t after_seq,
                                                                         int limit) {
  return ReminderPage(kListExpiringChanged, "expiring applications written since", now, before,
                      after_seq, limit, since);
}

Result<std::vector<ApplicationRecord>> PgStore::ListUndownloadedChangedSince(
    Instant since, Instant now, Instant before, int64_t after_seq, int limit) {
  return ReminderPage(kListUndownloadedChanged, "undownloaded applications written since", now,
                      before, after_seq, limit, since);
}

Result<std::string> PgStore::MarkOnscreenReminder(std::string_view serial, int stage,
                                                  std::string_view day) {
  if (serial.empty() || stage < 0 || day.size() != 10) {
    return InvalidArgument("on-screen reminder: serial, stage >= 0 and day required");
  }
  RETURN_IF_ERROR(
      Run(kMarkOnscreen, Params().Text(serial).Int8(stage).Text(day), "mark on-screen reminder")
          .status());
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kOnscreenDay, Params().Text(serial).Int8(stage), "on-screen reminder day"));
  if (res.Rows() != 1) return Internal("on-screen reminder: row vanished");
  return std::string(res.Bytes(0, 0));
}

Result<std::optional<ShippingInfo>> PgStore::GetShipping(std::string_view request_id) {
  ASSIGN_OR_RETURN(PgResult res, Run(kGetShipping, Params().Text(request_id), "get shipping"));
  if (res.Rows() == 0) return std::optional<ShippingInfo>();
  ASSIGN_OR_RETURN(ShippingInfo info, internal::ReadShipping(Row{res, 0}));
  return std::optional<ShippingInfo>(std::move(info));
}

Status PgStore::ApplyShippingUpdates(const std::vector<ShippingUpdate>& updates,
                                     const AuditEvent& audit) {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "shipping updates", [&]() -> Status {
    for (const ShippingUpdate& u : updates) {
      ASSIGN_OR_RETURN(PgResult res,
                       conn->Exec(kLockShipping, Params().Text(u.request_id), "lock shipping"));
      if (res.Rows() == 0) {
        return NotFound("line " + std::to_string(u.line) + ": " + u.request_id +
                        ": no printed notice with this request ID");
      }
      ASSIGN_OR_RETURN(ShippingInfo current, internal::ReadShipping(Row{res, 0}));
      ASSIGN_OR_RETURN(bool moves, internal::CheckShippingMove(current, u));
      if (!moves) continue;
      const std::string& number =
          u.tracking_number.empty() ? current.tracking_number : u.tracking_number;
      Params p;
      p.Text(u.request_id).Text(ShippingStatusName(u.status)).Text(number).Text(u.status_on);
      RETURN_IF_ERROR(conn->Exec(kUpdateShipping, p, "update shipping").status());
    }
    return pg::AppendAuditIn(*conn, audit);
  });
}

Result<std::vector<ShippingInfo>> PgStore::ListResendQueue(int limit) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 10000, "resend queue"));
  ASSIGN_OR_RETURN(PgResult res, Run(kResendQueue, Params().Int8(limit), "resend queue"));
  return ReadAll<ShippingInfo>(res, internal::ReadShipping<Row>);
}

Status PgStore::MarkResendPrinted(const std::vector<std::string>& request_ids,
                                  const AuditEvent& audit) {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "mark resent", [&]() -> Status {
    for (const std::string& id : request_ids) {
      ASSIGN_OR_RETURN(PgResult res, conn->Exec(kMarkResent, Params().Text(id), "mark resent"));
      if (res.Affected() != 1) return FailedPrecondition(id + ": notice is not undeliverable");
    }
    return pg::AppendAuditIn(*conn, audit);
  });
}

Result<int64_t> PgStore::PurgeExpiredTokens(Instant now) {
  ASSIGN_OR_RETURN(PgResult res, Run(kPurgeTokens, Params().Int8(ToUnix(now)), "purge tokens"));
  return res.Affected();
}

}  // namespace claimsca::store
