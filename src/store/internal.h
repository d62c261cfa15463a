#pragma once

// Helpers shared by the store back ends. Internal to the store library.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::store::internal {

inline int64_t ToUnix(Instant t) { return t.time_since_epoch().count(); }
inline Instant FromUnix(int64_t s) { return Instant(std::chrono::seconds(s)); }
inline std::optional<int64_t> ToUnix(std::optional<Instant> t) {
  if (!t) return std::nullopt;
  return ToUnix(*t);
}

// "intent" / "issued" / "failed" as stored in certificates.state.
std::optional<CertState> ParseCertState(std::string_view name);

// The TBSCertificate element (tag, length, contents) at the start of a certificate's DER,
// or empty if `cert_der` does not start with SEQUENCE { SEQUENCE ... } of definite
// lengths that fit. An issued row stores no separate TBS: the certificate holds exactly
// the bytes recorded as the intent (docs/issuance-cycle.md).
std::string_view TbsOfCertificate(std::string_view cert_der);
// For rows read back: an issued record whose TBS column was cleared gets it from its
// certificate.
void RestoreTbs(CertificateRecord& r);

// The audit rows of logins: "account.login" by "self:<id>", and "account.login_failed" by
// "system:auth" with the failure count, or the end of the lock this failure started.
AuditEvent LoginSuccessEvent(std::string_view account_id, Instant at);
AuditEvent LoginFailureEvent(const AccountRecord& after, Instant at);

// Argument checks done before any SQL runs; InvalidArgument on failure.
Status ValidateIntent(const CertificateRecord& r);
Status ValidateRevocationReason(int reason);
Status ValidateCrl(int64_t crl_number, int64_t covered_counter);
// Structural checks of a register import: non-empty, codes of 8 or 10 ASCII digits given
// once, 7-digit postal codes, non-empty name/address/category, a known billing_method,
// non-empty source and imported_by. Check digits are the caller's business (src/domain).
Status ValidateRegisterImport(const std::vector<RegisterEntry>& rows, std::string_view source,
                              std::string_view imported_by);

// AccountStore checks (accounts.cc): kind, known roles and 8/10-digit codes each given
// once, a non-empty password_hash; a known token kind; max_failures >= 1.
Status ValidateAccount(const AccountRecord& a);
Status ValidateToken(const TokenRecord& t);
Status ValidateLoginFailure(int max_failures, std::chrono::seconds lock_for);
// A comma-joined list (group_concat / string_agg) as sorted items; "" gives none.
std::vector<std::string> SplitSorted(std::string_view joined);

}  // namespace claimsca::store::internal
