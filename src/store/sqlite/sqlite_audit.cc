// SqliteStore: the audit trail.

#include "store/sqlite/sqlite_audit.h"

#include <string>

#include "store/audit_chain.h"
#include "store/internal.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using sqlite::Stmt;

constexpr char kSelectLastAudit[] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";

constexpr char kInsertAudit[] =
    "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

constexpr char kSelectAuditChain[] =
    "SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log "
    "ORDER BY seq";

constexpr char kSelectAuditBySubject[] =
    "SELECT seq, at, actor, action, subject, details FROM ("
    "SELECT seq, at, actor, action, subject, details FROM audit_log WHERE subject = ?1 "
    "ORDER BY seq DESC LIMIT ?2) ORDER BY seq";

}  // namespace

namespace sqlite {

Status AppendAuditIn(SqliteConn& c, const AuditEvent& e) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(e));
  int64_t seq = 1;
  std::string prev(internal::kAuditGenesisHash);
  {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kSelectLastAudit, "append audit: last"));
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) {
      seq = s.ColInt(0) + 1;
      prev = s.ColText(1);
    }
  }
  const int64_t at = ToUnix(e.at);
  const std::string hash =
      internal::AuditHash(prev, seq, at, e.actor, e.action, e.subject, e.details);
  if (hash.empty()) return Internal("append audit: SHA-256 failed");
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsertAudit, "append audit"));
  s.Int(1, seq).Int(2, at).Text(3, e.actor).Text(4, e.action).Text(5, e.subject);
  s.Text(6, e.details).Text(7, prev).Text(8, hash);
  RETURN_IF_ERROR(s.Run());
  for (const OutboxMail& m : e.mail) RETURN_IF_ERROR(EnqueueMailIn(c, m).status());
  return Status::Ok();
}

}  // namespace sqlite

Status SqliteStore::AppendAudit(const AuditEvent& e) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(e));
  // In the writer's transaction (BEGIN IMMEDIATE holds SQLite's write lock, across
  // processes too): the previous row cannot change before this one is inserted.
  return group_.Run([&e](Conn& c) -> Status { return sqlite::AppendAuditIn(c, e); });
}

Status SqliteStore::VerifyAuditChain(int64_t* rows_checked) {
  return WalkAuditChain(nullptr, rows_checked);
}

Result<AuditHead> SqliteStore::AuditChainHead() {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectLastAudit, "audit head"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  AuditHead head{0, std::string(internal::kAuditGenesisHash)};
  if (row) head = {s.ColInt(0), std::string(s.ColText(1))};
  return head;
}

Status SqliteStore::WalkAuditChain(const std::function<void(int64_t, std::string_view)>& on_row,
                                   int64_t* rows_checked) {
  if (rows_checked != nullptr) *rows_checked = 0;
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  // One read statement: one WAL snapshot from its first step to its last.
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectAuditChain, "verify audit"));
  internal::AuditChainVerifier v;
  Status st;
  while (st.ok()) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    internal::AuditRow r;
    r.seq = s.ColInt(0);
    r.at = s.ColInt(1);
    r.actor = s.ColText(2);
    r.action = s.ColText(3);
    r.subject = s.ColText(4);
    r.details = s.ColText(5);
    r.prev_hash = s.ColText(6);
    r.hash = s.ColText(7);
    st = v.Next(r);
    if (st.ok() && on_row) on_row(r.seq, r.hash);
  }
  if (rows_checked != nullptr) *rows_checked = v.rows_checked();
  return st;
}

Result<std::vector<AuditEntry>> SqliteStore::AuditBySubject(std::string_view subject, int limit) {
  if (limit < 1 || limit > 1000) return InvalidArgument("audit by subject: limit 1..1000");
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectAuditBySubject, "audit by subject"));
  s.Text(1, subject).Int(2, limit);
  return sqlite::ReadAll<AuditEntry>(s, internal::ReadAuditEntry<sqlite::Row>);
}

}  // namespace claimsca::store
