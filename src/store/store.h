#pragma once

// Storage interfaces, split by capability (Boulder's SA in spirit): the OCSP responder and
// the portal get readers only. Concrete back ends (sqlite/, postgres/) are linked only by
// src/cmd and tests. Every method is one transaction; all are thread-safe, and several
// processes may share one PostgreSQL database: nothing here relies on in-process state for
// correctness.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/audit_anchor.h"
#include "store/changed_applications.h"
#include "store/crl_shard_store.h"
#include "store/module_sql.h"
#include "store/renewal_store.h"

namespace claimsca::store {

// Lifecycle of a certificate row. Revocation is recorded in separate columns of an
// issued row; "expired" is derived from not_after.
enum class CertState {
  kIntent,  // to-be-signed stored, signature not (yet) recorded
  kIssued,  // signed and stored
  kFailed,  // signing failed or was abandoned; the serial stays reserved forever
};
std::string_view CertStateName(CertState s);

// RFC 5280 CRLReason values (7 is unused by the RFC).
inline constexpr int kReasonUnspecified = 0;
inline constexpr int kReasonKeyCompromise = 1;
inline constexpr int kReasonCessationOfOperation = 5;

struct CertificateRecord {
  std::string serial;            // canonical lowercase hex (crypto::CanonicalSerialHex)
  std::string issuer_id;         // which issuing CA, e.g. "issuing-1"
  std::string program;           // program profile id, e.g. "common"
  std::string institution_code;  // 10-digit 医療機関等コード or 8-digit 保険者番号
  std::string common_name;       // unique numeric Common Name
  std::string terminal_name;     // 端末名称等, free text
  std::string key_algorithm;     // "rsa2048", "ecp256", ...
  Instant not_before{};
  Instant not_after{};
  std::string tbs_der;   // the to-be-signed certificate, stored before signing
  std::string cert_der;  // empty unless state == kIssued
  CertState state = CertState::kIntent;
  std::optional<Instant> revoked_at;
  int revocation_reason = -1;  // CRLReason; -1 when not revoked
  std::optional<Instant> invalidity_date;
  Instant created_at{};
  std::string request_id;  // the application (リクエストID) it was issued for; empty if none
  std::optional<int> crl_shard;  // its CRL shard (crl_shard_store.h); none: the full CRL only
};

// What OCSP needs to know about one serial.
struct CertStatus {
  CertState state = CertState::kIntent;
  Instant not_after{};
  std::optional<Instant> revoked_at;
  int revocation_reason = -1;
};

struct RevokedEntry {
  std::string serial;  // canonical lowercase hex
  Instant revoked_at{};
  int reason = 0;
  std::optional<Instant> invalidity_date;
};

// Per issuing CA: what the latest CRL covers (its DER: CrlStore::GetCrlDer).
struct CrlState {
  std::string issuer_id;
  int64_t crl_number = 0;  // number of the latest published CRL; 0 = none yet
  Instant this_update{};
  Instant next_update{};
  int64_t revocation_counter = 0;  // bumped by every revocation of this issuer
  int64_t covered_counter = 0;     // revocation_counter value the latest CRL includes
  std::optional<Instant> last_revocation_at;
};

class CertificateReader {
 public:
  virtual ~CertificateReader() = default;
  // NotFound when the serial is unknown.
  virtual Result<CertificateRecord> GetCertificate(std::string_view serial) = 0;
  // The OCSP view of one serial of one issuer; NotFound when unknown. Hot path: one
  // indexed point read.
  virtual Result<CertStatus> GetStatus(std::string_view issuer_id, std::string_view serial) = 0;
  // Calls fn for every revoked certificate of the issuer whose not_after is at or after
  // `expired_since` (older ones may leave the CRL). Streams; does not buffer all rows.
  virtual Status ForEachRevoked(std::string_view issuer_id, Instant expired_since,
                                const std::function<void(const RevokedEntry&)>& fn) = 0;
  // Serials of the institution's certificates that are issued, not revoked and not expired
  // at `now` (every issuing CA), oldest first: what a bulk revocation must cover.
  virtual Result<std::vector<std::string>> ActiveSerialsOfInstitution(
      std::string_view institution_code, Instant now) = 0;
};

class CertificateWriter {
 public:
  virtual ~CertificateWriter() = default;
  // Records the intent to sign `r` (state must be kIntent, cert_der empty), durably, before
  // anything is signed. Conflict if the serial or the common name already exists: the
  // caller draws fresh values and retries. The database enforces both uniquenesses.
  virtual Status InsertIntent(const CertificateRecord& r) = 0;
  // kIntent -> kIssued with the signed DER. FailedPrecondition if not in kIntent.
  virtual Status MarkIssued(std::string_view serial, std::string_view cert_der) = 0;
  // kIntent -> kFailed. The serial is never reused.
  virtual Status MarkFailed(std::string_view serial) = 0;

  // The batch forms, for an issuer that signs several certificates at a time: one status
  // per element, in order, each exactly what the single call would have returned.
  // InsertIntentsAndMarkIssued is the one a back end implements: the certificates of one
  // batch and the intents of the next in one call (SQLite: one transaction, each element
  // in its own savepoint so that one conflict fails only itself, and one sync); the
  // default makes one call per element. The two others are its halves.
  //
  // With `defer_sync` the certificates are stored (visible to every reader, kept if the
  // process crashes) but durable against a power loss only after the next Flush: the
  // caller must not hand any of them out before Flush returns Ok. This lets an issuer
  // sign its next batch while the sync of this one is in flight.
  struct IssuedDer {
    std::string_view serial;
    std::string_view cert_der;
  };
  struct IntentsAndCerts {
    std::vector<Status> intents;
    std::vector<Status> certs;
  };
  virtual IntentsAndCerts InsertIntentsAndMarkIssued(std::span<const CertificateRecord> intents,
                                                     std::span<const IssuedDer> certs,
                                                     bool defer_sync);
  std::vector<Status> InsertIntents(std::span<const CertificateRecord> records) {
    return InsertIntentsAndMarkIssued(records, {}, false).intents;
  }
  std::vector<Status> MarkIssuedAll(std::span<const IssuedDer> certs, bool defer_sync = false) {
    return InsertIntentsAndMarkIssued({}, certs, defer_sync).certs;
  }
  // True when the back end has a single writer (SQLite: one connection writes, its
  // transactions run one after another): an issuer then gains by batching certificates
  // itself (ca::IssueQueue). PostgreSQL runs concurrent transactions and groups their
  // commits on its own; issuances running in parallel serve it better (measured:
  // docs/issuance-cycle.md).
  virtual bool SingleWriter() const { return false; }
  // Makes every write of this process so far durable (SQLite: one fdatasync of the WAL,
  // unless one already covered them). Back ends whose commits are durable by themselves
  // (PostgreSQL) have nothing to do.
  virtual Status Flush();
  // Revokes an issued certificate and bumps its issuer's revocation_counter in the same
  // transaction. NotFound if unknown, FailedPrecondition if not issued, Conflict if
  // already revoked.
  virtual Status Revoke(std::string_view serial, Instant at, int reason,
                        std::optional<Instant> invalidity_date) = 0;
};

class CrlStore {
 public:
  virtual ~CrlStore() = default;
  // The CRL state of an issuer; a fresh row (numbers 0) if none exists yet.
  // Reads only the small columns: the updater asks every few seconds, and the DER of a
  // CRL of a million entries is 36 MB.
  virtual Result<CrlState> GetCrlState(std::string_view issuer_id) = 0;
  // The latest published CRL (DER) and its number; empty and 0 when none yet.
  virtual Result<std::pair<std::string, int64_t>> GetCrlDer(std::string_view issuer_id) = 0;
  // Publishes CRL number `crl_number`, which must be exactly the stored number + 1
  // (Conflict otherwise: another process published first). `covered_counter` is the
  // revocation_counter read before the entries were collected.
  virtual Status PutCrl(std::string_view issuer_id, int64_t crl_number, std::string_view der,
                        Instant this_update, Instant next_update, int64_t covered_counter) = 0;
};

// Cross-process leases for background jobs (CRL updater, key pool filler): at most one
// holder per name at a time. Returns true if `holder` now holds `name` until now + ttl
// (taking it when free or expired, extending it when already held by `holder`). A holder
// releases its lease by renewing it with a zero ttl: it then expires at `now`.
class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  virtual Result<bool> TryLease(std::string_view name, std::string_view holder, Instant now,
                                std::chrono::seconds ttl) = 0;
};

// Server-made keys waiting for use, encrypted at rest (PKCS#8 EncryptedPrivateKeyInfo,
// DER) by the key pool's own key; never in clear.
class KeyPoolStore {
 public:
  virtual ~KeyPoolStore() = default;
  virtual Status PutPooledKey(std::string_view algorithm, std::string_view encrypted_der) = 0;
  // Removes and returns one key of `algorithm`, or nullopt when the pool is empty. Two
  // callers never get the same key.
  virtual Result<std::optional<std::string>> TakePooledKey(std::string_view algorithm) = 0;
  virtual Result<int64_t> CountPooledKeys(std::string_view algorithm) = 0;
};

// One row of the institution register (医療機関等マスタ, DOMAIN.md §13 `register`): the
// registered name and address that issuance notices are mailed to.
struct RegisterEntry {
  std::string institution_code;  // 10-digit 医療機関等コード, 8-digit insurer_number or
                                 // 10-digit checkup_body_number
  std::string name;
  std::string postal_code;     // 7 ASCII digits, no hyphen
  std::string address;         // without the postal code
  std::string category;        // 分類: "1"–"8", "n", "s"
  std::string billing_method;  // "deduction" or "invoice"
};

// The register is versioned: every import makes a new version holding all its rows, and
// the latest version is the current one. Older versions stay readable.
class RegisterReader {
 public:
  virtual ~RegisterReader() = default;
  // The row of `institution_code` in the current version; NotFound when absent (or when
  // nothing was imported yet).
  virtual Result<RegisterEntry> FindInRegister(std::string_view institution_code) = 0;
  // The row of `institution_code` in a given version; NotFound when absent.
  virtual Result<RegisterEntry> FindInRegisterVersion(int64_t version,
                                                      std::string_view institution_code) = 0;
  // The current (latest) version; 0 when nothing was imported yet.
  virtual Result<int64_t> CurrentRegisterVersion() = 0;
};

class RegisterWriter {
 public:
  virtual ~RegisterWriter() = default;
  // Stores `rows` as a new version (current version + 1) in ONE transaction, and returns
  // its number: either the whole version is stored, or nothing (the previous version stays
  // current). InvalidArgument for an empty import, a malformed row or a code given twice
  // (checked before any SQL runs); Conflict if another import took the same number.
  virtual Result<int64_t> ImportRegister(const std::vector<RegisterEntry>& rows,
                                         std::string_view source, std::string_view imported_by,
                                         Instant now) = 0;
};

enum class MailState { kPending, kSent, kFailed };
std::string_view MailStateName(MailState s);

// One e-mail of the outbox.
struct OutboxMail {
  int64_t id = 0;         // assigned by the store
  std::string dedup_key;  // unique: "<subject_ref>|<kind>|<YYYY-MM-DD>"
  std::string kind;       // "application_received", "issued", ...
  std::string subject_ref;
  std::string recipient;
  std::string mime;  // the complete message
  MailState state = MailState::kPending;
  int64_t attempts = 0;
  Instant next_attempt_at{};
  std::string last_error;
  Instant created_at{};
  std::optional<Instant> sent_at;
};

// One entry of the audit trail: who did what to which subject, when.
struct AuditEvent {
  Instant at{};
  std::string actor;    // e.g. "operator:tanaka", "system:crl-updater"
  std::string action;   // e.g. "register.import", "certificate.revoke"
  std::string subject;  // e.g. an institution_code, a serial, a request_id
  std::string details;  // a JSON text ("{}" when there is nothing more to say)
  // The transactional outbox: e-mails caused by this event, written in the same
  // transaction as the audit row (each skipped when its dedup_key exists). Never part of
  // the hash chain. Messages are composed by mail::Outbox::Compose.
  std::vector<OutboxMail> mail = {};
};

// One stored row of the audit trail, as read back.
struct AuditEntry {
  int64_t seq = 0;
  Instant at{};
  std::string actor;
  std::string action;
  std::string subject;
  std::string details;
};

// The audit trail is append-only and hash-chained: row seq (1, 2, 3, ... without gaps)
// stores hash = hex(SHA-256(prev_hash || canonical fields of the row)), prev_hash being
// the previous row's hash (64 zeros for seq 1). Altering, removing or reordering a row
// breaks the chain at that row or the next. Limit: removing the LAST rows (a truncated
// tail) leaves a valid shorter chain, undetectable by the chain alone; anchor the latest
// hash elsewhere (logs, a signed checkpoint) to detect that.
class AuditWriter {
 public:
  virtual ~AuditWriter() = default;
  // Appends `e` as the next row, computing its hash in the same transaction that reads
  // the previous row. Appends are serialised (across processes too): the chain stays
  // linear. InvalidArgument if actor or action is empty.
  virtual Status AppendAudit(const AuditEvent& e) = 0;
};

class AuditReader {
 public:
  virtual ~AuditReader() = default;
  // Recomputes the chain from seq 1 on one consistent snapshot. OK when every row holds;
  // otherwise Internal with a message "audit chain broken at seq N: <why>", N being the
  // first row whose seq, prev_hash or hash does not fit. *rows_checked (if not null)
  // receives the number of rows found valid before stopping.
  virtual Status VerifyAuditChain(int64_t* rows_checked) = 0;
  // The rows about `subject` (e.g. a request_id), oldest first, at most `limit` (1..1000;
  // the newest `limit` when there are more). The mail of an event is not part of its row.
  virtual Result<std::vector<AuditEntry>> AuditBySubject(std::string_view subject, int limit) = 0;
};

// ---------------------------------------------------------------------------------------
// Applications (申請) — DOMAIN.md §2, docs/applications.md.

// 発行承認待ち / 発行済み / 発行申請棄却 / 取消 / 失効済み. "expired" is derived from the
// certificate's not_after, never stored.
enum class ApplicationState { kPending, kIssued, kRejected, kCancelled, kRevoked };
// "pending", "issued", "rejected", "cancelled", "revoked".
std::string_view ApplicationStateName(ApplicationState s);
// InvalidArgument for any other text.
Result<ApplicationState> ParseApplicationState(std::string_view name);

struct ApplicationRecord {
  int64_t seq = 0;              // assigned by the store on insert (monotonic; list order)
  std::string request_id;       // リクエストID: 14 ASCII digits, unique
  std::string program;          // program profile id, e.g. "common"
  std::string channel;          // "portal", "network", "api", "operator"
  std::string account_id;       // submitting account; empty for the network channel
  std::string idempotency_key;  // empty = none; unique per (channel, account_id)
  std::string applicant_kind;   // "institution" or "insurer"
  // The form as validated (domain::InstitutionForm / InsurerForm). Insurer applications
  // leave prefecture, score_table and facility_code empty.
  std::string category;
  std::string prefecture;
  std::string score_table;
  std::string facility_code;
  std::string institution_code;  // 10-digit 医療機関等コード, or the 8-digit 保険者番号
  std::string institution_name;  // as typed in the form (the register's name is authoritative)
  std::string contact_name;
  std::string phone;
  std::string email;
  std::string terminal_name;
  ApplicationState state = ApplicationState::kPending;
  int64_t register_version = 0;  // register version that held the code at submission; 0 = absent
  std::string hold_reason;       // why automatic review left it for a person; empty otherwise
  Instant submitted_at{};
  // Review (rejected, or issued by approval).
  std::optional<Instant> decided_at;
  std::string decided_by;
  std::string reject_reason;
  // Issuance (state issued or revoked).
  std::string serial;
  std::string common_name;
  std::optional<Instant> issued_at;
  std::optional<Instant> not_after;
  std::optional<Instant> download_deadline;  // issued_at + 180 days
  std::string download_password_hash;        // argon2id string; the password itself is never stored
  std::string pkcs12_der;  // encrypted under the download password; empty once purged
  std::string
      sealed_password;  // the download password encrypted for the notice; empty once handed over
  int download_failures = 0;  // consecutive wrong passwords
  std::optional<Instant> download_locked_until;
  int64_t download_count = 0;
  std::optional<Instant> last_downloaded_at;
  // Cancellation / revocation.
  std::optional<Instant> cancelled_at;
  std::optional<Instant> revoked_at;
  int revocation_reason = -1;
  std::string revoked_by;
  // An approval in progress: held by claim_holder until claim_until.
  std::string claim_holder;
  std::optional<Instant> claim_until;
};

struct ApplicationFilter {
  std::vector<std::string> institution_codes;  // empty = every institution (operators only)
  std::optional<ApplicationState> state;
  std::string account_id;  // empty = any
  std::string request_id;  // empty = any
  std::string serial;      // empty = any
  bool only_held = false;  // pending with a hold_reason (the manual review queue)
  int64_t before_seq = 0;  // keyset cursor: only seq < before_seq; 0 = from the newest
  int limit = 50;          // 1..500
};

struct ApplicationPage {
  std::vector<ApplicationRecord> items;  // newest first (seq descending)
  int64_t next_before_seq = 0;           // cursor of the next page; 0 = no more
};

// What approval stores once the certificate is signed.
struct IssuanceResult {
  std::string serial;
  std::string common_name;
  Instant issued_at{};
  Instant not_after{};
  Instant download_deadline{};
  std::string download_password_hash;
  std::string pkcs12_der;
  std::string sealed_password;
  // The download password sealed for CMP's PBM check (docs/renewal-and-cmp.md); stored in
  // cmp_secrets until download_deadline when non-empty.
  std::string cmp_sealed_secret;
};

// What renewal stores once the new certificate is signed (docs/renewal-and-cmp.md).
struct RenewalResult {
  std::string previous_serial;  // the application's current certificate, renewed
  std::string serial;
  std::string common_name;
  Instant issued_at{};
  Instant not_after{};
  // CMP ir: the terminal's own key replaces the server-made certificate, which is revoked
  // (superseded) in the same transaction; the CMP secret is erased.
  bool supersede_previous = false;
};

// The fee that arises on approval (DOMAIN.md §7), read by billing later.
struct FeeCharge {
  std::string request_id;
  std::string institution_code;
  std::string program;
  std::string kind;         // domain::FeeKindName: "new_application", "renewal", ...
  std::string charge_date;  // JST date of issuance, "YYYY-MM-DD"
  int64_t issuance_fee_yen = 0;
  int64_t mailing_fee_yen = 0;
  int64_t total_yen = 0;
  Instant created_at{};
  // The certificate paid for: set for renewals (one charge per renewed certificate);
  // empty for the application's first issuance.
  std::string serial;
};

// One edited contact field of an issued application (変更前/変更後).
struct ApplicationEdit {
  std::string request_id;
  std::string field;  // "contact_name", "terminal_name", "email", "phone"
  std::string before;
  std::string after;
  std::string edited_by;
  Instant at{};
};

// Every mutating method is ONE transaction that also appends `audit` to the audit chain
// (same hash chain as AppendAudit); on any error nothing is written. Errors: NotFound for
// an unknown request_id; FailedPrecondition when the state does not allow the operation
// (the message names the current state); Conflict for races (claim held by another holder).
class ApplicationStore {
 public:
  virtual ~ApplicationStore() = default;
  // Inserts a new application (state pending, seq assigned). When idempotency_key is
  // non-empty and (channel, account_id, idempotency_key) already exists, inserts nothing
  // and returns the existing application with *created = false. Conflict when the
  // request_id is taken (the caller draws another).
  virtual Result<ApplicationRecord> InsertApplication(const ApplicationRecord& a,
                                                      const AuditEvent& audit, bool* created) = 0;
  virtual Result<ApplicationRecord> GetApplication(std::string_view request_id) = 0;
  virtual Result<ApplicationPage> ListApplications(const ApplicationFilter& filter) = 0;
  // Applications ever made for `institution_code`, per state (for the pre-submit pop-up):
  // states without any are left out; in enum order.
  virtual Result<std::vector<std::pair<ApplicationState, int64_t>>> CountApplicationsByState(
      std::string_view institution_code) = 0;
  // Certificates of the institution that are issued, not revoked and not expired at `now`.
  virtual Result<int64_t> CountActiveCertificates(std::string_view institution_code,
                                                  Instant now) = 0;

  // Takes the approval of a pending application for `holder` until now + ttl: OK when it
  // was unclaimed, its claim expired, or `holder` already held it. Conflict when another
  // holder's claim is still valid; FailedPrecondition when not pending.
  virtual Status ClaimApplication(std::string_view request_id, std::string_view holder, Instant now,
                                  std::chrono::seconds ttl) = 0;
  // Drops `holder`'s claim (no-op if not held by it; NotFound if the request_id is unknown).
  virtual Status ReleaseClaim(std::string_view request_id, std::string_view holder) = 0;
  // pending (claimed by `holder`) → issued, storing `result` and `charge`, decided_by/at.
  // Conflict if the claim is no longer `holder`'s (released, or taken over by another
  // holder; an expired claim that nobody took over is still `holder`'s).
  virtual Status RecordIssued(std::string_view request_id, std::string_view holder,
                              std::string_view decided_by, Instant at, const IssuanceResult& result,
                              const FeeCharge& charge, const AuditEvent& audit) = 0;
  // issued → issued with a renewed certificate: the application's current certificate
  // (serial, common_name, issued_at, not_after) becomes `result`'s, the download file of
  // the previous one is erased, and `charge` (kind "renewal", serial = the new one) is
  // recorded (none when charge.kind is empty). The previous certificate is left as it is
  // (valid until its end) unless result.supersede_previous; if not superseded, the new
  // certificate awaits confirmation (RenewalStore), else no renewal is pending.
  // FailedPrecondition unless issued; Conflict when the current serial is no longer
  // result.previous_serial (another renewal came first).
  virtual Status RecordRenewed(std::string_view request_id, const RenewalResult& result,
                               const FeeCharge& charge, const AuditEvent& audit) = 0;
  // Undoes a renewal whose certificate the holder rejected (CMP certConf): the current
  // certificate `rejected_serial` is revoked with `reason`, the application's current
  // certificate becomes `restore` again (serial, common_name, issued_at, not_after; the
  // renewed certificate, which stayed valid) and the renewal's fee charge (serial =
  // `rejected_serial`) is deleted — one transaction. FailedPrecondition unless issued;
  // Conflict when the current serial is no longer `rejected_serial`.
  virtual Status RevertRenewal(std::string_view request_id, std::string_view rejected_serial,
                               const RenewalResult& restore, int reason,
                               const AuditEvent& audit) = 0;
  // The sealed CMP secret of an application while usable at `now`; NotFound when absent
  // (never stored, erased by a successful ir) or expired.
  virtual Result<std::string> GetCmpSecret(std::string_view request_id, Instant now) = 0;
  // pending → rejected with `reason`. Conflict while another holder's claim is valid.
  virtual Status RejectApplication(std::string_view request_id, std::string_view reason,
                                   std::string_view by, Instant at, const AuditEvent& audit) = 0;
  // pending → cancelled. Conflict while a claim is valid (an approval is running).
  virtual Status CancelApplication(std::string_view request_id, std::string_view by, Instant at,
                                   const AuditEvent& audit) = 0;
  // issued → revoked, and the certificate revoked (revocation_counter bumped) in the same
  // transaction. FailedPrecondition unless issued.
  virtual Status RevokeApplication(std::string_view request_id, Instant at, int reason,
                                   std::optional<Instant> invalidity_date, std::string_view by,
                                   const AuditEvent& audit) = 0;
  // Edits contact fields of an issued application; each changed field gets an
  // ApplicationEdit row (before/after). `changes` maps field name → new value; fields
  // other than contact_name, terminal_name, email, phone are InvalidArgument.
  // FailedPrecondition unless issued. Returns the rows written (unchanged values skipped).
  virtual Result<std::vector<ApplicationEdit>> EditApplication(
      std::string_view request_id, const std::vector<std::pair<std::string, std::string>>& changes,
      std::string_view by, Instant at, const AuditEvent& audit) = 0;
  virtual Result<std::vector<ApplicationEdit>> ListApplicationEdits(
      std::string_view request_id) = 0;

  // Download bookkeeping. A wrong password: failures + 1, and when they reach
  // `max_failures` the download locks until at + lock_for (failures reset to 0 then).
  // Returns the updated record.
  virtual Result<ApplicationRecord> RecordDownloadFailure(std::string_view request_id, Instant at,
                                                          int max_failures,
                                                          std::chrono::seconds lock_for,
                                                          const AuditEvent& audit) = 0;
  // A right password: failures reset, download_count + 1, last_downloaded_at = at.
  virtual Status RecordDownloadSuccess(std::string_view request_id, Instant at,
                                       const AuditEvent& audit) = 0;
  // Returns the sealed download password and erases it (handed over once).
  // FailedPrecondition when already handed over (or never issued).
  virtual Result<std::string> TakeSealedPassword(std::string_view request_id,
                                                 const AuditEvent& audit) = 0;
  // Erases pkcs12_der of applications whose download_deadline < now; returns how many.
  virtual Result<int64_t> PurgeExpiredDownloads(Instant now) = 0;
  // Fee charges whose charge_date is in [from, to] (inclusive, "YYYY-MM-DD").
  virtual Result<std::vector<FeeCharge>> ListFeeCharges(std::string_view from_date,
                                                        std::string_view to_date) = 0;
  // Certificates stored with request_id = `request_id` (any state), oldest first.
  virtual Result<std::vector<CertificateRecord>> CertificatesForRequest(
      std::string_view request_id) = 0;
};

// ---------------------------------------------------------------------------------------
// Accounts (portal institutions, operators) and their tokens — docs/accounts.md.

struct AccountRecord {
  std::string account_id;          // login name: e-mail for institutions, a user name for operators
  std::string kind;                // "institution" or "operator"
  std::vector<std::string> roles;  // operators: "reviewer", "operator", "administrator"
  std::vector<std::string> institution_codes;  // institutions: the codes it may act for
  std::string display_name;
  std::string email;
  std::string password_hash;  // argon2id string (auth::HashPassword)
  bool email_verified = false;
  bool disabled = false;
  int failed_logins = 0;
  std::optional<Instant> locked_until;
  Instant created_at{};
};

struct TokenRecord {
  std::string
      token_hash;  // hex SHA-256 of the bearer token / session id; the token is never stored
  std::string account_id;
  std::string kind;  // "api", "session", "email_verify", "password_reset"
  Instant created_at{};
  Instant expires_at{};
  std::string data;  // kind-specific (e.g. the session's CSRF secret); may be empty
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // Conflict when account_id exists. Appends `audit` in the same transaction.
  virtual Status CreateAccount(const AccountRecord& a, const AuditEvent& audit) = 0;
  virtual Result<AccountRecord> GetAccount(std::string_view account_id) = 0;
  // Accounts of `kind` ("" = every kind), by account_id. Roles and codes come sorted.
  virtual Result<std::vector<AccountRecord>> ListAccounts(std::string_view kind) = 0;
  // Replaces the password hash, clears failures and lock.
  virtual Status SetPasswordHash(std::string_view account_id, std::string_view hash,
                                 const AuditEvent& audit) = 0;
  virtual Status SetEmailVerified(std::string_view account_id, const AuditEvent& audit) = 0;
  virtual Status SetDisabled(std::string_view account_id, bool disabled,
                             const AuditEvent& audit) = 0;
  // failed_logins + 1; at max_failures the account locks until at + lock_for (and the
  // counter resets). Returns the updated account. Both record the login in the audit
  // trail in the same transaction (internal::LoginFailureEvent / LoginSuccessEvent).
  virtual Result<AccountRecord> RecordLoginFailure(std::string_view account_id, Instant at,
                                                   int max_failures,
                                                   std::chrono::seconds lock_for) = 0;
  virtual Status RecordLoginSuccess(std::string_view account_id, Instant at) = 0;
  // Tokens. PutToken: Conflict if the hash exists. GetToken: NotFound if absent or expired
  // at `now`. DeleteToken: no-op if absent. DeleteTokens: every token of the account of
  // `kind` ("" = all kinds).
  virtual Status PutToken(const TokenRecord& t) = 0;
  virtual Result<TokenRecord> GetToken(std::string_view token_hash, Instant now) = 0;
  virtual Status DeleteToken(std::string_view token_hash) = 0;
  virtual Status DeleteTokens(std::string_view account_id, std::string_view kind) = 0;
};

// ---------------------------------------------------------------------------------------
// Issuance notices (発行通知書) and the e-mail outbox — docs/notices-and-mail.md.

// One page of a notice batch.
struct NoticeItem {
  std::string request_id;
  int64_t page = 0;  // 1-based
};

// A printed batch: the PDF and mailing list written to disk before it is recorded.
struct NoticeBatch {
  int64_t batch_id = 0;     // assigned by the store
  std::string printed_on;   // "YYYY-MM-DD" (JST)
  std::string dispatch_on;  // "YYYY-MM-DD" (JST)
  std::string pdf_file;
  std::string csv_file;
  std::string pdf_sha256;
  std::string created_by;
  Instant created_at{};
  std::vector<NoticeItem> items;  // pages 1..N in order
};

class NoticeStore {
 public:
  virtual ~NoticeStore() = default;
  // Issued applications whose sealed download password is still held (not handed over,
  // not printed), oldest issuance first, at most `limit` (1..10000).
  virtual Result<std::vector<ApplicationRecord>> ListAwaitingNotice(int limit) = 0;
  // ONE transaction: records the batch and its items, erases the sealed password of every
  // item, appends `audit`. FailedPrecondition (nothing written) when an item is not issued
  // or no longer holds its sealed password (another batch or a hand-over took it);
  // InvalidArgument for an empty batch or pages not 1..N. Returns the batch id.
  virtual Result<int64_t> RecordNoticeBatch(const NoticeBatch& batch, const AuditEvent& audit) = 0;
  // NotFound when unknown.
  virtual Result<NoticeBatch> GetNoticeBatch(int64_t batch_id) = 0;
  // The batch and page of an application's notice; nullopt if not printed.
  virtual Result<std::optional<std::pair<int64_t, int64_t>>> NoticeOf(
      std::string_view request_id) = 0;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Inserts `m` as pending; returns false (and writes nothing) when its dedup_key exists.
  virtual Result<bool> EnqueueMail(const OutboxMail& m) = 0;
  // Inserts every mail in one transaction (each skipped when its dedup_key exists);
  // returns how many were new. InvalidArgument (nothing written) if one is incomplete.
  virtual Result<int64_t> EnqueueMails(const std::vector<OutboxMail>& mails) = 0;
  // Pending mails with next_attempt_at <= now, oldest first, at most `limit` (1..1000).
  virtual Result<std::vector<OutboxMail>> DueMail(Instant now, int limit) = 0;
  // pending → sent (attempts + 1). FailedPrecondition unless pending.
  virtual Status MarkMailSent(int64_t id, Instant at) = 0;
  // The same change, returned as soon as it survives a crash of this process, without
  // waiting for the disk (SQLite: committed into the WAL; PostgreSQL: committed with
  // synchronous_commit off). The next durable write of the store (or PostgreSQL's WAL
  // writer) makes it durable; a power loss before that can lose the mark. mail::Outbox
  // marks a message this way just before the SMTP end-of-data, where waiting for the disk
  // would widen the window in which a crash loses the message.
  virtual Status MarkMailSending(int64_t id, Instant at) = 0;
  // A failed attempt (attempts + 1, last_error): stays pending until `retry_at`, or
  // becomes failed when `retry_at` is nullopt. FailedPrecondition unless pending.
  virtual Status MarkMailAttemptFailed(int64_t id, std::optional<Instant> retry_at,
                                       std::string_view error) = 0;
  // sent → pending until `retry_at` (failed when nullopt), sent_at cleared, last_error set,
  // attempts unchanged: the server refused a message that the sender had marked sent just
  // before its end of data (mail::Outbox). FailedPrecondition unless sent.
  virtual Status ReopenMail(int64_t id, std::optional<Instant> retry_at,
                            std::string_view error) = 0;
  // NotFound when unknown.
  virtual Result<OutboxMail> GetMail(int64_t id) = 0;
};

// ---------------------------------------------------------------------------------------
// Daily jobs, reminders and shipping (docs/notices-and-mail.md).

// Where a printed notice is: printed (in a batch, not yet with the post) → shipped →
// delivered, or undeliverable (returned; queued for a re-send, which prints it again).
enum class ShippingStatus { kPrinted, kShipped, kDelivered, kUndeliverable };
// "printed", "shipped", "delivered", "undeliverable".
std::string_view ShippingStatusName(ShippingStatus s);
Result<ShippingStatus> ParseShippingStatus(std::string_view name);

struct ShippingInfo {
  std::string request_id;
  int64_t batch_id = 0;
  int64_t page = 0;
  std::string dispatch_on;  // the batch's dispatch date, YYYY-MM-DD
  ShippingStatus status = ShippingStatus::kPrinted;
  std::string tracking_number;  // '' until shipped
  std::string status_on;        // JST date the status was reported, '' while printed
  int64_t resend_count = 0;
};

// One row of the mailing service's tracking list.
struct ShippingUpdate {
  int64_t line = 0;  // in the imported file, for messages
  std::string request_id;
  std::string tracking_number;
  ShippingStatus status = ShippingStatus::kShipped;
  std::string status_on;  // YYYY-MM-DD
};

class ScheduleStore {
 public:
  virtual ~ScheduleStore() = default;
  // The last JST day ("YYYY-MM-DD") job `name` completed; nullopt if never.
  virtual Result<std::optional<std::string>> LastJobDay(std::string_view name) = 0;
  // Records that job `name` completed for `day` (upsert).
  virtual Status RecordJobDay(std::string_view name, std::string_view day, Instant at) = 0;
  // Issued applications whose certificate ends in (now, before], seq > after_seq, by seq.
  virtual Result<std::vector<ApplicationRecord>> ListExpiringApplications(Instant now,
                                                                          Instant before,
                                                                          int64_t after_seq,
                                                                          int limit) = 0;
  // Issued applications never downloaded whose PKCS#12 is kept and whose download deadline
  // is in (now, before], seq > after_seq, by seq.
  virtual Result<std::vector<ApplicationRecord>> ListUndownloadedApplications(Instant now,
                                                                              Instant before,
                                                                              int64_t after_seq,
                                                                              int limit) = 0;
  // Records that the expiry dialog of `stage` was shown for `serial` on `day`, unless it
  // was recorded before; returns the day it was first shown.
  virtual Result<std::string> MarkOnscreenReminder(std::string_view serial, int stage,
                                                   std::string_view day) = 0;
  // nullopt when the application's notice was never printed.
  virtual Result<std::optional<ShippingInfo>> GetShipping(std::string_view request_id) = 0;
  // Applies a tracking list in one transaction with `audit` — all rows or none. Allowed:
  // printed → shipped (tracking number required); shipped → delivered / undeliverable (the
  // tracking number, when given, must be the shipment's); a row repeating the current
  // status and number changes nothing. Errors name the line: NotFound for a request ID
  // without a printed notice, FailedPrecondition for any other move.
  virtual Status ApplyShippingUpdates(const std::vector<ShippingUpdate>& updates,
                                      const AuditEvent& audit) = 0;
  // Notices returned undeliverable, oldest report first.
  virtual Result<std::vector<ShippingInfo>> ListResendQueue(int limit) = 0;
  // undeliverable → printed (tracking number cleared, resend_count + 1) for each ID, in one
  // transaction with `audit`. FailedPrecondition if one is not undeliverable.
  virtual Status MarkResendPrinted(const std::vector<std::string>& request_ids,
                                   const AuditEvent& audit) = 0;
  // Deletes tokens (sessions, API, e-mail links) that expired before `now`; returns how many.
  virtual Result<int64_t> PurgeExpiredTokens(Instant now) = 0;
};

class Store : public CertificateReader,
              public CertificateWriter,
              public CrlStore,
              public CrlShardStore,  // crl_shard_store.h
              public LeaseStore,
              public KeyPoolStore,
              public RegisterReader,
              public RegisterWriter,
              public AuditWriter,
              public AuditReader,
              public AuditChainReader,  // audit_anchor.h
              public ApplicationStore,
              public RenewalStore,
              public AccountStore,
              public NoticeStore,
              public OutboxStore,
              public ScheduleStore,
              public ChangedApplicationReader,  // changed_applications.h
              public ModuleSqlRunner {          // module_sql.h
 public:
  // Applies every pending numbered migration (src/store/migrations/NNN_name.sql) in
  // order, each in its own transaction, recording it in schema_migrations.
  virtual Status Migrate() = 0;
  virtual Result<int> SchemaVersion() = 0;
  // "sqlite" or "postgres".
  virtual std::string_view Backend() const = 0;
};

// Opens a store from a URL: "sqlite:/path/to/claimsca.db" (WAL mode) or
// "postgresql://user@host:port/db" (also "postgres://..."). Does not migrate.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url);

}  // namespace claimsca::store
