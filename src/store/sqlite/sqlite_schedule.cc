// SqliteStore: daily job runs, reminder scans, on-screen reminders and shipping
// (ScheduleStore).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/applications_internal.h"
#include "store/notices_internal.h"
#include "store/sqlite/sqlite_audit.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using sqlite::ReadAll;
using sqlite::Row;
using sqlite::Stmt;

constexpr char kLastJobDay[] = "SELECT last_day FROM job_runs WHERE name = ?1";
constexpr char kRecordJobDay[] =
    "INSERT INTO job_runs (name, last_day, finished_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (name) DO UPDATE SET last_day = excluded.last_day, "
    "finished_at = excluded.finished_at";
#define CLAIMSCA_EXPIRING_WHERE \
  "state = 'issued' AND not_after > ?1 AND not_after <= ?2 AND seq > ?3 "
#define CLAIMSCA_UNDOWNLOADED_WHERE                                     \
  "state = 'issued' AND download_count = 0 AND pkcs12_der IS NOT NULL " \
  "AND download_deadline > ?1 AND download_deadline <= ?2 AND seq > ?3 "
constexpr char kListExpiring[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS " FROM applications WHERE " CLAIMSCA_EXPIRING_WHERE
    "ORDER BY seq LIMIT ?4";
constexpr char kListUndownloaded[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE " CLAIMSCA_UNDOWNLOADED_WHERE "ORDER BY seq LIMIT ?4";
// The same among the rows written since ?5: through the changed_at index (migration 097),
// named so that the planner never takes the end-date index (the whole window) instead.
constexpr char kListExpiringChanged[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications INDEXED BY applications_issued_changed WHERE changed_at >= ?5 "
    "AND " CLAIMSCA_EXPIRING_WHERE "ORDER BY seq LIMIT ?4";
constexpr char kListUndownloadedChanged[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications INDEXED BY applications_issued_changed WHERE changed_at >= ?5 "
    "AND " CLAIMSCA_UNDOWNLOADED_WHERE "ORDER BY seq LIMIT ?4";
#undef CLAIMSCA_EXPIRING_WHERE
#undef CLAIMSCA_UNDOWNLOADED_WHERE
constexpr char kMarkOnscreen[] =
    "INSERT INTO onscreen_reminders (serial, stage, shown_on) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (serial, stage) DO NOTHING";
constexpr char kOnscreenDay[] =
    "SELECT shown_on FROM onscreen_reminders WHERE serial = ?1 AND stage = ?2";
constexpr char kGetShipping[] = "SELECT " CLAIMSCA_SHIPPING_COLUMNS
                                " FROM notice_items i JOIN notice_batches b USING (batch_id) "
                                "WHERE i.request_id = ?1";
constexpr char kUpdateShipping[] =
    "UPDATE notice_items SET shipping_status = ?2, tracking_number = ?3, status_on = ?4 "
    "WHERE request_id = ?1";
constexpr char kResendQueue[] = "SELECT " CLAIMSCA_SHIPPING_COLUMNS
                                " FROM notice_items i JOIN notice_batches b USING (batch_id) "
                                "WHERE i.shipping_status = 'undeliverable' "
                                "ORDER BY i.status_on, i.request_id LIMIT ?1";
constexpr char kPurgeTokens[] = "DELETE FROM auth_tokens WHERE expires_at < ?1";
constexpr char kMarkResent[] =
    "UPDATE notice_items SET shipping_status = 'printed', tracking_number = '', status_on = '', "
    "resend_count = resend_count + 1 WHERE request_id = ?1 AND shipping_status = 'undeliverable'";

// One page of a reminder scan: `sql` with (now, before, after_seq, limit[, since]).
Result<std::vector<ApplicationRecord>> ReminderPage(sqlite::SqliteConn& c, const char* sql,
                                                    const char* what, Instant now, Instant before,
                                                    int64_t after_seq, int limit,
                                                    std::optional<Instant> since) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 10000, what));
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql, what));
  s.Int(1, ToUnix(now)).Int(2, ToUnix(before)).Int(3, after_seq).Int(4, limit);
  if (since) s.Int(5, ToUnix(*since));
  return ReadAll<ApplicationRecord>(s, internal::ReadApplication<Row>);
}

Result<std::optional<ShippingInfo>> ShippingIn(sqlite::SqliteConn& c, std::string_view id) {
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kGetShipping, "get shipping"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, id).Step());
  if (!row) return std::optional<ShippingInfo>();
  ASSIGN_OR_RETURN(ShippingInfo info, internal::ReadShipping(Row{s}));
  return std::optional<ShippingInfo>(std::move(info));
}

}  // namespace

Result<std::optional<std::string>> SqliteStore::LastJobDay(std::string_view name) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kLastJobDay, "last job day"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, name).Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(s.ColText(0)));
}

Status SqliteStore::RecordJobDay(std::string_view name, std::string_view day, Instant at) {
  if (name.empty() || day.size() != 10) return InvalidArgument("job run: name and day required");
  return group_.Run([&](Conn& c) -> Status {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kRecordJobDay, "record job day"));
    return s.Text(1, name).Text(2, day).Int(3, ToUnix(at)).Run();
  });
}

Result<std::vector<ApplicationRecord>> SqliteStore::ListExpiringApplications(Instant now,
                                                                             Instant before,
                                                                             int64_t after_seq,
                                                                             int limit) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  return ReminderPage(*reader, kListExpiring, "expiring applications", now, before, after_seq,
                      limit, std::nullopt);
}

Result<std::vector<ApplicationRecord>> SqliteStore::ListUndownloadedApplications(Instant now,
                                                                                 Instant before,
                                                                                 int64_t after_seq,
                                                                                 int limit) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  return ReminderPage(*reader, kListUndownloaded, "undownloaded applications", now, before,
                      after_seq, limit, std::nullopt);
}

Result<std::vector<ApplicationRecord>> SqliteStore::ListExpiringChangedSince(
    Instant since, Instant now, Instant before, int64_t after_seq, int limit) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  return ReminderPage(*reader, kListExpiringChanged, "expiring applications written since", now,
                      before, after_seq, limit, since);
}

Result<std::vector<ApplicationRecord>> SqliteStore::ListUndownloadedChangedSince(
    Instant since, Instant now, Instant before, int64_t after_seq, int limit) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  return ReminderPage(*reader, kListUndownloadedChanged, "undownloaded applications written since",
                      now, before, after_seq, limit, since);
}

Result<std::string> SqliteStore::MarkOnscreenReminder(std::string_view serial, int stage,
                                                      std::string_view day) {
  if (serial.empty() || stage < 0 || day.size() != 10) {
    return InvalidArgument("on-screen reminder: serial, stage >= 0 and day required");
  }
  std::string shown_on;
  Status st = group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kMarkOnscreen, "mark on-screen reminder"));
      RETURN_IF_ERROR(s.Text(1, serial).Int(2, stage).Text(3, day).Run());
    }
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kOnscreenDay, "on-screen reminder day"));
    ASSIGN_OR_RETURN(bool row, s.Text(1, serial).Int(2, stage).Step());
    if (!row) return Internal("on-screen reminder: row vanished");
    shown_on = s.ColText(0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return shown_on;
}

Result<std::optional<ShippingInfo>> SqliteStore::GetShipping(std::string_view request_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  return ShippingIn(*reader, request_id);
}

Status SqliteStore::ApplyShippingUpdates(const std::vector<ShippingUpdate>& updates,
                                         const AuditEvent& audit) {
  return group_.Run([&](Conn& c) -> Status {
    for (const ShippingUpdate& u : updates) {
      ASSIGN_OR_RETURN(std::optional<ShippingInfo> current, ShippingIn(c, u.request_id));
      if (!current) {
        return NotFound("line " + std::to_string(u.line) + ": " + u.request_id +
                        ": no printed notice with this request ID");
      }
      ASSIGN_OR_RETURN(bool moves, internal::CheckShippingMove(*current, u));
      if (!moves) continue;
      const std::string& number =
          u.tracking_number.empty() ? current->tracking_number : u.tracking_number;
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kUpdateShipping, "update shipping"));
      s.Text(1, u.request_id).Text(2, ShippingStatusName(u.status)).Text(3, number);
      RETURN_IF_ERROR(s.Text(4, u.status_on).Run());
    }
    return sqlite::AppendAuditIn(c, audit);
  });
}

Result<std::vector<ShippingInfo>> SqliteStore::ListResendQueue(int limit) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 10000, "resend queue"));
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kResendQueue, "resend queue"));
  s.Int(1, limit);
  return ReadAll<ShippingInfo>(s, internal::ReadShipping<Row>);
}

Status SqliteStore::MarkResendPrinted(const std::vector<std::string>& request_ids,
                                      const AuditEvent& audit) {
  return group_.Run([&](Conn& c) -> Status {
    for (const std::string& id : request_ids) {
      {
        ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kMarkResent, "mark resent"));
        RETURN_IF_ERROR(s.Text(1, id).Run());
      }
      if (c.Changes() != 1) return FailedPrecondition(id + ": notice is not undeliverable");
    }
    return sqlite::AppendAuditIn(c, audit);
  });
}

Result<int64_t> SqliteStore::PurgeExpiredTokens(Instant now) {
  int64_t n = 0;
  Status st = group_.Run([&](Conn& c) -> Status {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kPurgeTokens, "purge tokens"));
    RETURN_IF_ERROR(s.Int(1, ToUnix(now)).Run());
    n = c.Changes();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return n;
}

}  // namespace claimsca::store
