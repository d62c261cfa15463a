#pragma once

// Renewals awaiting confirmation (docs/renewal-and-cmp.md, "A lost answer"). Every renewal
// recorded by ApplicationStore::RecordRenewed (not a CMP ir) leaves one pending row:
// until the new certificate is confirmed — CMP certConf, or its first use — the renewed
// certificate may renew again, and that retry either gets the same new certificate or a
// fresh one that replaces it (ReplaceUnconfirmedRenewal), the fee staying charged once.
// A renewal of the new certificate, a rejection (RevertRenewal) or a revocation of the
// application ends the pending row.

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::store {

struct RenewalResult;
struct FeeCharge;
struct AuditEvent;

struct PendingRenewal {
  std::string request_id;
  std::string previous_serial;  // the certificate renewed: may still retry the renewal
  std::string serial;           // the application's current certificate, not confirmed
  Instant created_at{};
};

// Thread-safe like the rest of the store. Each write is one transaction with its audit row.
class RenewalStore {
 public:
  virtual ~RenewalStore() = default;
  // The application's unconfirmed renewal, nullopt when none.
  virtual Result<std::optional<PendingRenewal>> GetPendingRenewal(std::string_view request_id) = 0;
  // A retry by the renewed certificate replaces the unconfirmed one, ONE transaction: the
  // certificate `unconfirmed_serial` is revoked (superseded, at result.issued_at), the
  // application's current certificate becomes `result`'s, the fee charge of the
  // unconfirmed certificate is deleted and `charge` recorded for result.serial (so one
  // charge for the period), the pending row becomes (result.previous_serial →
  // result.serial), and `audit` is appended. FailedPrecondition unless issued; Conflict
  // unless the application's current certificate is `unconfirmed_serial` and the pending
  // row is (result.previous_serial → unconfirmed_serial).
  virtual Status ReplaceUnconfirmedRenewal(std::string_view request_id,
                                           std::string_view unconfirmed_serial,
                                           const RenewalResult& result, const FeeCharge& charge,
                                           const AuditEvent& audit) = 0;
  // The holder confirmed `serial`: when it is the pending renewal's new certificate, the
  // pending row is erased with `audit` (true); otherwise nothing is written (false).
  virtual Result<bool> ConfirmRenewal(std::string_view request_id, std::string_view serial,
                                      const AuditEvent& audit) = 0;
  // A certificate of `request_id` was signed by an approval or renewal whose write failed:
  // revokes `serial` (superseded, at `at`) with `audit`, ONE transaction, unless the
  // application recorded it after all: ever held it (recorded_certificates, migration 098),
  // even if it has renewed past it since. A failed COMMIT does not say whether it happened
  // (the connection broke after the server had it, a primary died after its standby had
  // it); the database, with the application row locked here, does. True when revoked; false
  // when recorded or already revoked (nothing written).
  virtual Result<bool> RevokeUnrecorded(std::string_view request_id, std::string_view serial,
                                        Instant at, const AuditEvent& audit) = 0;
};

}  // namespace claimsca::store
