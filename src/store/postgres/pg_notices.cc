// PgStore: notice batches (NoticeStore) and the e-mail outbox (OutboxStore).

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
using pg::kByteaOid;
using pg::kInt8Oid;
using pg::kTextOid;
using pg::Params;
using pg::PgResult;
using pg::ReadAll;
using pg::Row;

constexpr Oid kI[] = {kInt8Oid};
constexpr Oid kT[] = {kTextOid};
constexpr Oid kII[] = {kInt8Oid, kInt8Oid};
constexpr Oid kTII[] = {kTextOid, kInt8Oid, kInt8Oid};
constexpr Oid kIIT[] = {kInt8Oid, kInt8Oid, kTextOid};
constexpr Oid kBatchTypes[] = {kTextOid, kTextOid, kTextOid, kTextOid,
                               kTextOid, kInt8Oid, kTextOid, kInt8Oid};
constexpr Oid kMailTypes[] = {kTextOid,  kTextOid, kTextOid, kTextOid,
                              kByteaOid, kInt8Oid, kInt8Oid};

constexpr pg::Query kListAwaitingNotice{
    "claimsca_notice_awaiting",
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE state = 'issued' AND sealed_password IS NOT NULL "
    "ORDER BY issued_at, seq LIMIT $1",
    kI};
constexpr pg::Query kInsertBatch{
    "claimsca_notice_insert_batch",
    "INSERT INTO notice_batches (printed_on, dispatch_on, pdf_file, csv_file, pdf_sha256, pages, "
    "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING batch_id",
    kBatchTypes};
constexpr pg::Query kEraseSealed{
    "claimsca_notice_erase_sealed",
    "UPDATE applications SET sealed_password = NULL "
    "WHERE request_id = $1 AND state = 'issued' AND sealed_password IS NOT NULL",
    kT};
constexpr pg::Query kInsertItem{
    "claimsca_notice_insert_item",
    "INSERT INTO notice_items (request_id, batch_id, page) VALUES ($1, $2, $3)", kTII};
constexpr pg::Query kSelectBatch{
    "claimsca_notice_select_batch",
    "SELECT " CLAIMSCA_NOTICE_BATCH_COLUMNS " FROM notice_batches WHERE batch_id = $1", kI};
constexpr pg::Query kSelectItems{
    "claimsca_notice_select_items",
    "SELECT request_id, page FROM notice_items WHERE batch_id = $1 ORDER BY page", kI};
constexpr pg::Query kNoticeOf{"claimsca_notice_of",
                              "SELECT batch_id, page FROM notice_items WHERE request_id = $1", kT};

constexpr pg::Query kEnqueueMail{
    "claimsca_mail_enqueue",
    "INSERT INTO mail_outbox (dedup_key, kind, subject_ref, recipient, mime, state, attempts, "
    "next_attempt_at, last_error, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, '', "
    "$7) ON CONFLICT (dedup_key) DO NOTHING",
    kMailTypes};
constexpr pg::Query kDueMail{"claimsca_mail_due",
                             "SELECT " CLAIMSCA_MAIL_COLUMNS
                             " FROM mail_outbox WHERE state = 'pending' AND next_attempt_at <= $1 "
                             "ORDER BY next_attempt_at, id LIMIT $2",
                             kII};
constexpr pg::Query kSelectMail{
    "claimsca_mail_select", "SELECT " CLAIMSCA_MAIL_COLUMNS " FROM mail_outbox WHERE id = $1", kI};
constexpr pg::Query kMailSent{
    "claimsca_mail_sent",
    "UPDATE mail_outbox SET state = 'sent', attempts = attempts + 1, sent_at = $2, "
    "last_error = '' WHERE id = $1 AND state = 'pending'",
    kII};
constexpr pg::Query kMailFailed{
    "claimsca_mail_failed",
    "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, "
    "next_attempt_at = coalesce($2, next_attempt_at), "
    "state = CASE WHEN $2::bigint IS NULL THEN 'failed' ELSE 'pending' END "
    "WHERE id = $1 AND state = 'pending'",
    kIIT};
constexpr pg::Query kMailReopen{
    "claimsca_mail_reopen",
    "UPDATE mail_outbox SET sent_at = NULL, last_error = $3, "
    "next_attempt_at = coalesce($2, next_attempt_at), "
    "state = CASE WHEN $2::bigint IS NULL THEN 'failed' ELSE 'pending' END "
    "WHERE id = $1 AND state = 'sent'",
    kIIT};

}  // namespace

Result<std::vector<ApplicationRecord>> PgStore::ListAwaitingNotice(int limit) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 10000, "awaiting notice"));
  ASSIGN_OR_RETURN(PgResult res, Run(kListAwaitingNotice, Params().Int8(limit), "awaiting notice"));
  return ReadAll<ApplicationRecord>(res, internal::ReadApplication<Row>);
}

Result<int64_t> PgStore::RecordNoticeBatch(const NoticeBatch& b, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateNoticeBatch(b));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  int64_t id = 0;
  Status st = pg::InTransaction(*conn, "BEGIN", "notice batch", [&]() -> Status {
    Params p;
    p.Text(b.printed_on).Text(b.dispatch_on).Text(b.pdf_file).Text(b.csv_file);
    p.Text(b.pdf_sha256).Int8(static_cast<int64_t>(b.items.size()));
    p.Text(b.created_by).Int8(ToUnix(b.created_at));
    ASSIGN_OR_RETURN(PgResult res, conn->Exec(kInsertBatch, p, "insert notice batch"));
    if (res.Rows() != 1) return Internal("insert notice batch: RETURNING gave no row");
    ASSIGN_OR_RETURN(id, res.Int(0, 0));
    for (const NoticeItem& item : b.items) {
      ASSIGN_OR_RETURN(PgResult erased, conn->Exec(kEraseSealed, Params().Text(item.request_id),
                                                   "erase sealed password"));
      if (erased.Affected() != 1) {
        return FailedPrecondition("application " + item.request_id +
                                  " is not issued or its password was already handed over");
      }
      RETURN_IF_ERROR(conn->Exec(kInsertItem,
                                 Params().Text(item.request_id).Int8(id).Int8(item.page),
                                 "insert notice item")
                          .status());
    }
    return pg::AppendAuditIn(*conn, audit);
  });
  if (!st.ok()) return st;
  return id;
}

Result<NoticeBatch> PgStore::GetNoticeBatch(int64_t batch_id) {
  ASSIGN_OR_RETURN(PgResult res, Run(kSelectBatch, Params().Int8(batch_id), "get notice batch"));
  if (res.Rows() == 0) return NotFound("notice batch " + std::to_string(batch_id) + " not found");
  ASSIGN_OR_RETURN(NoticeBatch b, internal::ReadNoticeBatch(Row{res, 0}));
  ASSIGN_OR_RETURN(PgResult items, Run(kSelectItems, Params().Int8(batch_id), "notice items"));
  for (int i = 0; i < items.Rows(); ++i) {
    ASSIGN_OR_RETURN(int64_t page, items.Int(i, 1));
    b.items.push_back({std::string(items.Bytes(i, 0)), page});
  }
  return b;
}

Result<std::optional<std::pair<int64_t, int64_t>>> PgStore::NoticeOf(std::string_view request_id) {
  ASSIGN_OR_RETURN(PgResult res, Run(kNoticeOf, Params().Text(request_id), "notice of"));
  if (res.Rows() == 0) return std::optional<std::pair<int64_t, int64_t>>();
  ASSIGN_OR_RETURN(int64_t batch, res.Int(0, 0));
  ASSIGN_OR_RETURN(int64_t page, res.Int(0, 1));
  return std::optional<std::pair<int64_t, int64_t>>(std::pair(batch, page));
}

namespace {
Params MailParams(const OutboxMail& m) {
  Params p;
  p.Text(m.dedup_key).Text(m.kind).Text(m.subject_ref).Text(m.recipient).Bytes(m.mime);
  p.Int8(ToUnix(m.next_attempt_at)).Int8(ToUnix(m.created_at));
  return p;
}
}  // namespace

namespace pg {

Result<bool> EnqueueMailIn(PgConn& conn, const OutboxMail& m) {
  RETURN_IF_ERROR(internal::ValidateMail(m));
  ASSIGN_OR_RETURN(PgResult res, conn.Exec(kEnqueueMail, MailParams(m), "enqueue mail"));
  return res.Affected() == 1;
}

}  // namespace pg

Result<bool> PgStore::EnqueueMail(const OutboxMail& m) {
  RETURN_IF_ERROR(internal::ValidateMail(m));
  ASSIGN_OR_RETURN(PgResult res, Run(kEnqueueMail, MailParams(m), "enqueue mail"));
  return res.Affected() == 1;
}

Result<int64_t> PgStore::EnqueueMails(const std::vector<OutboxMail>& mails) {
  for (const OutboxMail& m : mails) RETURN_IF_ERROR(internal::ValidateMail(m));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  int64_t inserted = 0;
  Status st = pg::InTransaction(*conn, "BEGIN", "enqueue mails", [&]() -> Status {
    inserted = 0;
    for (const OutboxMail& m : mails) {
      ASSIGN_OR_RETURN(bool fresh, pg::EnqueueMailIn(*conn, m));
      inserted += fresh ? 1 : 0;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return inserted;
}

Result<std::vector<OutboxMail>> PgStore::DueMail(Instant now, int limit) {
  RETURN_IF_ERROR(internal::ValidateLimit(limit, 1000, "due mail"));
  ASSIGN_OR_RETURN(PgResult res, Run(kDueMail, Params().Int8(ToUnix(now)).Int8(limit), "due mail"));
  std::vector<OutboxMail> out;
  for (int i = 0; i < res.Rows(); ++i) {
    ASSIGN_OR_RETURN(OutboxMail m, internal::ReadMail(Row{res, i}));
    out.push_back(std::move(m));
  }
  return out;
}

namespace {
// Why an UPDATE of a mail in `state` changed nothing.
Status MailNotIn(Result<OutboxMail> m, int64_t id, std::string_view state = "pending") {
  if (!m.ok()) return m.status();
  return FailedPrecondition("mail " + std::to_string(id) + " is " +
                            std::string(MailStateName(m->state)) + ", not " + std::string(state));
}
}  // namespace

Status PgStore::MarkMailSent(int64_t id, Instant at) {
  ASSIGN_OR_RETURN(PgResult res, Run(kMailSent, Params().Int8(id).Int8(ToUnix(at)), "mail sent"));
  return res.Affected() == 1 ? Status::Ok() : MailNotIn(GetMail(id), id);
}

Status PgStore::MarkMailSending(int64_t id, Instant at) {
  int64_t affected = 0;
  {
    ASSIGN_OR_RETURN(auto conn, pool_->Acquire());  // given back before GetMail below
    Status st = pg::InTransaction(*conn, "BEGIN", "mail sending", [&]() -> Status {
      // The commit returns without waiting for the server's WAL flush (this transaction).
      auto local = conn->ExecScript("SET LOCAL synchronous_commit TO OFF", "mail sending");
      if (!local.ok()) return local.status();
      ASSIGN_OR_RETURN(PgResult res,
                       conn->Exec(kMailSent, Params().Int8(id).Int8(ToUnix(at)), "mail sending"));
      affected = res.Affected();
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  return affected == 1 ? Status::Ok() : MailNotIn(GetMail(id), id);
}

Status PgStore::MarkMailAttemptFailed(int64_t id, std::optional<Instant> retry_at,
                                      std::string_view error) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kMailFailed, Params().Int8(id).OptInt8(ToUnix(retry_at)).Text(error),
                       "mail attempt failed"));
  return res.Affected() == 1 ? Status::Ok() : MailNotIn(GetMail(id), id);
}

Status PgStore::ReopenMail(int64_t id, std::optional<Instant> retry_at, std::string_view error) {
  ASSIGN_OR_RETURN(
      PgResult res,
      Run(kMailReopen, Params().Int8(id).OptInt8(ToUnix(retry_at)).Text(error), "mail reopen"));
  return res.Affected() == 1 ? Status::Ok() : MailNotIn(GetMail(id), id, "sent");
}

Result<OutboxMail> PgStore::GetMail(int64_t id) {
  ASSIGN_OR_RETURN(PgResult res, Run(kSelectMail, Params().Int8(id), "get mail"));
  if (res.Rows() == 0) return NotFound("mail " + std::to_string(id) + " not found");
  return internal::ReadMail(Row{res, 0});
}

}  // namespace claimsca::store
