#pragma once

// The SQLite back end of store::Store: one database file in WAL mode, synchronous=FULL
// (a write returns only once its commit is on disk).
//
// Thread-safety: every method may be called from any number of threads at once. Writes
// go through one writer connection with group commit (concurrent writes share one
// BEGIN IMMEDIATE transaction and its fsync, each in its own savepoint); reads use a pool of
// read-only connections with cached prepared statements, so GetStatus is one covering
// index seek. Several processes may open the same file: SQLite's file locks and the WAL
// serialise their writers (each waits up to the busy timeout, then gets Unavailable).

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/bulk_store.h"
#include "store/slip_store.h"
#include "store/sqlite/group_commit.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace claimsca::store {

class SqliteStore final : public Store, public SlipStore, public BulkStore {
 public:
  static constexpr std::chrono::milliseconds kBusyTimeout{10'000};

  // Opens or creates the database file at `path`. Does not migrate.
  static Result<std::unique_ptr<SqliteStore>> Open(std::string path);
  ~SqliteStore() override;

  Result<CertificateRecord> GetCertificate(std::string_view serial) override;
  Result<CertStatus> GetStatus(std::string_view issuer_id, std::string_view serial) override;
  Status ForEachRevoked(std::string_view issuer_id, Instant expired_since,
                        const std::function<void(const RevokedEntry&)>& fn) override;
  Result<std::vector<std::string>> ActiveSerialsOfInstitution(std::string_view institution_code,
                                                              Instant now) override;

  Status InsertIntent(const CertificateRecord& r) override;
  Status MarkIssued(std::string_view serial, std::string_view cert_der) override;
  Status MarkFailed(std::string_view serial) override;
  IntentsAndCerts InsertIntentsAndMarkIssued(std::span<const CertificateRecord> intents,
                                             std::span<const IssuedDer> certs,
                                             bool defer_sync) override;
  Status Flush() override;
  bool SingleWriter() const override { return true; }
  Status Revoke(std::string_view serial, Instant at, int reason,
                std::optional<Instant> invalidity_date) override;

  Result<CrlState> GetCrlState(std::string_view issuer_id) override;
  Result<std::pair<std::string, int64_t>> GetCrlDer(std::string_view issuer_id) override;
  // CrlShardStore (sqlite_crl_shards.cc / pg_crl_shards.cc)
  Status ForEachRevokedInShard(std::string_view issuer_id, int shard, Instant expired_since,
                               const std::function<void(const RevokedEntry&)>& fn) override;
  Result<std::vector<CrlState>> GetShardCrlStates(std::string_view issuer_id) override;
  Status PutCrl(std::string_view issuer_id, int64_t crl_number, std::string_view der,
                Instant this_update, Instant next_update, int64_t covered_counter) override;

  Result<bool> TryLease(std::string_view name, std::string_view holder, Instant now,
                        std::chrono::seconds ttl) override;

  Status PutPooledKey(std::string_view algorithm, std::string_view encrypted_der) override;
  Result<std::optional<std::string>> TakePooledKey(std::string_view algorithm) override;
  Result<int64_t> CountPooledKeys(std::string_view algorithm) override;

  Result<RegisterEntry> FindInRegister(std::string_view institution_code) override;
  Result<RegisterEntry> FindInRegisterVersion(int64_t version,
                                              std::string_view institution_code) override;
  Result<int64_t> CurrentRegisterVersion() override;
  Result<int64_t> ImportRegister(const std::vector<RegisterEntry>& rows, std::string_view source,
                                 std::string_view imported_by, Instant now) override;

  Status AppendAudit(const AuditEvent& e) override;
  Status VerifyAuditChain(int64_t* rows_checked) override;
  Result<AuditHead> AuditChainHead() override;
  Status WalkAuditChain(const std::function<void(int64_t, std::string_view)>& on_row,
                        int64_t* rows_checked) override;
  Result<std::vector<AuditEntry>> AuditBySubject(std::string_view subject, int limit) override;

  Status CreateAccount(const AccountRecord& a, const AuditEvent& audit) override;
  Result<AccountRecord> GetAccount(std::string_view account_id) override;
  Result<std::vector<AccountRecord>> ListAccounts(std::string_view kind) override;
  Status SetPasswordHash(std::string_view account_id, std::string_view hash,
                         const AuditEvent& audit) override;
  Status SetEmailVerified(std::string_view account_id, const AuditEvent& audit) override;
  Status SetDisabled(std::string_view account_id, bool disabled, const AuditEvent& audit) override;
  Result<AccountRecord> RecordLoginFailure(std::string_view account_id, Instant at,
                                           int max_failures,
                                           std::chrono::seconds lock_for) override;
  Status RecordLoginSuccess(std::string_view account_id, Instant at) override;
  Status PutToken(const TokenRecord& t) override;
  Result<TokenRecord> GetToken(std::string_view token_hash, Instant now) override;
  Status DeleteToken(std::string_view token_hash) override;
  Status DeleteTokens(std::string_view account_id, std::string_view kind) override;

  Result<ApplicationRecord> InsertApplication(const ApplicationRecord& a, const AuditEvent& audit,
                                              bool* created) override;
  Result<ApplicationRecord> GetApplication(std::string_view request_id) override;
  Result<ApplicationPage> ListApplications(const ApplicationFilter& filter) override;
  Result<std::vector<std::pair<ApplicationState, int64_t>>> CountApplicationsByState(
      std::string_view institution_code) override;
  Result<int64_t> CountActiveCertificates(std::string_view institution_code, Instant now) override;
  Status ClaimApplication(std::string_view request_id, std::string_view holder, Instant now,
                          std::chrono::seconds ttl) override;
  Status ReleaseClaim(std::string_view request_id, std::string_view holder) override;
  Status RecordIssued(std::string_view request_id, std::string_view holder,
                      std::string_view decided_by, Instant at, const IssuanceResult& result,
                      const FeeCharge& charge, const AuditEvent& audit) override;
  Result<std::string> GetCmpSecret(std::string_view request_id, Instant now) override;
  Status RecordRenewed(std::string_view request_id, const RenewalResult& result,
                       const FeeCharge& charge, const AuditEvent& audit) override;
  Status RevertRenewal(std::string_view request_id, std::string_view rejected_serial,
                       const RenewalResult& restore, int reason, const AuditEvent& audit) override;
  Result<std::optional<PendingRenewal>> GetPendingRenewal(std::string_view request_id) override;
  Status ReplaceUnconfirmedRenewal(std::string_view request_id, std::string_view unconfirmed_serial,
                                   const RenewalResult& result, const FeeCharge& charge,
                                   const AuditEvent& audit) override;
  Result<bool> ConfirmRenewal(std::string_view request_id, std::string_view serial,
                              const AuditEvent& audit) override;
  Result<bool> RevokeUnrecorded(std::string_view request_id, std::string_view serial, Instant at,
                                const AuditEvent& audit) override;
  Status RejectApplication(std::string_view request_id, std::string_view reason,
                           std::string_view by, Instant at, const AuditEvent& audit) override;
  Status CancelApplication(std::string_view request_id, std::string_view by, Instant at,
                           const AuditEvent& audit) override;
  Status CancelBeforeNotice(std::string_view request_id, std::string_view by, Instant at,
                            int reason, const AuditEvent& audit) override;
  Result<std::vector<ApplicationRecord>> InsertApplications(
      const std::vector<ApplicationRecord>& apps, const std::vector<AuditEvent>& audits,
      int* created) override;
  Status RevokeApplication(std::string_view request_id, Instant at, int reason,
                           std::optional<Instant> invalidity_date, std::string_view by,
                           const AuditEvent& audit) override;
  Result<std::vector<ApplicationEdit>> EditApplication(
      std::string_view request_id, const std::vector<std::pair<std::string, std::string>>& changes,
      std::string_view by, Instant at, const AuditEvent& audit) override;
  Result<std::vector<ApplicationEdit>> ListApplicationEdits(std::string_view request_id) override;
  Result<ApplicationRecord> RecordDownloadFailure(std::string_view request_id, Instant at,
                                                  int max_failures, std::chrono::seconds lock_for,
                                                  const AuditEvent& audit) override;
  Status RecordDownloadSuccess(std::string_view request_id, Instant at,
                               const AuditEvent& audit) override;
  Result<std::string> TakeSealedPassword(std::string_view request_id,
                                         const AuditEvent& audit) override;
  Result<int64_t> PurgeExpiredDownloads(Instant now) override;
  Result<std::vector<FeeCharge>> ListFeeCharges(std::string_view from_date,
                                                std::string_view to_date) override;
  Result<std::vector<CertificateRecord>> CertificatesForRequest(
      std::string_view request_id) override;

  Result<std::vector<ApplicationRecord>> ListAwaitingNotice(int limit) override;
  Result<int64_t> RecordNoticeBatch(const NoticeBatch& batch, const AuditEvent& audit) override;
  Result<NoticeBatch> GetNoticeBatch(int64_t batch_id) override;
  Result<std::optional<std::pair<int64_t, int64_t>>> NoticeOf(std::string_view request_id) override;

  Result<bool> EnqueueMail(const OutboxMail& m) override;
  Result<int64_t> EnqueueMails(const std::vector<OutboxMail>& mails) override;
  Result<std::vector<OutboxMail>> DueMail(Instant now, int limit) override;
  Status MarkMailSent(int64_t id, Instant at) override;
  Status MarkMailSending(int64_t id, Instant at) override;
  Status MarkMailAttemptFailed(int64_t id, std::optional<Instant> retry_at,
                               std::string_view error) override;
  Status ReopenMail(int64_t id, std::optional<Instant> retry_at, std::string_view error) override;
  Result<OutboxMail> GetMail(int64_t id) override;

  Result<std::optional<std::string>> LastJobDay(std::string_view name) override;
  Status RecordJobDay(std::string_view name, std::string_view day, Instant at) override;
  Result<std::vector<ApplicationRecord>> ListExpiringApplications(Instant now, Instant before,
                                                                  int64_t after_seq,
                                                                  int limit) override;
  Result<std::vector<ApplicationRecord>> ListUndownloadedApplications(Instant now, Instant before,
                                                                      int64_t after_seq,
                                                                      int limit) override;
  // ChangedApplicationReader (beside the reminder scans in sqlite_schedule.cc)
  Result<std::vector<ApplicationRecord>> ListExpiringChangedSince(Instant since, Instant now,
                                                                  Instant before, int64_t after_seq,
                                                                  int limit) override;
  Result<std::vector<ApplicationRecord>> ListUndownloadedChangedSince(Instant since, Instant now,
                                                                      Instant before,
                                                                      int64_t after_seq,
                                                                      int limit) override;
  Result<std::string> MarkOnscreenReminder(std::string_view serial, int stage,
                                           std::string_view day) override;
  Result<std::optional<ShippingInfo>> GetShipping(std::string_view request_id) override;
  Status ApplyShippingUpdates(const std::vector<ShippingUpdate>& updates,
                              const AuditEvent& audit) override;
  Result<std::vector<ShippingInfo>> ListResendQueue(int limit) override;
  Status MarkResendPrinted(const std::vector<std::string>& request_ids,
                           const AuditEvent& audit) override;
  Result<int64_t> PurgeExpiredTokens(Instant now) override;

  Status RunSqlTransaction(const SqlTxFn& fn) override;  // store/module_sql.h
  Status RunSqlRead(const SqlTxFn& fn) override;

  Status Migrate() override;
  Result<int> SchemaVersion() override;
  std::string_view Backend() const override { return "sqlite"; }

 private:
  using Conn = sqlite::SqliteConn;

  // A pooled read connection, returned to the pool on destruction.
  class Reader {
   public:
    Reader(SqliteStore* store, std::unique_ptr<Conn> conn)
        : store_(store), conn_(std::move(conn)) {}
    Reader(Reader&&) = default;
    ~Reader();
    Conn& operator*() { return *conn_; }

   private:
    SqliteStore* store_;
    std::unique_ptr<Conn> conn_;
  };

  SqliteStore(std::string path, std::unique_ptr<Conn> writer)
      : path_(std::move(path)),
        writer_(std::move(writer)),
        group_(*writer_, write_mu_, path_ + "-wal") {}
  Result<Reader> AcquireReader();
  // Explains why a conditional UPDATE of `serial` changed nothing (inside a write op).
  static Status Diagnose(Conn& c, std::string_view serial, std::string_view op);
  // MarkMailSent / MarkMailSending.
  Status MarkMail(int64_t id, Instant at, sqlite::GroupCommit::Durability durability);
  // Revoke's statements, inside a write op: revokes `serial` and bumps its issuer's
  // revocation_counter (NotFound / FailedPrecondition / Conflict as Revoke).
  static Status RevokeIn(Conn& c, std::string_view serial, Instant at, int reason,
                         std::optional<Instant> invalidity_date);

  const std::string path_;
  std::mutex write_mu_;
  std::unique_ptr<Conn> writer_;  // guarded by write_mu_
  sqlite::GroupCommit group_;     // runs write operations on writer_
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Conn>> idle_readers_;  // guarded by readers_mu_
};

}  // namespace claimsca::store
