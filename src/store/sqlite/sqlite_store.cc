#include "store/sqlite/sqlite_store.h"

#include <string>
#include <utility>

#include "store/internal.h"
#include "store/sqlite/sqlite_crl_rows.h"
#include "store/sqlite/sqlite_sql.h"

namespace claimsca::store {
namespace {

using internal::FromUnix;
using internal::ToUnix;
using sqlite::Stmt;
namespace sql = sqlite::sql;

// Idle read connections kept open; more are opened on demand and closed when returned.
constexpr size_t kMaxIdleReaders = 64;

std::optional<Instant> OptInstant(const Stmt& s, int col) {
  auto v = s.ColOptInt(col);
  if (!v) return std::nullopt;
  return FromUnix(*v);
}

Result<CertState> StateColumn(const Stmt& s, int col, std::string_view serial) {
  auto state = internal::ParseCertState(s.ColText(col));
  if (!state) {
    return Internal("certificate " + std::string(serial) + ": unknown state \"" +
                    std::string(s.ColText(col)) + "\"");
  }
  return *state;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(std::string path) {
  ASSIGN_OR_RETURN(auto writer, Conn::Open(path, Conn::Mode::kWriter, kBusyTimeout));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(path), std::move(writer)));
}

SqliteStore::~SqliteStore() = default;

SqliteStore::Reader::~Reader() {
  if (conn_ == nullptr) return;
  std::lock_guard lock(store_->readers_mu_);
  if (store_->idle_readers_.size() < kMaxIdleReaders) {
    store_->idle_readers_.push_back(std::move(conn_));
  }
}

Result<SqliteStore::Reader> SqliteStore::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      Reader r(this, std::move(idle_readers_.back()));
      idle_readers_.pop_back();
      return r;
    }
  }
  ASSIGN_OR_RETURN(auto conn, Conn::Open(path_, Conn::Mode::kReader, kBusyTimeout));
  return Reader(this, std::move(conn));
}

Result<CertificateRecord> SqliteStore::GetCertificate(std::string_view serial) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectCertificate, "get certificate"));
  s.Text(1, serial);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("certificate " + std::string(serial) + " not found");
  CertificateRecord r;
  r.serial = s.ColText(0);
  r.issuer_id = s.ColText(1);
  r.program = s.ColText(2);
  r.institution_code = s.ColText(3);
  r.common_name = s.ColText(4);
  r.terminal_name = s.ColText(5);
  r.key_algorithm = s.ColText(6);
  r.not_before = FromUnix(s.ColInt(7));
  r.not_after = FromUnix(s.ColInt(8));
  r.tbs_der = s.ColBlob(9);
  r.cert_der = s.ColBlob(10);
  ASSIGN_OR_RETURN(r.state, StateColumn(s, 11, serial));
  r.revoked_at = OptInstant(s, 12);
  r.revocation_reason = static_cast<int>(s.ColOptInt(13).value_or(-1));
  r.invalidity_date = OptInstant(s, 14);
  r.created_at = FromUnix(s.ColInt(15));
  r.request_id = s.ColText(16);
  internal::RestoreTbs(r);
  return r;
}

Result<CertStatus> SqliteStore::GetStatus(std::string_view issuer_id, std::string_view serial) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectStatus, "get status"));
  s.Text(1, serial).Text(2, issuer_id);
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return NotFound("certificate " + std::string(serial) + " of issuer " + std::string(issuer_id) +
                    " not found");
  }
  CertStatus st;
  ASSIGN_OR_RETURN(st.state, StateColumn(s, 0, serial));
  st.not_after = FromUnix(s.ColInt(1));
  st.revoked_at = OptInstant(s, 2);
  st.revocation_reason = static_cast<int>(s.ColOptInt(3).value_or(-1));
  return st;
}

Status SqliteStore::ForEachRevoked(std::string_view issuer_id, Instant expired_since,
                                   const std::function<void(const RevokedEntry&)>& fn) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectRevoked, "list revoked"));
  s.Text(1, issuer_id).Int(2, ToUnix(expired_since));
  return sqlite::StreamRevoked(s, fn);
}

namespace {

Status InsertIntentIn(sqlite::SqliteConn& c, const CertificateRecord& r) {
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kInsertIntent, "insert intent"));
  s.Text(1, r.serial).Text(2, r.issuer_id).Text(3, r.program).Text(4, r.institution_code);
  s.Text(5, r.common_name).Text(6, r.terminal_name).Text(7, r.key_algorithm);
  s.Int(8, ToUnix(r.not_before)).Int(9, ToUnix(r.not_after)).Blob(10, r.tbs_der);
  s.Int(11, ToUnix(r.created_at)).Text(12, r.request_id);
  s.OptInt(13, r.crl_shard ? std::optional<int64_t>(*r.crl_shard) : std::nullopt);
  return s.Run().WithContext("serial " + r.serial);
}

}  // namespace

Status SqliteStore::InsertIntent(const CertificateRecord& r) {
  return InsertIntents(std::span<const CertificateRecord>(&r, 1)).front();
}

Status SqliteStore::Diagnose(Conn& c, std::string_view serial, std::string_view op) {
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kSelectStateForUpdate, "read state"));
  s.Text(1, serial);
  ASSIGN_OR_RETURN(bool row, s.Step());
  std::string what = std::string(op) + " " + std::string(serial);
  if (!row) return NotFound(what + ": certificate not found");
  ASSIGN_OR_RETURN(CertState state, StateColumn(s, 1, serial));
  if (op == "revoke" && state == CertState::kIssued && !s.IsNull(2)) {
    return Conflict(what + ": already revoked");
  }
  return FailedPrecondition(what + ": certificate is " + std::string(CertStateName(state)));
}

Status SqliteStore::MarkIssued(std::string_view serial, std::string_view cert_der) {
  const IssuedDer one{serial, cert_der};
  return MarkIssuedAll(std::span<const IssuedDer>(&one, 1)).front();
}

SqliteStore::IntentsAndCerts SqliteStore::InsertIntentsAndMarkIssued(
    std::span<const CertificateRecord> intents, std::span<const IssuedDer> certs, bool defer_sync) {
  IntentsAndCerts out{std::vector<Status>(intents.size(), Status::Ok()),
                      std::vector<Status>(certs.size(), Status::Ok())};
  std::vector<sqlite::GroupCommit::Op> ops;
  std::vector<Status*> result;  // ops[k] answers *result[k]
  for (size_t i = 0; i < certs.size(); ++i) {
    if (certs[i].cert_der.empty()) {
      out.certs[i] = InvalidArgument("mark issued: empty cert_der");
      continue;
    }
    const IssuedDer& cert = certs[i];
    ops.emplace_back([this, &cert](Conn& c) -> Status {
      {
        ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kMarkIssued, "mark issued"));
        // The certificate holds the intent's TBS: the row keeps one copy (internal.h).
        const bool embeds_tbs = !internal::TbsOfCertificate(cert.cert_der).empty();
        RETURN_IF_ERROR(s.Text(1, cert.serial).Blob(2, cert.cert_der).Int(3, embeds_tbs).Run());
      }
      if (c.Changes() == 1) return Status::Ok();
      return Diagnose(c, cert.serial, "mark issued");
    });
    result.push_back(&out.certs[i]);
  }
  const bool any_cert = !ops.empty();
  for (size_t i = 0; i < intents.size(); ++i) {
    out.intents[i] = internal::ValidateIntent(intents[i]);
    if (!out.intents[i].ok()) continue;
    const CertificateRecord& r = intents[i];
    ops.emplace_back([&r](Conn& c) { return InsertIntentIn(c, r); });
    result.push_back(&out.intents[i]);
  }
  // The intents need only be written (they are made durable with their certificates'
  // rows, docs/issuance-cycle.md); certificates are durable unless the caller defers the
  // sync (callers that do not defer bring either intents or certificates).
  const auto durability = any_cert && !defer_sync ? sqlite::GroupCommit::Durability::kDurable
                                                  : sqlite::GroupCommit::Durability::kWritten;
  std::vector<Status> ran = group_.RunAll(ops, durability);
  for (size_t k = 0; k < ran.size(); ++k) *result[k] = std::move(ran[k]);
  return out;
}

Status SqliteStore::Flush() { return group_.SyncCommitted(); }

Status SqliteStore::MarkFailed(std::string_view serial) {
  return group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kMarkFailed, "mark failed"));
      RETURN_IF_ERROR(s.Text(1, serial).Run());
    }
    if (c.Changes() == 1) return Status::Ok();
    return Diagnose(c, serial, "mark failed");
  });
}

Status SqliteStore::Revoke(std::string_view serial, Instant at, int reason,
                           std::optional<Instant> invalidity_date) {
  RETURN_IF_ERROR(internal::ValidateRevocationReason(reason));
  // Both statements run in one savepoint of the batch transaction: all or nothing.
  return group_.Run(
      [&](Conn& c) -> Status { return RevokeIn(c, serial, at, reason, invalidity_date); });
}

Status SqliteStore::RevokeIn(Conn& c, std::string_view serial, Instant at, int reason,
                             std::optional<Instant> invalidity_date) {
  std::string issuer_id;
  {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kSelectStateForUpdate, "read state"));
    ASSIGN_OR_RETURN(bool row, s.Text(1, serial).Step());
    if (!row) return NotFound("revoke " + std::string(serial) + ": certificate not found");
    issuer_id = s.ColText(0);
  }
  {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kRevoke, "revoke"));
    s.Text(1, serial).Int(2, ToUnix(at)).Int(3, reason);
    RETURN_IF_ERROR(s.OptInt(4, internal::ToUnix(invalidity_date)).Run());
  }
  if (c.Changes() != 1) return Diagnose(c, serial, "revoke");
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, sql::kBumpRevocationCounter, "bump counter"));
  return s.Text(1, issuer_id).Int(2, ToUnix(at)).Run();
}

}  // namespace claimsca::store
