#include "store/postgres/pg_store.h"

#include <string>
#include <utility>

#include "store/internal.h"
#include "store/migrations.h"
#include "store/postgres/pg_sql.h"

namespace claimsca::store {
namespace {

using internal::FromUnix;
using internal::ToUnix;
using pg::Params;
using pg::PgResult;

Result<std::optional<Instant>> OptInstant(const PgResult& r, int row, int col) {
  ASSIGN_OR_RETURN(auto v, r.OptInt(row, col));
  if (!v) return std::optional<Instant>();
  return std::optional<Instant>(FromUnix(*v));
}

Result<Instant> InstantAt(const PgResult& r, int row, int col) {
  ASSIGN_OR_RETURN(int64_t v, r.Int(row, col));
  return FromUnix(v);
}

Result<CertState> StateAt(const PgResult& r, int row, int col, std::string_view serial) {
  auto state = internal::ParseCertState(r.Bytes(row, col));
  if (!state) {
    return Internal("certificate " + std::string(serial) + ": unknown state \"" +
                    std::string(r.Bytes(row, col)) + "\"");
  }
  return *state;
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::Open(std::string conninfo) {
  ASSIGN_OR_RETURN(auto pool,
                   pg::PgPool::Create(std::move(conninfo), kMaxConnections, kAcquireTimeout));
  return std::unique_ptr<PgStore>(new PgStore(std::move(pool)));
}

Result<PgResult> PgStore::Run(const pg::Query& q, const Params& p, std::string_view context) {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return conn->Exec(q, p, context);
}

Result<CertificateRecord> PgStore::GetCertificate(std::string_view serial) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(pg::sql::kSelectCertificate, Params().Text(serial), "get certificate"));
  if (res.Rows() == 0) return NotFound("certificate " + std::string(serial) + " not found");
  CertificateRecord r;
  r.serial = res.Bytes(0, 0);
  r.issuer_id = res.Bytes(0, 1);
  r.program = res.Bytes(0, 2);
  r.institution_code = res.Bytes(0, 3);
  r.common_name = res.Bytes(0, 4);
  r.terminal_name = res.Bytes(0, 5);
  r.key_algorithm = res.Bytes(0, 6);
  ASSIGN_OR_RETURN(r.not_before, InstantAt(res, 0, 7));
  ASSIGN_OR_RETURN(r.not_after, InstantAt(res, 0, 8));
  r.tbs_der = res.Bytes(0, 9);
  r.cert_der = res.Bytes(0, 10);  // empty when NULL
  ASSIGN_OR_RETURN(r.state, StateAt(res, 0, 11, serial));
  ASSIGN_OR_RETURN(r.revoked_at, OptInstant(res, 0, 12));
  ASSIGN_OR_RETURN(auto reason, res.OptInt(0, 13));
  r.revocation_reason = static_cast<int>(reason.value_or(-1));
  ASSIGN_OR_RETURN(r.invalidity_date, OptInstant(res, 0, 14));
  ASSIGN_OR_RETURN(r.created_at, InstantAt(res, 0, 15));
  r.request_id = res.Bytes(0, 16);
  internal::RestoreTbs(r);
  return r;
}

Result<CertStatus> PgStore::GetStatus(std::string_view issuer_id, std::string_view serial) {
  ASSIGN_OR_RETURN(PgResult res, Run(pg::sql::kSelectStatus, Params().Text(serial).Text(issuer_id),
                                     "get status"));
  if (res.Rows() == 0) {
    return NotFound("certificate " + std::string(serial) + " of issuer " + std::string(issuer_id) +
                    " not found");
  }
  CertStatus st;
  ASSIGN_OR_RETURN(st.state, StateAt(res, 0, 0, serial));
  ASSIGN_OR_RETURN(st.not_after, InstantAt(res, 0, 1));
  ASSIGN_OR_RETURN(st.revoked_at, OptInstant(res, 0, 2));
  ASSIGN_OR_RETURN(auto reason, res.OptInt(0, 3));
  st.revocation_reason = static_cast<int>(reason.value_or(-1));
  return st;
}

Status PgStore::ForEachRevoked(std::string_view issuer_id, Instant expired_since,
                               const std::function<void(const RevokedEntry&)>& fn) {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  // A cursor streams the rows in batches from one consistent snapshot.
  return pg::InTransaction(
      *conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "list revoked", [&]() -> Status {
        RETURN_IF_ERROR(conn->ExecParams(pg::sql::kDeclareRevokedCursor,
                                         pg::sql::kDeclareRevokedCursorTypes,
                                         Params().Text(issuer_id).Int8(ToUnix(expired_since)),
                                         "list revoked: declare")
                            .status());
        RevokedEntry e;  // reused: serial keeps its capacity across rows
        while (true) {
          ASSIGN_OR_RETURN(PgResult batch, conn->ExecParams(pg::sql::kFetchRevoked, {}, Params(),
                                                            "list revoked: fetch"));
          if (batch.Rows() == 0) return Status::Ok();
          for (int i = 0; i < batch.Rows(); ++i) {
            e.serial.assign(batch.Bytes(i, 0));
            ASSIGN_OR_RETURN(e.revoked_at, InstantAt(batch, i, 1));
            ASSIGN_OR_RETURN(int64_t reason, batch.Int(i, 2));
            e.reason = static_cast<int>(reason);
            ASSIGN_OR_RETURN(e.invalidity_date, OptInstant(batch, i, 3));
            fn(e);
          }
        }
      });
}

Status PgStore::InsertIntent(const CertificateRecord& r) {
  RETURN_IF_ERROR(internal::ValidateIntent(r));
  Params p;
  p.Text(r.serial).Text(r.issuer_id).Text(r.program).Text(r.institution_code);
  p.Text(r.common_name).Text(r.terminal_name).Text(r.key_algorithm);
  p.Int8(ToUnix(r.not_before)).Int8(ToUnix(r.not_after)).Bytes(r.tbs_der);
  p.Int8(ToUnix(r.created_at)).Text(r.request_id);
  p.OptInt8(r.crl_shard ? std::optional<int64_t>(*r.crl_shard) : std::nullopt);
  return Run(pg::sql::kInsertIntent, p, "insert intent " + r.serial).status();
}

Status PgStore::Diagnose(std::string_view serial, std::string_view op) {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return DiagnoseIn(*conn, serial, op);
}

Status PgStore::DiagnoseIn(pg::PgConn& conn, std::string_view serial, std::string_view op) {
  ASSIGN_OR_RETURN(PgResult res, conn.Exec(pg::sql::kSelectState, Params().Text(serial), op));
  std::string what = std::string(op) + " " + std::string(serial);
  if (res.Rows() == 0) return NotFound(what + ": certificate not found");
  ASSIGN_OR_RETURN(CertState state, StateAt(res, 0, 0, serial));
  if (op == "revoke" && state == CertState::kIssued && !res.IsNull(0, 1)) {
    return Conflict(what + ": already revoked");
  }
  return FailedPrecondition(what + ": certificate is " + std::string(CertStateName(state)));
}

Status PgStore::MarkIssued(std::string_view serial, std::string_view cert_der) {
  if (cert_der.empty()) return InvalidArgument("mark issued: empty cert_der");
  // The certificate holds the intent's TBS: the row keeps one copy (internal.h).
  const bool embeds_tbs = !internal::TbsOfCertificate(cert_der).empty();
  ASSIGN_OR_RETURN(PgResult res, Run(pg::sql::kMarkIssued,
                                     Params().Text(serial).Bytes(cert_der).Int8(embeds_tbs ? 1 : 0),
                                     "mark issued"));
  if (res.Affected() == 1) return Status::Ok();
  return Diagnose(serial, "mark issued");
}

Status PgStore::MarkFailed(std::string_view serial) {
  ASSIGN_OR_RETURN(PgResult res, Run(pg::sql::kMarkFailed, Params().Text(serial), "mark failed"));
  if (res.Affected() == 1) return Status::Ok();
  return Diagnose(serial, "mark failed");
}

Status PgStore::Revoke(std::string_view serial, Instant at, int reason,
                       std::optional<Instant> invalidity_date) {
  RETURN_IF_ERROR(internal::ValidateRevocationReason(reason));
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  return RevokeIn(*conn, serial, at, reason, invalidity_date);
}

Status PgStore::RevokeIn(pg::PgConn& conn, std::string_view serial, Instant at, int reason,
                         std::optional<Instant> invalidity_date) {
  Params p;
  p.Text(serial).Int8(ToUnix(at)).Int8(reason).OptInt8(internal::ToUnix(invalidity_date));
  ASSIGN_OR_RETURN(PgResult res, conn.Exec(pg::sql::kRevoke, p, "revoke"));
  if (res.Affected() == 1) return Status::Ok();
  return DiagnoseIn(conn, serial, "revoke");
}

Result<CrlState> PgStore::GetCrlState(std::string_view issuer_id) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(pg::sql::kSelectCrlState, Params().Text(issuer_id), "get crl state"));
  CrlState st;
  st.issuer_id = issuer_id;
  if (res.Rows() == 0) return st;
  ASSIGN_OR_RETURN(st.crl_number, res.Int(0, 0));
  ASSIGN_OR_RETURN(st.this_update, InstantAt(res, 0, 1));
  ASSIGN_OR_RETURN(st.next_update, InstantAt(res, 0, 2));
  ASSIGN_OR_RETURN(st.revocation_counter, res.Int(0, 3));
  ASSIGN_OR_RETURN(st.covered_counter, res.Int(0, 4));
  ASSIGN_OR_RETURN(st.last_revocation_at, OptInstant(res, 0, 5));
  return st;
}

Result<std::pair<std::string, int64_t>> PgStore::GetCrlDer(std::string_view issuer_id) {
  ASSIGN_OR_RETURN(PgResult res, Run(pg::sql::kSelectCrlDer, Params().Text(issuer_id), "get crl"));
  if (res.Rows() == 0) return std::pair<std::string, int64_t>{};
  ASSIGN_OR_RETURN(int64_t number, res.Int(0, 1));
  return std::pair<std::string, int64_t>{res.Bytes(0, 0), number};
}

Status PgStore::PutCrl(std::string_view issuer_id, int64_t crl_number, std::string_view der,
                       Instant this_update, Instant next_update, int64_t covered_counter) {
  RETURN_IF_ERROR(internal::ValidateCrl(crl_number, covered_counter));
  if (der.empty()) return InvalidArgument("put crl: empty der");
  const bool first = crl_number == 1;
  Params p;
  p.Text(issuer_id);
  if (!first) p.Int8(crl_number);
  p.Bytes(der).Int8(ToUnix(this_update)).Int8(ToUnix(next_update)).Int8(covered_counter);
  ASSIGN_OR_RETURN(PgResult res,
                   Run(first ? pg::sql::kInsertFirstCrl : pg::sql::kUpdateCrl, p, "put crl"));
  if (res.Affected() == 1) return Status::Ok();
  return Conflict("put crl " + std::to_string(crl_number) + " of " + std::string(issuer_id) +
                  ": the stored CRL number is not " + std::to_string(crl_number - 1));
}

Result<bool> PgStore::TryLease(std::string_view name, std::string_view holder, Instant now,
                               std::chrono::seconds ttl) {
  if (name.empty() || holder.empty()) return InvalidArgument("lease: empty name or holder");
  if (ttl.count() < 0) return InvalidArgument("lease: ttl must not be negative");
  Params p;
  p.Text(name).Text(holder).Int8(ToUnix(now)).Int8(ttl.count());
  ASSIGN_OR_RETURN(PgResult res, Run(pg::sql::kTryLease, p, "try lease"));
  return res.Affected() == 1;
}

Status PgStore::PutPooledKey(std::string_view algorithm, std::string_view encrypted_der) {
  if (algorithm.empty() || encrypted_der.empty()) {
    return InvalidArgument("put pooled key: empty algorithm or key");
  }
  return Run(pg::sql::kPutPooledKey, Params().Text(algorithm).Bytes(encrypted_der),
             "put pooled key")
      .status();
}

Result<std::optional<std::string>> PgStore::TakePooledKey(std::string_view algorithm) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(pg::sql::kTakePooledKey, Params().Text(algorithm), "take pooled key"));
  if (res.Rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(res.Bytes(0, 0)));
}

Result<int64_t> PgStore::CountPooledKeys(std::string_view algorithm) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(pg::sql::kCountPooledKeys, Params().Text(algorithm), "count pooled keys"));
  if (res.Rows() != 1) return Internal("count pooled keys: no row");
  return res.Int(0, 0);
}

Status PgStore::Migrate() {
  ASSIGN_OR_RETURN(auto conn, pool_->Acquire());
  auto migrate = [&conn]() -> Status {
    RETURN_IF_ERROR(conn->ExecScript(pg::sql::kLockMigrations, "migrate: lock").status());
    RETURN_IF_ERROR(conn->ExecScript(pg::sql::kCreateSchemaMigrations, "migrate").status());
    for (const internal::Migration& m : internal::PostgresMigrations()) {
      const std::string what = "migration " + std::to_string(m.version) + "_" + std::string(m.name);
      Status st = pg::InTransaction(*conn, "BEGIN", what, [&]() -> Status {
        ASSIGN_OR_RETURN(PgResult applied,
                         conn->Exec(pg::sql::kIsMigrationApplied, Params().Int8(m.version), what));
        ASSIGN_OR_RETURN(int64_t n, applied.Int(0, 0));
        if (n > 0) return Status::Ok();
        RETURN_IF_ERROR(conn->ExecScript(m.sql, what).status());
        return conn->Exec(pg::sql::kRecordMigration, Params().Int8(m.version).Text(m.name), what)
            .status();
      });
      if (!st.ok()) return st;
    }
    return conn->ExecScript(pg::sql::kUnlockMigrations, "migrate: unlock").status();
  };
  Status st = migrate();
  // The session advisory lock must not outlive this call: after a failure the connection
  // is closed (which releases the lock) instead of going back to the pool.
  if (!st.ok()) conn.Discard();
  return st;
}

Result<int> PgStore::SchemaVersion() {
  ASSIGN_OR_RETURN(PgResult has, Run(pg::sql::kHasSchemaMigrations, Params(), "schema version"));
  ASSIGN_OR_RETURN(int64_t n, has.Int(0, 0));
  if (n == 0) return 0;
  ASSIGN_OR_RETURN(PgResult v, Run(pg::sql::kSelectSchemaVersion, Params(), "schema version"));
  ASSIGN_OR_RETURN(int64_t version, v.Int(0, 0));
  return static_cast<int>(version);
}

namespace {
constexpr Oid kActiveSerialsTypes[] = {pg::kTextOid, pg::kInt8Oid};
constexpr pg::Query kSelectActiveSerials{
    "claimsca_select_active_serials",
    "SELECT serial FROM certificates WHERE institution_code = $1 AND state = 'issued' "
    "AND revoked_at IS NULL AND not_after > $2 ORDER BY created_at, serial",
    kActiveSerialsTypes};
}  // namespace

Result<std::vector<std::string>> PgStore::ActiveSerialsOfInstitution(
    std::string_view institution_code, Instant now) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kSelectActiveSerials, Params().Text(institution_code).Int8(ToUnix(now)),
                       "active serials of " + std::string(institution_code)));
  std::vector<std::string> out;
  out.reserve(res.Rows());
  for (int i = 0; i < res.Rows(); ++i) out.emplace_back(res.Bytes(i, 0));
  return out;
}

}  // namespace claimsca::store
