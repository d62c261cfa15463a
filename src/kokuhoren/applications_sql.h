#pragma once

// The columns of kj_applications (migration 065) as every reader of the table selects
// them, and the row's decoding: shared by applications.cc, issuance.cc and reminders.cc.
// Internal to src/kokuhoren.

#include "kokuhoren/applications.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren::internal {

// Select list, in the order ReadApplication reads (23 columns).
#define KJ_APPLICATION_COLUMNS                                                           \
  "id, account_id, account_kind, office_number, usage_category, payment_method, "        \
  "offset_office_number, validity_start, continues_id, requested_not_before, "           \
  "password_generation, terms_version, state, applied_at, paid_at, paid_by, issued_at, " \
  "issued_by, serial, not_before, not_after, closed_at, closed_by"

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
