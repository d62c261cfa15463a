#pragma once

// The columns of kj_applications (migration 065) as every reader of the table selects
// them, and the row's decoding: shared by applications.cc, issuance.cc and reminders.cc.
// Internal to src/kokuhoren.

#include "kokuhoren/applications.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren::internal {

// Select list, in the order ReadApplication reads (23 columns).
// The state and closed_at read: an issued application whose certificate was revoked
// through the common paths (claimsca revoke, the console, non-payment) reads as revoked
// (失効済み) with the revocation time, so the list, the reminders and "continue from the
// end" never take it for a valid one. Queries using it name the table kj_applications
// (no alias): the subqueries refer to it by that name.
#define KJ_CERT_REVOKED_AT                                                               \
  "(SELECT rc.revoked_at FROM certificates rc WHERE rc.serial = kj_applications.serial " \
  "AND rc.revoked_at IS NOT NULL)"
#define KJ_APPLICATION_COLUMNS                                                          \
  "id, account_id, account_kind, office_number, usage_category, payment_method, "       \
  "offset_office_number, validity_start, continues_id, requested_not_before, "          \
  "password_generation, terms_version, "                                                \
  "CASE WHEN kj_applications.state = 'issued' AND " KJ_CERT_REVOKED_AT                  \
  " IS NOT NULL THEN 'revoked' ELSE kj_applications.state END, "                        \
  "applied_at, paid_at, paid_by, issued_at, issued_by, serial, not_before, not_after, " \
  "COALESCE(closed_at, " KJ_CERT_REVOKED_AT "), closed_by"
// An issued application whose certificate is not revoked.
#define KJ_ISSUED_NOT_REVOKED "kj_applications.state = 'issued' AND " KJ_CERT_REVOKED_AT " IS NULL"

Result<CertApplication> ReadApplication(const store::SqlRow& row);

// Unix seconds <-> Instant.
inline int64_t Seconds(Instant t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline Instant FromSeconds(int64_t s) { return Instant{std::chrono::seconds(s)}; }
inline store::SqlValue OptSeconds(const std::optional<Instant>& t) {
  return t ? store::SqlValue(Seconds(*t)) : store::SqlValue();
}

}  // namespace claimsca::kokuhoren::internal
