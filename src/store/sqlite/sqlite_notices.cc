// SqliteStore: notice batches (NoticeStore) and the e-mail outbox (OutboxStore).

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

constexpr char kListAwaitingNotice[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE state = 'issued' AND sealed_password IS NOT NULL "
    "ORDER BY issued_at, seq LIMIT ?1";
constexpr char kInsertBatch[] =
    "INSERT INTO notice_batches (printed_on, dispatch_on, pdf_file, csv_file, pdf_sha256, pages, "
    "created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING batch_id";
constexpr char kEraseSealed[] =
    "UPDATE applications SET sealed_password = NULL "
    "WHERE request_id = ?1 AND state = 'issued' AND sealed_password IS NOT NULL";
constexpr char kInsertItem[] =
    "INSERT INTO notice_items (request_id, batch_id, page) VALUES (?1, ?2, ?3)";
constexpr char kSelectBatch[] =
    "SELECT " CLAIMSCA_NOTICE_BATCH_COLUMNS " FROM notice_batches WHERE batch_id = ?1";
constexpr char kSelectItems[] =
    "SELECT request_id, page FROM notice_items WHERE batch_id = ?1 ORDER BY page";
constexpr char kNoticeOf[] = "SELECT batch_id, page FROM notice_items WHERE request_id = ?1";

constexpr char kEnqueueMail[] =
    "INSERT INTO mail_outbox (dedup_key, kind, subject_ref, recipient, mime, state, attempts, "
    "next_attempt_at, last_error, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, '', "
    "?7) ON CONFLICT (dedup_key) DO NOTHING";
constexpr char kDueMail[] = "SELECT " CLAIMSCA_MAIL_COLUMNS
                            " FROM mail_outbox WHERE state = 'pending' AND next_attempt_at <= ?1 "
                            "ORDER BY next_attempt_at, id LIMIT ?2";
constexpr char kSelectMail[] = "SELECT " CLAIMSCA_MAIL_COLUMNS " FROM mail_outbox WHERE id = ?1";
constexpr char kMailSent[] =
    "UPDATE mail_outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?2, "
    "last_error = '' WHERE id = ?1 AND state = 'pending'";
constexpr char kMailFailed[] =
    "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?3, "
    "next_attempt_at = coalesce(?2, next_attempt_at), "
    "state = CASE WHEN ?2 IS NULL THEN 'failed' ELSE 'pending' END "
    "WHERE id = ?1 AND state = 'pending'";
constexpr char kMailReopen[] =
    "UPDATE mail_outbox SET sent_at = NULL, last_error = ?3, "
    "next_attempt_at = coalesce(?2, next_attempt_at), "
    "state = CASE WHEN ?2 IS NULL THEN 'failed' ELSE 'pending' END "
    "WHERE id = ?1 AND state = 'sent'";

// Why an UPDATE of a mail in `state` changed nothing (inside the same connection).
Status MailNotIn(sqlite::SqliteConn& c, int64_t id, std::string_view state) {
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kSelectMail, "read mail"));
  ASSIGN_OR_RETURN(bool row, s.Int(1, id).Step());
  if (!row) return NotFound("mail " + std::to_string(id) + " not found");
  return FailedPrecondition("mail " + std::to_string(id) + " is " + std::string(s.ColText(6)) +
                            ", not " + std::string(state));
}

}  // namespace

Result<std::vector<ApplicationRecord>> SqliteStore::ListAwaitingNotice(int limit) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 10000, "awaiting notice"));
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kListAwaitingNotice, "awaiting notice"));
  s.Int(1, limit);
  return ReadAll<ApplicationRecord>(s, internal::ReadApplication<Row>);
}

Result<int64_t> SqliteStore::RecordNoticeBatch(const NoticeBatch& b, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateNoticeBatch(b));
  int64_t id = 0;
  Status st = group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsertBatch, "insert notice batch"));
      s.Text(1, b.printed_on).Text(2, b.dispatch_on).Text(3, b.pdf_file).Text(4, b.csv_file);
      s.Text(5, b.pdf_sha256).Int(6, static_cast<int64_t>(b.items.size()));
      s.Text(7, b.created_by).Int(8, ToUnix(b.created_at));
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Internal("insert notice batch: RETURNING gave no row");
      id = s.ColInt(0);
    }
    for (const NoticeItem& item : b.items) {
      {
        ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kEraseSealed, "erase sealed password"));
        RETURN_IF_ERROR(s.Text(1, item.request_id).Run());
      }
      if (c.Changes() != 1) {
        return FailedPrecondition("application " + item.request_id +
                                  " is not issued or its password was already handed over");
      }
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsertItem, "insert notice item"));
      RETURN_IF_ERROR(s.Text(1, item.request_id).Int(2, id).Int(3, item.page).Run());
    }
    return sqlite::AppendAuditIn(c, audit);
  });
  if (!st.ok()) return st;
  return id;
}

Result<NoticeBatch> SqliteStore::GetNoticeBatch(int64_t batch_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  NoticeBatch b;
  {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectBatch, "get notice batch"));
    ASSIGN_OR_RETURN(bool row, s.Int(1, batch_id).Step());
    if (!row) return NotFound("notice batch " + std::to_string(batch_id) + " not found");
    ASSIGN_OR_RETURN(b, internal::ReadNoticeBatch(Row{s}));
  }
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectItems, "notice items"));
  s.Int(1, batch_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    b.items.push_back({std::string(s.ColText(0)), s.ColInt(1)});
  }
  return b;
}

Result<std::optional<std::pair<int64_t, int64_t>>> SqliteStore::NoticeOf(
    std::string_view request_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kNoticeOf, "notice of"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, request_id).Step());
  if (!row) return std::optional<std::pair<int64_t, int64_t>>();
  return std::optional<std::pair<int64_t, int64_t>>(std::pair(s.ColInt(0), s.ColInt(1)));
}

namespace sqlite {

Result<bool> EnqueueMailIn(SqliteConn& c, const OutboxMail& m) {
  RETURN_IF_ERROR(internal::ValidateMail(m));
  {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kEnqueueMail, "enqueue mail"));
    s.Text(1, m.dedup_key).Text(2, m.kind).Text(3, m.subject_ref).Text(4, m.recipient);
    s.Blob(5, m.mime).Int(6, ToUnix(m.next_attempt_at)).Int(7, ToUnix(m.created_at));
    RETURN_IF_ERROR(s.Run());
  }
  return c.Changes() == 1;
}

}  // namespace sqlite

Result<bool> SqliteStore::EnqueueMail(const OutboxMail& m) {
  RETURN_IF_ERROR(internal::ValidateMail(m));
  bool inserted = false;
  Status st = group_.Run([&](Conn& c) -> Status {
    ASSIGN_OR_RETURN(inserted, sqlite::EnqueueMailIn(c, m));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return inserted;
}

Result<int64_t> SqliteStore::EnqueueMails(const std::vector<OutboxMail>& mails) {
  for (const OutboxMail& m : mails) RETURN_IF_ERROR(internal::ValidateMail(m));
  int64_t inserted = 0;
  Status st = group_.Run([&](Conn& c) -> Status {
    inserted = 0;  // a retried batch counts again
    for (const OutboxMail& m : mails) {
      ASSIGN_OR_RETURN(bool fresh, sqlite::EnqueueMailIn(c, m));
      inserted += fresh ? 1 : 0;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return inserted;
}

Result<std::vector<OutboxMail>> SqliteStore::DueMail(Instant now, int limit) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 1000, "due mail"));
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kDueMail, "due mail"));
  s.Int(1, ToUnix(now)).Int(2, limit);
  std::vector<OutboxMail> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(OutboxMail m, internal::ReadMail(Row{s}));
    out.push_back(std::move(m));
  }
}

Status SqliteStore::MarkMailSent(int64_t id, Instant at) {
  return MarkMail(id, at, sqlite::GroupCommit::Durability::kDurable);
}

Status SqliteStore::MarkMailSending(int64_t id, Instant at) {
  return MarkMail(id, at, sqlite::GroupCommit::Durability::kWritten);
}

Status SqliteStore::MarkMail(int64_t id, Instant at, sqlite::GroupCommit::Durability durability) {
  return group_.Run(
      [&](Conn& c) -> Status {
        {
          ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kMailSent, "mail sent"));
          RETURN_IF_ERROR(s.Int(1, id).Int(2, ToUnix(at)).Run());
        }
        return c.Changes() == 1 ? Status::Ok() : MailNotIn(c, id, "pending");
      },
      durability);
}

Status SqliteStore::MarkMailAttemptFailed(int64_t id, std::optional<Instant> retry_at,
                                          std::string_view error) {
  return group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kMailFailed, "mail attempt failed"));
      RETURN_IF_ERROR(s.Int(1, id).OptInt(2, ToUnix(retry_at)).Text(3, error).Run());
    }
    return c.Changes() == 1 ? Status::Ok() : MailNotIn(c, id, "pending");
  });
}

Status SqliteStore::ReopenMail(int64_t id, std::optional<Instant> retry_at,
                               std::string_view error) {
  return group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kMailReopen, "mail reopen"));
      RETURN_IF_ERROR(s.Int(1, id).OptInt(2, ToUnix(retry_at)).Text(3, error).Run());
    }
    return c.Changes() == 1 ? Status::Ok() : MailNotIn(c, id, "sent");
  });
}

Result<OutboxMail> SqliteStore::GetMail(int64_t id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectMail, "get mail"));
  ASSIGN_OR_RETURN(bool row, s.Int(1, id).Step());
  if (!row) return NotFound("mail " + std::to_string(id) + " not found");
  return internal::ReadMail(Row{s});
}

}  // namespace claimsca::store
