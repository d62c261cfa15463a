// SqliteStore: applications (ApplicationStore). The state rules live in
// store/applications.cc; this file supplies their statements. Every write runs in the
// writer's transaction (a group-commit savepoint), which holds SQLite's write lock across
// processes: the row read by Lock cannot change before the operation commits.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "store/applications_internal.h"
#include "store/internal.h"
#include "store/slip_cancel_internal.h"
#include "store/sqlite/sqlite_audit.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using sqlite::Stmt;

constexpr char kSelectApplication[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS " FROM applications WHERE request_id = ?1";

constexpr char kSelectApplicationByKey[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE channel = ?1 AND account_id = ?2 AND idempotency_key = ?3 "
    "AND idempotency_key <> ''";

constexpr char kInsertApplication[] =
    "INSERT INTO applications (" CLAIMSCA_APPLICATION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, "
    "?37, ?38, ?39, ?40, ?41) RETURNING seq";

constexpr char kUpdateApplication[] =
    "UPDATE applications SET (" CLAIMSCA_APPLICATION_COLUMNS
    ") = (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
    "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, "
    "?37, ?38, ?39, ?40, ?41), changed_at = coalesce(?42, changed_at) WHERE request_id = ?1";

// See internal::ListParams for the parameters. json_each: the institution codes arrive as
// one JSON array, so one prepared statement serves every list length.
constexpr char kListApplications[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE (?1 = 0 OR seq < ?1) AND (?2 = '' OR state = ?2) "
    "AND (?3 = '' OR account_id = ?3) AND (?4 = '' OR request_id = ?4) "
    "AND (?5 = '' OR serial = ?5) AND (?6 = 0 OR (state = 'pending' AND hold_reason <> '')) "
    "AND (?7 = '' OR institution_code IN "
    "(SELECT value FROM json_each(coalesce(nullif(?7, ''), '[]')))) "
    "ORDER BY seq DESC LIMIT ?8";
// The same for a list of institutions (the portal's): an IN on institution_code alone lets
// SQLite search the index applications_institution, where the catch-all form above scans
// every application (EXPLAIN QUERY PLAN: SCAN applications; issue 22).
constexpr char kListApplicationsOfInstitutions[] =
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE institution_code IN (SELECT value FROM json_each(?7)) "
    "AND (?1 = 0 OR seq < ?1) AND (?2 = '' OR state = ?2) "
    "AND (?3 = '' OR account_id = ?3) AND (?4 = '' OR request_id = ?4) "
    "AND (?5 = '' OR serial = ?5) AND (?6 = 0 OR (state = 'pending' AND hold_reason <> '')) "
    "ORDER BY seq DESC LIMIT ?8";

constexpr char kCountApplicationsByState[] =
    "SELECT state, count(*) FROM applications WHERE institution_code = ?1 GROUP BY state";

constexpr char kCountActiveCertificates[] =
    "SELECT count(*) FROM certificates WHERE institution_code = ?1 AND state = 'issued' "
    "AND revoked_at IS NULL AND not_after > ?2";

constexpr char kPurgeExpiredDownloads[] =
    "UPDATE applications SET pkcs12_der = NULL "
    "WHERE download_deadline < ?1 AND pkcs12_der IS NOT NULL";

constexpr char kInsertFeeCharge[] = "INSERT INTO fee_charges (" CLAIMSCA_FEE_CHARGE_COLUMNS
                                    ", billing_month) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                    "?7, ?8, ?9, ?10, ?11)";

constexpr char kListFeeCharges[] = "SELECT " CLAIMSCA_FEE_CHARGE_COLUMNS
                                   " FROM fee_charges WHERE charge_date BETWEEN ?1 AND ?2 "
                                   "AND " CLAIMSCA_FEE_CHARGE_IN_FORCE
                                   " ORDER BY charge_date, created_at, request_id, kind, serial";

constexpr char kPutCmpSecret[] =
    "INSERT INTO cmp_secrets (request_id, sealed, expires_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (request_id) DO UPDATE SET sealed = excluded.sealed, "
    "expires_at = excluded.expires_at";
constexpr char kDeleteCmpSecret[] = "DELETE FROM cmp_secrets WHERE request_id = ?1";
constexpr char kCreditFeeCharges[] = CLAIMSCA_CREDIT_FEE_CHARGES_SQL;
constexpr char kGetPendingRenewal[] =
    "SELECT previous_serial, serial, created_at FROM renewal_pending WHERE request_id = ?1";
constexpr char kPutPendingRenewal[] =
    "INSERT INTO renewal_pending (request_id, previous_serial, serial, created_at) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (request_id) DO UPDATE SET "
    "previous_serial = excluded.previous_serial, serial = excluded.serial, "
    "created_at = excluded.created_at";
constexpr char kDeletePendingRenewal[] = "DELETE FROM renewal_pending WHERE request_id = ?1";
constexpr char kWasRecorded[] =
    "SELECT 1 FROM recorded_certificates WHERE serial = ?1 AND request_id = ?2";
constexpr char kGetCmpSecret[] =
    "SELECT sealed FROM cmp_secrets WHERE request_id = ?1 AND expires_at >= ?2";

constexpr char kInsertApplicationEdit[] =
    "INSERT INTO application_edits (" CLAIMSCA_APPLICATION_EDIT_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

constexpr char kListApplicationEdits[] =
    "SELECT " CLAIMSCA_APPLICATION_EDIT_COLUMNS
    " FROM application_edits WHERE request_id = ?1 ORDER BY id";

constexpr char kSelectCertificatesForRequest[] =
    "SELECT serial FROM certificates WHERE request_id = ?1 ORDER BY created_at, serial";

// The row accessor of internal::ReadApplication and friends. ColBlob: byte-exact for
// TEXT and BLOB columns alike; NULL reads as empty.
using sqlite::ReadAll;
using sqlite::Row;

// The parameter sink of internal::BindApplication and friends: binds ?1, ?2, ... in turn.
struct Sink {
  Stmt& s;
  int i = 1;
  void Text(std::string_view v) { s.Text(i++, v); }
  void Bytes(std::string_view v) {
    if (v.empty()) {
      s.OptInt(i++, std::nullopt);
    } else {
      s.Blob(i++, v);
    }
  }
  void Int(int64_t v) { s.Int(i++, v); }
  void OptInt(std::optional<int64_t> v) { s.OptInt(i++, v); }
};

// Runs kGetPendingRenewal prepared on `s` for `request_id`.
Result<std::optional<PendingRenewal>> ReadPending(Stmt& s, std::string_view request_id) {
  ASSIGN_OR_RETURN(bool row, s.Text(1, request_id).Step());
  if (!row) return std::optional<PendingRenewal>();
  return std::optional<PendingRenewal>(
      PendingRenewal{std::string(request_id), std::string(s.ColText(0)), std::string(s.ColText(1)),
                     internal::FromUnix(s.ColInt(2))});
}

using RevokeFn = Status (*)(sqlite::SqliteConn&, std::string_view, Instant, int,
                            std::optional<Instant>);

class Tx final : public internal::ApplicationTx {
 public:
  Tx(sqlite::SqliteConn& c, RevokeFn revoke) : c_(c), revoke_(revoke) {}

  Result<ApplicationRecord> Lock(std::string_view request_id) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kSelectApplication, "read application"));
    ASSIGN_OR_RETURN(bool row, s.Text(1, request_id).Step());
    if (!row) return NotFound("application " + std::string(request_id) + " not found");
    return internal::ReadApplication(Row{s});
  }

  Result<std::optional<ApplicationRecord>> FindByIdempotencyKey(std::string_view channel,
                                                                std::string_view account_id,
                                                                std::string_view key) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kSelectApplicationByKey, "find application by key"));
    ASSIGN_OR_RETURN(bool row, s.Text(1, channel).Text(2, account_id).Text(3, key).Step());
    if (!row) return std::optional<ApplicationRecord>();
    ASSIGN_OR_RETURN(ApplicationRecord a, internal::ReadApplication(Row{s}));
    return std::optional<ApplicationRecord>(std::move(a));
  }

  // The key was looked up first in this same transaction, which holds the write lock: no
  // other insert can come in between, so a clash here is the request_id's (Conflict).
  Result<std::optional<int64_t>> Insert(const ApplicationRecord& a) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kInsertApplication, "insert application"));
    Sink sink{s};
    internal::BindApplication(sink, a);
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status().WithContext("application " + a.request_id);
    if (!*row) return Internal("insert application: RETURNING gave no row");
    return std::optional<int64_t>(s.ColInt(0));
  }

  Status Update(const ApplicationRecord& a, std::optional<Instant> at) override {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kUpdateApplication, "update application"));
      Sink sink{s};
      internal::BindApplication(sink, a);
      sink.OptInt(ToUnix(at));
      RETURN_IF_ERROR(s.Run().WithContext("application " + a.request_id));
    }
    if (c_.Changes() != 1) return Internal("update application " + a.request_id + ": no row");
    return Status::Ok();
  }

  Status InsertFeeCharge(const FeeCharge& f, std::string_view billing_month) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kInsertFeeCharge, "insert fee charge"));
    Sink sink{s};
    internal::BindFeeCharge(sink, f);
    sink.Text(billing_month);
    return s.Run().WithContext("fee " + f.kind + " of " + f.request_id);
  }

  Status InsertEdit(const ApplicationEdit& e) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kInsertApplicationEdit, "insert application edit"));
    Sink sink{s};
    internal::BindApplicationEdit(sink, e);
    return s.Run();
  }

  Status RevokeCertificate(std::string_view serial, Instant at, int reason,
                           std::optional<Instant> invalidity_date) override {
    return revoke_(c_, serial, at, reason, invalidity_date);
  }

  Status PutCmpSecret(std::string_view request_id, std::string_view sealed,
                      Instant expires_at) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kPutCmpSecret, "put cmp secret"));
    return s.Text(1, request_id).Blob(2, sealed).Int(3, ToUnix(expires_at)).Run();
  }

  Status DeleteCmpSecret(std::string_view request_id) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kDeleteCmpSecret, "delete cmp secret"));
    return s.Text(1, request_id).Run();
  }

  // SQLite reads $n as the named parameter "$n"; its index is its first appearance.
  Status CreditFeeCharges(const internal::FeeCredit& cr) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kCreditFeeCharges, "credit fee charges"));
    ASSIGN_OR_RETURN(sqlite3_stmt * raw, c_.Prepared(kCreditFeeCharges));
    auto at = [raw](const char* name) { return sqlite3_bind_parameter_index(raw, name); };
    s.Text(at("$1"), cr.request_id).Text(at("$2"), cr.serial).Text(at("$3"), cr.charge_date);
    s.Text(at("$4"), cr.min_billing_month).Int(at("$5"), ToUnix(cr.created_at));
    return s.Text(at("$6"), cr.reason).Run().WithContext("credit fee of " + cr.request_id);
  }

  Result<std::optional<PendingRenewal>> GetPendingRenewal(std::string_view request_id) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kGetPendingRenewal, "get pending renewal"));
    return ReadPending(s, request_id);
  }

  Status PutPendingRenewal(const PendingRenewal& p) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kPutPendingRenewal, "put pending renewal"));
    s.Text(1, p.request_id).Text(2, p.previous_serial).Text(3, p.serial);
    return s.Int(4, ToUnix(p.created_at)).Run();
  }

  Status DeletePendingRenewal(std::string_view request_id) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kDeletePendingRenewal, "delete pending renewal"));
    return s.Text(1, request_id).Run();
  }

  Result<bool> WasRecorded(std::string_view request_id, std::string_view serial) override {
    ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c_, kWasRecorded, "was recorded"));
    return s.Text(1, serial).Text(2, request_id).Step();
  }

  Status AppendAudit(const AuditEvent& e) override { return sqlite::AppendAuditIn(c_, e); }

 private:
  sqlite::SqliteConn& c_;
  RevokeFn revoke_;
};

// Runs `body` as one write operation (its own savepoint of the writer's transaction).
Status Write(sqlite::GroupCommit& group, RevokeFn revoke,
             const std::function<Status(internal::ApplicationTx&)>& body) {
  return group.Run([&](sqlite::SqliteConn& c) -> Status {
    Tx tx(c, revoke);
    return body(tx);
  });
}

}  // namespace

Result<ApplicationRecord> SqliteStore::InsertApplication(const ApplicationRecord& a,
                                                         const AuditEvent& audit, bool* created) {
  if (created != nullptr) *created = false;
  RETURN_IF_ERROR(internal::ValidateNewApplication(a));
  ApplicationRecord out;
  bool made = false;
  RETURN_IF_ERROR(Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::InsertApplicationIn(tx, a, audit, &made));
    return Status::Ok();
  }));
  if (created != nullptr) *created = made;
  return out;
}

Result<ApplicationRecord> SqliteStore::GetApplication(std::string_view request_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectApplication, "get application"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, request_id).Step());
  if (!row) return NotFound("application " + std::string(request_id) + " not found");
  return internal::ReadApplication(Row{s});
}

Result<ApplicationPage> SqliteStore::ListApplications(const ApplicationFilter& filter) {
  ASSIGN_OR_RETURN(internal::ListParams p, internal::MakeListParams(filter));
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  const char* sql =
      p.institution_codes_json.empty() ? kListApplications : kListApplicationsOfInstitutions;
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql, "list applications"));
  s.Int(1, p.before_seq).Text(2, p.state).Text(3, p.account_id).Text(4, p.request_id);
  s.Text(5, p.serial).Int(6, p.only_held).Text(7, p.institution_codes_json).Int(8, p.fetch);
  ASSIGN_OR_RETURN(auto rows, ReadAll<ApplicationRecord>(s, internal::ReadApplication<Row>));
  return internal::MakePage(std::move(rows), filter);
}

Result<std::vector<std::pair<ApplicationState, int64_t>>> SqliteStore::CountApplicationsByState(
    std::string_view institution_code) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kCountApplicationsByState, "count applications"));
  s.Text(1, institution_code);
  ASSIGN_OR_RETURN(auto rows, (ReadAll<std::pair<std::string, int64_t>>(
                                  s, [](const Row& r) -> Result<std::pair<std::string, int64_t>> {
                                    return std::pair(std::string(r.Text(0)), r.s.ColInt(1));
                                  })));
  return internal::MakeStateCounts(rows);
}

Result<int64_t> SqliteStore::CountActiveCertificates(std::string_view institution_code,
                                                     Instant now) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kCountActiveCertificates, "count certificates"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, institution_code).Int(2, ToUnix(now)).Step());
  if (!row) return Internal("count certificates: count() returned no row");
  return s.ColInt(0);
}

Status SqliteStore::ClaimApplication(std::string_view request_id, std::string_view holder,
                                     Instant now, std::chrono::seconds ttl) {
  RETURN_IF_ERROR(internal::ValidateClaim(holder, ttl));
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::ClaimApplicationIn(tx, request_id, holder, now, ttl);
  });
}

Status SqliteStore::ReleaseClaim(std::string_view request_id, std::string_view holder) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::ReleaseClaimIn(tx, request_id, holder);
  });
}

Status SqliteStore::RecordIssued(std::string_view request_id, std::string_view holder,
                                 std::string_view decided_by, Instant at,
                                 const IssuanceResult& result, const FeeCharge& charge,
                                 const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateIssuance(holder, result, charge));
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RecordIssuedIn(tx, request_id, holder, decided_by, at, result, charge, audit);
  });
}

Result<std::string> SqliteStore::GetCmpSecret(std::string_view request_id, Instant now) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kGetCmpSecret, "get cmp secret"));
  ASSIGN_OR_RETURN(bool row, s.Text(1, request_id).Int(2, ToUnix(now)).Step());
  if (!row) return NotFound("no CMP secret for " + std::string(request_id));
  return std::string(s.ColBlob(0));
}

Status SqliteStore::RecordRenewed(std::string_view request_id, const RenewalResult& result,
                                  const FeeCharge& charge, const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RecordRenewedIn(tx, request_id, result, charge, audit);
  });
}

Status SqliteStore::RevertRenewal(std::string_view request_id, std::string_view rejected_serial,
                                  const RenewalResult& restore, int reason,
                                  const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RevertRenewalIn(tx, request_id, rejected_serial, restore, reason, audit);
  });
}

Result<std::optional<PendingRenewal>> SqliteStore::GetPendingRenewal(std::string_view request_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kGetPendingRenewal, "get pending renewal"));
  return ReadPending(s, request_id);
}

Status SqliteStore::ReplaceUnconfirmedRenewal(std::string_view request_id,
                                              std::string_view unconfirmed_serial,
                                              const RenewalResult& result, const FeeCharge& charge,
                                              const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::ReplaceUnconfirmedRenewalIn(tx, request_id, unconfirmed_serial, result, charge,
                                                 audit);
  });
}

Result<bool> SqliteStore::ConfirmRenewal(std::string_view request_id, std::string_view serial,
                                         const AuditEvent& audit) {
  bool confirmed = false;
  RETURN_IF_ERROR(Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(confirmed, internal::ConfirmRenewalIn(tx, request_id, serial, audit));
    return Status::Ok();
  }));
  return confirmed;
}

Result<bool> SqliteStore::RevokeUnrecorded(std::string_view request_id, std::string_view serial,
                                           Instant at, const AuditEvent& audit) {
  bool revoked = false;
  RETURN_IF_ERROR(Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(revoked, internal::RevokeUnrecordedIn(tx, request_id, serial, at, audit));
    return Status::Ok();
  }));
  return revoked;
}

Status SqliteStore::RejectApplication(std::string_view request_id, std::string_view reason,
                                      std::string_view by, Instant at, const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RejectApplicationIn(tx, request_id, reason, by, at, audit);
  });
}

Result<std::vector<ApplicationRecord>> SqliteStore::InsertApplications(
    const std::vector<ApplicationRecord>& apps, const std::vector<AuditEvent>& audits,
    int* created) {
  if (created != nullptr) *created = 0;
  RETURN_IF_ERROR(internal::ValidateBulk(apps, audits));
  std::vector<ApplicationRecord> out;
  int made = 0;
  RETURN_IF_ERROR(Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::InsertApplicationsIn(tx, apps, audits, &made));
    return Status::Ok();
  }));
  if (created != nullptr) *created = made;
  return out;
}

Status SqliteStore::CancelBeforeNotice(std::string_view request_id, std::string_view by, Instant at,
                                       int reason, const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::CancelBeforeNoticeIn(tx, request_id, by, at, reason, audit);
  });
}

Status SqliteStore::CancelApplication(std::string_view request_id, std::string_view by, Instant at,
                                      const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::CancelApplicationIn(tx, request_id, by, at, audit);
  });
}

Status SqliteStore::RevokeApplication(std::string_view request_id, Instant at, int reason,
                                      std::optional<Instant> invalidity_date, std::string_view by,
                                      const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RevokeApplicationIn(tx, request_id, at, reason, invalidity_date, by, audit);
  });
}

Result<std::vector<ApplicationEdit>> SqliteStore::EditApplication(
    std::string_view request_id, const std::vector<std::pair<std::string, std::string>>& changes,
    std::string_view by, Instant at, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateEdits(changes));
  std::vector<ApplicationEdit> out;
  RETURN_IF_ERROR(Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::EditApplicationIn(tx, request_id, changes, by, at, audit));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ApplicationEdit>> SqliteStore::ListApplicationEdits(
    std::string_view request_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kListApplicationEdits, "list application edits"));
  s.Text(1, request_id);
  return ReadAll<ApplicationEdit>(s, internal::ReadApplicationEdit<Row>);
}

Result<ApplicationRecord> SqliteStore::RecordDownloadFailure(std::string_view request_id,
                                                             Instant at, int max_failures,
                                                             std::chrono::seconds lock_for,
                                                             const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateDownloadFailure(max_failures, lock_for));
  ApplicationRecord out;
  RETURN_IF_ERROR(Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(
        out, internal::RecordDownloadFailureIn(tx, request_id, at, max_failures, lock_for, audit));
    return Status::Ok();
  }));
  return out;
}

Status SqliteStore::RecordDownloadSuccess(std::string_view request_id, Instant at,
                                          const AuditEvent& audit) {
  return Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RecordDownloadSuccessIn(tx, request_id, at, audit);
  });
}

Result<std::string> SqliteStore::TakeSealedPassword(std::string_view request_id,
                                                    const AuditEvent& audit) {
  std::string out;
  RETURN_IF_ERROR(Write(group_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::TakeSealedPasswordIn(tx, request_id, audit));
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> SqliteStore::PurgeExpiredDownloads(Instant now) {
  int64_t purged = 0;
  Status st = group_.Run([&](Conn& c) -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kPurgeExpiredDownloads, "purge downloads"));
      RETURN_IF_ERROR(s.Int(1, ToUnix(now)).Run());
    }
    purged = c.Changes();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return purged;
}

Result<std::vector<FeeCharge>> SqliteStore::ListFeeCharges(std::string_view from_date,
                                                           std::string_view to_date) {
  RETURN_IF_ERROR(internal::ValidateDateRange(from_date, to_date));
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kListFeeCharges, "list fee charges"));
  s.Text(1, from_date).Text(2, to_date);
  return ReadAll<FeeCharge>(s, internal::ReadFeeCharge<Row>);
}

Result<std::vector<CertificateRecord>> SqliteStore::CertificatesForRequest(
    std::string_view request_id) {
  std::vector<std::string> serials;
  {
    ASSIGN_OR_RETURN(Reader reader, AcquireReader());
    ASSIGN_OR_RETURN(Stmt s,
                     Stmt::Use(*reader, kSelectCertificatesForRequest, "certificates of request"));
    s.Text(1, request_id);
    ASSIGN_OR_RETURN(serials, ReadAll<std::string>(s, [](const Row& r) -> Result<std::string> {
                       return std::string(r.Text(0));
                     }));
  }
  // A certificate row is never deleted: each serial read above is still there.
  std::vector<CertificateRecord> out;
  out.reserve(serials.size());
  for (const std::string& serial : serials) {
    ASSIGN_OR_RETURN(CertificateRecord r, GetCertificate(serial));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace claimsca::store
