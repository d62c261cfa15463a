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
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

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

// Per issuing CA: the latest CRL and what it covers.
struct CrlState {
  std::string issuer_id;
  int64_t crl_number = 0;  // number of the latest published CRL; 0 = none yet
  std::string crl_der;     // empty when none yet
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
  virtual Result<CrlState> GetCrlState(std::string_view issuer_id) = 0;
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

// One entry of the audit trail: who did what to which subject, when.
struct AuditEvent {
  Instant at{};
  std::string actor;    // e.g. "operator:tanaka", "system:crl-updater"
  std::string action;   // e.g. "register.import", "certificate.revoke"
  std::string subject;  // e.g. an institution_code, a serial, a request_id
  std::string details;  // a JSON text ("{}" when there is nothing more to say)
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
};

class Store : public CertificateReader,
              public CertificateWriter,
              public CrlStore,
              public LeaseStore,
              public KeyPoolStore,
              public RegisterReader,
              public RegisterWriter,
              public AuditWriter,
              public AuditReader {
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
