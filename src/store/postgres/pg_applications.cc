// PgStore: applications (ApplicationStore). The state rules live in
// store/applications.cc; this file supplies their statements. Every write is one
// transaction that first locks the application row (SELECT ... FOR UPDATE: concurrent
// operations on one application, across processes too, run one after the other and each
// sees the row as the previous one left it), and appends to the audit chain last.

#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/applications_internal.h"
#include "store/internal.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/slip_cancel_internal.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using pg::kByteaOid;
using pg::kInt8Oid;
using pg::kTextOid;
using pg::Params;
using pg::PgResult;

#define CLAIMSCA_PG_APPLICATION_PARAMS                                                          \
  "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, " \
  "$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, "  \
  "$39, $40, $41"

// The types of CLAIMSCA_APPLICATION_COLUMNS, in order, then (updates only) changed_at.
constexpr Oid kApplicationTypes[internal::kApplicationParams + 1] = {
    // request_id .. terminal_name
    kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kTextOid,
    kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kTextOid,
    // state, register_version, hold_reason, submitted_at, decided_at, decided_by,
    // reject_reason, serial, common_name, issued_at, not_after, download_deadline
    kTextOid, kInt8Oid, kTextOid, kInt8Oid, kInt8Oid, kTextOid, kTextOid, kTextOid, kTextOid,
    kInt8Oid, kInt8Oid, kInt8Oid,
    // download_password_hash, pkcs12_der, sealed_password, download_failures,
    // download_locked_until, download_count, last_downloaded_at, cancelled_at, revoked_at,
    // revocation_reason, revoked_by, claim_holder, claim_until
    kTextOid, kByteaOid, kByteaOid, kInt8Oid, kInt8Oid, kInt8Oid, kInt8Oid, kInt8Oid, kInt8Oid,
    kInt8Oid, kTextOid, kTextOid, kInt8Oid,
    // changed_at
    kInt8Oid};
constexpr Oid kT[] = {kTextOid};
constexpr Oid kTT[] = {kTextOid, kTextOid};
constexpr Oid kTI[] = {kTextOid, kInt8Oid};
constexpr Oid kI[] = {kInt8Oid};
constexpr Oid kTTT[] = {kTextOid, kTextOid, kTextOid};
constexpr Oid kFeeTypes[] = {kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kInt8Oid,
                             kInt8Oid, kInt8Oid, kInt8Oid, kTextOid, kTextOid};
constexpr Oid kEditTypes[] = {kTextOid, kTextOid, kTextOid, kTextOid, kTextOid, kInt8Oid};
constexpr Oid kListTypes[] = {kInt8Oid, kTextOid, kTextOid, kTextOid,
                              kTextOid, kInt8Oid, kTextOid, kInt8Oid};

constexpr pg::Query kSelectApplication{
    "claimsca_select_application",
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS " FROM applications WHERE request_id = $1", kT};

constexpr pg::Query kLockApplication{"claimsca_lock_application",
                                     "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
                                     " FROM applications WHERE request_id = $1 FOR UPDATE",
                                     kT};

constexpr pg::Query kSelectApplicationByKey{
    "claimsca_select_application_by_key",
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE channel = $1 AND account_id = $2 AND idempotency_key = $3 "
    "AND idempotency_key <> ''",
    kTTT};

// ON CONFLICT on the idempotency index only: it waits for a concurrent insert of the same
// key to commit or roll back, then inserts nothing (no row returned) or goes ahead. A
// taken request_id still fails (unique_violation: Conflict).
constexpr pg::Query kInsertApplication{
    "claimsca_insert_application",
    "INSERT INTO applications (" CLAIMSCA_APPLICATION_COLUMNS
    ") VALUES (" CLAIMSCA_PG_APPLICATION_PARAMS
    ") ON CONFLICT (channel, account_id, idempotency_key) WHERE idempotency_key <> '' "
    "DO NOTHING RETURNING seq",
    std::span<const Oid>(kApplicationTypes).first<internal::kApplicationParams>()};

constexpr pg::Query kUpdateApplication{"claimsca_update_application",
                                       "UPDATE applications SET (" CLAIMSCA_APPLICATION_COLUMNS
                                       ") = (" CLAIMSCA_PG_APPLICATION_PARAMS
                                       "), changed_at = coalesce($42, changed_at) "
                                       "WHERE request_id = $1",
                                       kApplicationTypes};
#undef CLAIMSCA_PG_APPLICATION_PARAMS

// See internal::ListParams for the parameters. The institution codes arrive as one JSON
// array, so one prepared statement serves every list length.
constexpr pg::Query kListApplications{
    "claimsca_list_applications",
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE ($1 = 0 OR seq < $1) AND ($2 = '' OR state = $2) "
    "AND ($3 = '' OR account_id = $3) AND ($4 = '' OR request_id = $4) "
    "AND ($5 = '' OR serial = $5) AND ($6 = 0 OR (state = 'pending' AND hold_reason <> '')) "
    "AND ($7 = '' OR institution_code IN "
    "(SELECT jsonb_array_elements_text(coalesce(nullif($7, ''), '[]')::jsonb))) "
    "ORDER BY seq DESC LIMIT $8",
    kListTypes};
// The same for a list of institutions (the portal's): `institution_code = ANY(array)` can
// use the index applications_institution whatever the other filters, where the catch-all
// form above makes PostgreSQL walk every application in seq order (measured at 200,000:
// 179 ms per call, 907 ms with the generic plan, for an institution's 50; issue 22).
constexpr pg::Query kListApplicationsOfInstitutions{
    "claimsca_list_applications_of_institutions",
    "SELECT seq, " CLAIMSCA_APPLICATION_COLUMNS
    " FROM applications WHERE institution_code = ANY(ARRAY("
    "SELECT jsonb_array_elements_text($7::jsonb))) "
    "AND ($1 = 0 OR seq < $1) AND ($2 = '' OR state = $2) "
    "AND ($3 = '' OR account_id = $3) AND ($4 = '' OR request_id = $4) "
    "AND ($5 = '' OR serial = $5) AND ($6 = 0 OR (state = 'pending' AND hold_reason <> '')) "
    "ORDER BY seq DESC LIMIT $8",
    kListTypes};

constexpr pg::Query kCountApplicationsByState{
    "claimsca_count_applications_by_state",
    "SELECT state, count(*) FROM applications WHERE institution_code = $1 GROUP BY state", kT};

constexpr pg::Query kCountActiveCertificates{
    "claimsca_count_active_certificates",
    "SELECT count(*) FROM certificates WHERE institution_code = $1 AND state = 'issued' "
    "AND revoked_at IS NULL AND not_after > $2",
    kTI};

constexpr pg::Query kPurgeExpiredDownloads{
    "claimsca_purge_expired_downloads",
    "UPDATE applications SET pkcs12_der = NULL "
    "WHERE download_deadline < $1 AND pkcs12_der IS NOT NULL",
    kI};

constexpr pg::Query kInsertFeeCharge{"claimsca_insert_fee_charge",
                                     "INSERT INTO fee_charges (" CLAIMSCA_FEE_CHARGE_COLUMNS
                                     ", billing_month) VALUES ($1, $2, $3, $4, $5, $6, "
                                     "$7, $8, $9, $10, $11)",
                                     kFeeTypes};

constexpr Oid kCmpSecretTypes[] = {kTextOid, kByteaOid, kInt8Oid};
constexpr pg::Query kPutCmpSecret{
    "claimsca_put_cmp_secret",
    "INSERT INTO cmp_secrets (request_id, sealed, expires_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (request_id) DO UPDATE SET sealed = excluded.sealed, "
    "expires_at = excluded.expires_at",
    kCmpSecretTypes};
constexpr Oid kDeleteCmpSecretTypes[] = {kTextOid};
constexpr pg::Query kDeleteCmpSecret{"claimsca_delete_cmp_secret",
                                     "DELETE FROM cmp_secrets WHERE request_id = $1",
                                     kDeleteCmpSecretTypes};
constexpr Oid kCreditFeeChargesTypes[] = {kTextOid, kTextOid, kTextOid,
                                          kTextOid, kInt8Oid, kTextOid};
constexpr pg::Query kCreditFeeCharges{"claimsca_credit_fee_charges",
                                      CLAIMSCA_CREDIT_FEE_CHARGES_SQL, kCreditFeeChargesTypes};
constexpr Oid kGetCmpSecretTypes[] = {kTextOid, kInt8Oid};
constexpr pg::Query kGetCmpSecret{
    "claimsca_get_cmp_secret",
    "SELECT sealed FROM cmp_secrets WHERE request_id = $1 AND expires_at >= $2",
    kGetCmpSecretTypes};

constexpr pg::Query kGetPendingRenewal{
    "claimsca_get_pending_renewal",
    "SELECT previous_serial, serial, created_at FROM renewal_pending WHERE request_id = $1", kT};
constexpr Oid kPutPendingRenewalTypes[] = {kTextOid, kTextOid, kTextOid, kInt8Oid};
constexpr pg::Query kPutPendingRenewal{
    "claimsca_put_pending_renewal",
    "INSERT INTO renewal_pending (request_id, previous_serial, serial, created_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (request_id) DO UPDATE SET "
    "previous_serial = excluded.previous_serial, serial = excluded.serial, "
    "created_at = excluded.created_at",
    kPutPendingRenewalTypes};
constexpr pg::Query kDeletePendingRenewal{"claimsca_delete_pending_renewal",
                                          "DELETE FROM renewal_pending WHERE request_id = $1", kT};
constexpr pg::Query kWasRecorded{
    "claimsca_was_recorded",
    "SELECT 1 FROM recorded_certificates WHERE serial = $1 AND request_id = $2", kTT};

constexpr pg::Query kListFeeCharges{"claimsca_list_fee_charges",
                                    "SELECT " CLAIMSCA_FEE_CHARGE_COLUMNS
                                    " FROM fee_charges WHERE charge_date BETWEEN $1 AND $2 "
                                    "AND " CLAIMSCA_FEE_CHARGE_IN_FORCE
                                    " ORDER BY charge_date, created_at, request_id, kind, serial",
                                    kTT};

constexpr pg::Query kInsertApplicationEdit{
    "claimsca_insert_application_edit",
    "INSERT INTO application_edits (" CLAIMSCA_APPLICATION_EDIT_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6)",
    kEditTypes};

constexpr pg::Query kListApplicationEdits{
    "claimsca_list_application_edits",
    "SELECT " CLAIMSCA_APPLICATION_EDIT_COLUMNS
    " FROM application_edits WHERE request_id = $1 ORDER BY id",
    kT};

constexpr pg::Query kSelectCertificatesForRequest{
    "claimsca_select_certificates_for_request",
    "SELECT serial FROM certificates WHERE request_id = $1 ORDER BY created_at, serial", kT};

using pg::ReadAll;
using pg::Row;

// The parameter sink of internal::BindApplication and friends.
struct Sink {
  Params& p;
  void Text(std::string_view v) { p.Text(v); }
  void Bytes(std::string_view v) {
    if (v.empty()) {
      p.OptInt8(std::nullopt);  // NULL, whatever the parameter's type
    } else {
      p.Bytes(v);
    }
  }
  void Int(int64_t v) { p.Int8(v); }
  void OptInt(std::optional<int64_t> v) { p.OptInt8(v); }
};

// The row of kGetPendingRenewal for `request_id`.
Result<std::optional<PendingRenewal>> ReadPending(const PgResult& res,
                                                  std::string_view request_id) {
  if (res.Rows() == 0) return std::optional<PendingRenewal>();
  ASSIGN_OR_RETURN(int64_t at, res.Int(0, 2));
  return std::optional<PendingRenewal>(
      PendingRenewal{std::string(request_id), std::string(res.Bytes(0, 0)),
                     std::string(res.Bytes(0, 1)), internal::FromUnix(at)});
}

using RevokeFn = Status (*)(pg::PgConn&, std::string_view, Instant, int, std::optional<Instant>);

class Tx final : public internal::ApplicationTx {
 public:
  Tx(pg::PgConn& conn, RevokeFn revoke) : conn_(conn), revoke_(revoke) {}

  Result<ApplicationRecord> Lock(std::string_view request_id) override {
    ASSIGN_OR_RETURN(PgResult res,
                     conn_.Exec(kLockApplication, Params().Text(request_id), "lock application"));
    if (res.Rows() == 0) return NotFound("application " + std::string(request_id) + " not found");
    return internal::ReadApplication(Row{res, 0});
  }

  Result<std::optional<ApplicationRecord>> FindByIdempotencyKey(std::string_view channel,
                                                                std::string_view account_id,
                                                                std::string_view key) override {
    ASSIGN_OR_RETURN(PgResult res, conn_.Exec(kSelectApplicationByKey,
                                              Params().Text(channel).Text(account_id).Text(key),
                                              "find application by key"));
    if (res.Rows() == 0) return std::optional<ApplicationRecord>();
    ASSIGN_OR_RETURN(ApplicationRecord a, internal::ReadApplication(Row{res, 0}));
    return std::optional<ApplicationRecord>(std::move(a));
  }

  Result<std::optional<int64_t>> Insert(const ApplicationRecord& a) override {
    Params p;
    Sink sink{p};
    internal::BindApplication(sink, a);
    ASSIGN_OR_RETURN(PgResult res,
                     conn_.Exec(kInsertApplication, p, "insert application " + a.request_id));
    if (res.Rows() == 0) return std::optional<int64_t>();
    ASSIGN_OR_RETURN(int64_t seq, res.Int(0, 0));
    return std::optional<int64_t>(seq);
  }

  Status Update(const ApplicationRecord& a, std::optional<Instant> at) override {
    Params p;
    Sink sink{p};
    internal::BindApplication(sink, a);
    sink.OptInt(ToUnix(at));
    ASSIGN_OR_RETURN(PgResult res,
                     conn_.Exec(kUpdateApplication, p, "update application " + a.request_id));
    if (res.Affected() != 1) return Internal("update application " + a.request_id + ": no row");
    return Status::Ok();
  }

  Status InsertFeeCharge(const FeeCharge& f, std::string_view billing_month) override {
    Params p;
    Sink sink{p};
    internal::BindFeeCharge(sink, f);
    sink.Text(billing_month);
    return conn_.Exec(kInsertFeeCharge, p, "insert fee " + f.kind + " of " + f.request_id).status();
  }

  Status InsertEdit(const ApplicationEdit& e) override {
    Params p;
    Sink sink{p};
    internal::BindApplicationEdit(sink, e);
    return conn_.Exec(kInsertApplicationEdit, p, "insert application edit").status();
  }

  Status RevokeCertificate(std::string_view serial, Instant at, int reason,
                           std::optional<Instant> invalidity_date) override {
    return revoke_(conn_, serial, at, reason, invalidity_date);
  }

  Status PutCmpSecret(std::string_view request_id, std::string_view sealed,
                      Instant expires_at) override {
    return conn_
        .Exec(kPutCmpSecret, Params().Text(request_id).Bytes(sealed).Int8(ToUnix(expires_at)),
              "put cmp secret")
        .status();
  }

  Status DeleteCmpSecret(std::string_view request_id) override {
    return conn_.Exec(kDeleteCmpSecret, Params().Text(request_id), "delete cmp secret").status();
  }

  Status CreditFeeCharges(const internal::FeeCredit& c) override {
    Params p;
    p.Text(c.request_id).Text(c.serial).Text(c.charge_date).Text(c.min_billing_month);
    p.Int8(ToUnix(c.created_at)).Text(c.reason);
    return conn_.Exec(kCreditFeeCharges, p, "credit fee of " + c.request_id).status();
  }

  Result<std::optional<PendingRenewal>> GetPendingRenewal(std::string_view request_id) override {
    ASSIGN_OR_RETURN(PgResult res, conn_.Exec(kGetPendingRenewal, Params().Text(request_id),
                                              "get pending renewal"));
    return ReadPending(res, request_id);
  }

  Status PutPendingRenewal(const PendingRenewal& p) override {
    Params params;
    params.Text(p.request_id).Text(p.previous_serial).Text(p.serial).Int8(ToUnix(p.created_at));
    return conn_.Exec(kPutPendingRenewal, params, "put pending renewal").status();
  }

  Status DeletePendingRenewal(std::string_view request_id) override {
    return conn_.Exec(kDeletePendingRenewal, Params().Text(request_id), "delete pending renewal")
        .status();
  }

  Result<bool> WasRecorded(std::string_view request_id, std::string_view serial) override {
    ASSIGN_OR_RETURN(PgResult res, conn_.Exec(kWasRecorded, Params().Text(serial).Text(request_id),
                                              "was recorded"));
    return res.Rows() > 0;
  }

  Status AppendAudit(const AuditEvent& e) override { return pg::AppendAuditIn(conn_, e); }

 private:
  pg::PgConn& conn_;
  RevokeFn revoke_;
};

// Runs `body` as one READ COMMITTED transaction on a pooled connection.
Status Write(pg::PgPool& pool, RevokeFn revoke,
             const std::function<Status(internal::ApplicationTx&)>& body) {
  ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  return pg::InTransaction(*conn, "BEGIN", "application", [&]() -> Status {
    Tx tx(*conn, revoke);
    return body(tx);
  });
}

}  // namespace

Result<ApplicationRecord> PgStore::InsertApplication(const ApplicationRecord& a,
                                                     const AuditEvent& audit, bool* created) {
  if (created != nullptr) *created = false;
  RETURN_IF_ERROR(internal::ValidateNewApplication(a));
  ApplicationRecord out;
  bool made = false;
  RETURN_IF_ERROR(Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::InsertApplicationIn(tx, a, audit, &made));
    return Status::Ok();
  }));
  if (created != nullptr) *created = made;
  return out;
}

Result<ApplicationRecord> PgStore::GetApplication(std::string_view request_id) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kSelectApplication, Params().Text(request_id), "get application"));
  if (res.Rows() == 0) return NotFound("application " + std::string(request_id) + " not found");
  return internal::ReadApplication(Row{res, 0});
}

Result<ApplicationPage> PgStore::ListApplications(const ApplicationFilter& filter) {
  ASSIGN_OR_RETURN(internal::ListParams lp, internal::MakeListParams(filter));
  Params p;
  p.Int8(lp.before_seq).Text(lp.state).Text(lp.account_id).Text(lp.request_id);
  p.Text(lp.serial).Int8(lp.only_held).Text(lp.institution_codes_json).Int8(lp.fetch);
  const pg::Query& q =
      lp.institution_codes_json.empty() ? kListApplications : kListApplicationsOfInstitutions;
  ASSIGN_OR_RETURN(PgResult res, Run(q, p, "list applications"));
  ASSIGN_OR_RETURN(auto rows, ReadAll<ApplicationRecord>(res, internal::ReadApplication<Row>));
  return internal::MakePage(std::move(rows), filter);
}

Result<std::vector<std::pair<ApplicationState, int64_t>>> PgStore::CountApplicationsByState(
    std::string_view institution_code) {
  ASSIGN_OR_RETURN(PgResult res, Run(kCountApplicationsByState, Params().Text(institution_code),
                                     "count applications"));
  ASSIGN_OR_RETURN(auto rows, (ReadAll<std::pair<std::string, int64_t>>(
                                  res, [](const Row& r) -> Result<std::pair<std::string, int64_t>> {
                                    ASSIGN_OR_RETURN(int64_t n, r.Int(1));
                                    return std::pair(std::string(r.Text(0)), n);
                                  })));
  return internal::MakeStateCounts(rows);
}

Result<int64_t> PgStore::CountActiveCertificates(std::string_view institution_code, Instant now) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kCountActiveCertificates, Params().Text(institution_code).Int8(ToUnix(now)),
                       "count certificates"));
  if (res.Rows() != 1) return Internal("count certificates: count() returned no row");
  return res.Int(0, 0);
}

Status PgStore::ClaimApplication(std::string_view request_id, std::string_view holder, Instant now,
                                 std::chrono::seconds ttl) {
  RETURN_IF_ERROR(internal::ValidateClaim(holder, ttl));
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::ClaimApplicationIn(tx, request_id, holder, now, ttl);
  });
}

Status PgStore::ReleaseClaim(std::string_view request_id, std::string_view holder) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::ReleaseClaimIn(tx, request_id, holder);
  });
}

Status PgStore::RecordIssued(std::string_view request_id, std::string_view holder,
                             std::string_view decided_by, Instant at, const IssuanceResult& result,
                             const FeeCharge& charge, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateIssuance(holder, result, charge));
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RecordIssuedIn(tx, request_id, holder, decided_by, at, result, charge, audit);
  });
}

Result<std::string> PgStore::GetCmpSecret(std::string_view request_id, Instant now) {
  ASSIGN_OR_RETURN(PgResult res, Run(kGetCmpSecret, Params().Text(request_id).Int8(ToUnix(now)),
                                     "get cmp secret"));
  if (res.Rows() == 0) return NotFound("no CMP secret for " + std::string(request_id));
  return std::string(res.Bytes(0, 0));
}

Status PgStore::RecordRenewed(std::string_view request_id, const RenewalResult& result,
                              const FeeCharge& charge, const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RecordRenewedIn(tx, request_id, result, charge, audit);
  });
}

Result<std::optional<PendingRenewal>> PgStore::GetPendingRenewal(std::string_view request_id) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kGetPendingRenewal, Params().Text(request_id), "get pending renewal"));
  return ReadPending(res, request_id);
}

Status PgStore::ReplaceUnconfirmedRenewal(std::string_view request_id,
                                          std::string_view unconfirmed_serial,
                                          const RenewalResult& result, const FeeCharge& charge,
                                          const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::ReplaceUnconfirmedRenewalIn(tx, request_id, unconfirmed_serial, result, charge,
                                                 audit);
  });
}

Result<bool> PgStore::ConfirmRenewal(std::string_view request_id, std::string_view serial,
                                     const AuditEvent& audit) {
  bool confirmed = false;
  RETURN_IF_ERROR(Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(confirmed, internal::ConfirmRenewalIn(tx, request_id, serial, audit));
    return Status::Ok();
  }));
  return confirmed;
}

Result<bool> PgStore::RevokeUnrecorded(std::string_view request_id, std::string_view serial,
                                       Instant at, const AuditEvent& audit) {
  bool revoked = false;
  RETURN_IF_ERROR(Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(revoked, internal::RevokeUnrecordedIn(tx, request_id, serial, at, audit));
    return Status::Ok();
  }));
  return revoked;
}

Status PgStore::RevertRenewal(std::string_view request_id, std::string_view rejected_serial,
                              const RenewalResult& restore, int reason, const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RevertRenewalIn(tx, request_id, rejected_serial, restore, reason, audit);
  });
}

Status PgStore::RejectApplication(std::string_view request_id, std::string_view reason,
                                  std::string_view by, Instant at, const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RejectApplicationIn(tx, request_id, reason, by, at, audit);
  });
}

Result<std::vector<ApplicationRecord>> PgStore::InsertApplications(
    const std::vector<ApplicationRecord>& apps, const std::vector<AuditEvent>& audits,
    int* created) {
  if (created != nullptr) *created = 0;
  RETURN_IF_ERROR(internal::ValidateBulk(apps, audits));
  std::vector<ApplicationRecord> out;
  int made = 0;
  RETURN_IF_ERROR(Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::InsertApplicationsIn(tx, apps, audits, &made));
    return Status::Ok();
  }));
  if (created != nullptr) *created = made;
  return out;
}

Status PgStore::CancelBeforeNotice(std::string_view request_id, std::string_view by, Instant at,
                                   int reason, const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::CancelBeforeNoticeIn(tx, request_id, by, at, reason, audit);
  });
}

Status PgStore::CancelApplication(std::string_view request_id, std::string_view by, Instant at,
                                  const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::CancelApplicationIn(tx, request_id, by, at, audit);
  });
}

Status PgStore::RevokeApplication(std::string_view request_id, Instant at, int reason,
                                  std::optional<Instant> invalidity_date, std::string_view by,
                                  const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RevokeApplicationIn(tx, request_id, at, reason, invalidity_date, by, audit);
  });
}

Result<std::vector<ApplicationEdit>> PgStore::EditApplication(
    std::string_view request_id, const std::vector<std::pair<std::string, std::string>>& changes,
    std::string_view by, Instant at, const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateEdits(changes));
  std::vector<ApplicationEdit> out;
  RETURN_IF_ERROR(Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::EditApplicationIn(tx, request_id, changes, by, at, audit));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ApplicationEdit>> PgStore::ListApplicationEdits(std::string_view request_id) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kListApplicationEdits, Params().Text(request_id), "list application edits"));
  return ReadAll<ApplicationEdit>(res, internal::ReadApplicationEdit<Row>);
}

Result<ApplicationRecord> PgStore::RecordDownloadFailure(std::string_view request_id, Instant at,
                                                         int max_failures,
                                                         std::chrono::seconds lock_for,
                                                         const AuditEvent& audit) {
  RETURN_IF_ERROR(internal::ValidateDownloadFailure(max_failures, lock_for));
  ApplicationRecord out;
  RETURN_IF_ERROR(Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(
        out, internal::RecordDownloadFailureIn(tx, request_id, at, max_failures, lock_for, audit));
    return Status::Ok();
  }));
  return out;
}

Status PgStore::RecordDownloadSuccess(std::string_view request_id, Instant at,
                                      const AuditEvent& audit) {
  return Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) {
    return internal::RecordDownloadSuccessIn(tx, request_id, at, audit);
  });
}

Result<std::string> PgStore::TakeSealedPassword(std::string_view request_id,
                                                const AuditEvent& audit) {
  std::string out;
  RETURN_IF_ERROR(Write(*pool_, &RevokeIn, [&](internal::ApplicationTx& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::TakeSealedPasswordIn(tx, request_id, audit));
    return Status::Ok();
  }));
  return out;
}

Result<int64_t> PgStore::PurgeExpiredDownloads(Instant now) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kPurgeExpiredDownloads, Params().Int8(ToUnix(now)), "purge downloads"));
  return res.Affected();
}

Result<std::vector<FeeCharge>> PgStore::ListFeeCharges(std::string_view from_date,
                                                       std::string_view to_date) {
  RETURN_IF_ERROR(internal::ValidateDateRange(from_date, to_date));
  ASSIGN_OR_RETURN(PgResult res, Run(kListFeeCharges, Params().Text(from_date).Text(to_date),
                                     "list fee charges"));
  return ReadAll<FeeCharge>(res, internal::ReadFeeCharge<Row>);
}

Result<std::vector<CertificateRecord>> PgStore::CertificatesForRequest(
    std::string_view request_id) {
  ASSIGN_OR_RETURN(PgResult res, Run(kSelectCertificatesForRequest, Params().Text(request_id),
                                     "certificates of request"));
  // A certificate row is never deleted: each serial read above is still there.
  std::vector<CertificateRecord> out;
  out.reserve(res.Rows());
  for (int i = 0; i < res.Rows(); ++i) {
    ASSIGN_OR_RETURN(CertificateRecord r, GetCertificate(res.Bytes(i, 0)));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace claimsca::store
