// PgStore: the audit trail.

#include "store/postgres/pg_audit.h"

#include <string>

#include "store/audit_chain.h"
#include "store/internal.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_sql.h"
#include "store/postgres/pg_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using pg::Params;
using pg::PgResult;

// Serialises appends across connections and processes until the end of the transaction;
// the primary key on seq would refuse a fork anyway.
constexpr char kLockAudit[] =
    "SELECT pg_advisory_xact_lock(hashtext('claimsca.audit.' || coalesce(current_schema(), '')))";

constexpr pg::Query kSelectLastAudit{
    "claimsca_select_last_audit", "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {}};

constexpr Oid kAuditTypes[] = {pg::kInt8Oid, pg::kInt8Oid, pg::kTextOid, pg::kTextOid,
                               pg::kTextOid, pg::kTextOid, pg::kTextOid, pg::kTextOid};
constexpr pg::Query kInsertAudit{
    "claimsca_insert_audit",
    "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    kAuditTypes};

constexpr char kDeclareAuditCursor[] =
    "DECLARE claimsca_audit NO SCROLL CURSOR FOR "
    "SELECT seq, at, actor, action, subject, details, prev_hash, hash FROM audit_log "
    "ORDER BY seq";
constexpr char kFetchAudit[] = "FETCH FORWARD 10000 FROM claimsca_audit";

constexpr Oid kTextInt8[] = {pg::kTextOid, pg::kInt8Oid};
constexpr pg::Query kSelectAuditBySubject{
    "claimsca_audit_by_subject",
    "SELECT seq, at, actor, action, subject, details FROM ("
    "SELECT seq, at, actor, action, subject, details FROM audit_log WHERE subject = $1 "
    "ORDER BY seq DESC LIMIT $2) AS newest ORDER BY seq",
    kTextInt8};

}  // namespace

namespace pg {

Status AppendAuditIn(PgConn& conn, const AuditEvent& e) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(e));
  RETURN_IF_ERROR(conn.ExecScript(kLockAudit, "append audit: lock").status());
  // READ COMMITTED: this statement's snapshot is taken after the lock was granted, so it
  // sees the row of the append that held the lock before.
  ASSIGN_OR_RETURN(PgResult last, conn.Exec(kSelectLastAudit, Params(), "append audit: last"));
  int64_t seq = 1;
  std::string prev(internal::kAuditGenesisHash);
  if (last.Rows() == 1) {
    ASSIGN_OR_RETURN(int64_t s, last.Int(0, 0));
    seq = s + 1;
    prev = last.Bytes(0, 1);
  }
  const int64_t at = ToUnix(e.at);
  const std::string hash =
      internal::AuditHash(prev, seq, at, e.actor, e.action, e.subject, e.details);
  if (hash.empty()) return Internal("append audit: SHA-256 failed");
  Params p;
  p.Int8(seq).Int8(at).Text(e.actor).Text(e.action).Text(e.subject).Text(e.details);
  p.Text(prev).Text(hash);
  RETURN_IF_ERROR(conn.Exec(kInsertAudit, p, "append audit").status());
  for (const OutboxMail& m : e.mail) RETURN_IF_ERROR(EnqueueMailIn(conn, m).status());
  return Status::Ok();
}

}  // namespace pg

Status PgStore::AppendAudit(const AuditEvent& e) {
  RETURN_IF_ERROR(internal::ValidateAuditEvent(e));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return pg::InTransaction(*conn, "BEGIN", "append audit",
                           [&]() -> Status { return pg::AppendAuditIn(*conn, e); });
}

Status PgStore::VerifyAuditChain(int64_t* rows_checked) {
  return WalkAuditChain(nullptr, rows_checked);
}

Result<AuditHead> PgStore::AuditChainHead() {
  ASSIGN_OR_RETURN(PgResult last, Run(kSelectLastAudit, Params(), "audit head"));
  AuditHead head{0, std::string(internal::kAuditGenesisHash)};
  if (last.Rows() == 1) {
    ASSIGN_OR_RETURN(head.seq, last.Int(0, 0));
    head.hash = last.Bytes(0, 1);
  }
  return head;
}

Status PgStore::WalkAuditChain(const std::function<void(int64_t, std::string_view)>& on_row,
                               int64_t* rows_checked) {
  if (rows_checked != nullptr) *rows_checked = 0;
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  internal::AuditChainVerifier v;
  Status chain;
  Status st = pg::InTransaction(
      *conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "verify audit", [&]() -> Status {
        RETURN_IF_ERROR(
            conn->ExecParams(kDeclareAuditCursor, {}, Params(), "verify audit: declare").status());
        while (chain.ok()) {
          ASSIGN_OR_RETURN(PgResult batch,
                           conn->ExecParams(kFetchAudit, {}, Params(), "verify audit: fetch"));
          if (batch.Rows() == 0) break;
          for (int i = 0; i < batch.Rows() && chain.ok(); ++i) {
            internal::AuditRow r;
            ASSIGN_OR_RETURN(r.seq, batch.Int(i, 0));
            ASSIGN_OR_RETURN(r.at, batch.Int(i, 1));
            r.actor = batch.Bytes(i, 2);
            r.action = batch.Bytes(i, 3);
            r.subject = batch.Bytes(i, 4);
            r.details = batch.Bytes(i, 5);
            r.prev_hash = batch.Bytes(i, 6);
            r.hash = batch.Bytes(i, 7);
            chain = v.Next(r);
            if (chain.ok() && on_row) on_row(r.seq, r.hash);
          }
        }
        return Status::Ok();
      });
  if (rows_checked != nullptr) *rows_checked = v.rows_checked();
  if (!st.ok()) return st;
  return chain;
}

Result<std::vector<AuditEntry>> PgStore::AuditBySubject(std::string_view subject, int limit) {
  if (limit < 1 || limit > 1000) return InvalidArgument("audit by subject: limit 1..1000");
  ASSIGN_OR_RETURN(PgResult res, Run(kSelectAuditBySubject, Params().Text(subject).Int8(limit),
                                     "audit by subject"));
  return pg::ReadAll<AuditEntry>(res, internal::ReadAuditEntry<pg::Row>);
}

}  // namespace claimsca::store
