// BulkStore::InsertApplications, written once for both back ends (bulk_store.h).

#include "store/applications_internal.h"
#include "store/bulk_store.h"
#include "store/slip_cancel_internal.h"

namespace claimsca::store::internal {

Status ValidateBulk(const std::vector<ApplicationRecord>& apps,
                    const std::vector<AuditEvent>& audits) {
  if (apps.empty() || apps.size() != audits.size()) {
    return InvalidArgument("insert applications: one audit event per application, at least one");
  }
  for (const ApplicationRecord& a : apps) {
    if (a.idempotency_key.empty()) {
      return InvalidArgument("insert applications: every row needs an idempotency key");
    }
    RETURN_IF_ERROR(ValidateNewApplication(a));
  }
  return Status::Ok();
}

Result<std::vector<ApplicationRecord>> InsertApplicationsIn(
    ApplicationTx& tx, const std::vector<ApplicationRecord>& apps,
    const std::vector<AuditEvent>& audits, int* created) {
  std::vector<ApplicationRecord> out;
  int n = 0;
  for (size_t i = 0; i < apps.size(); ++i) {
    bool row_created = false;
    ASSIGN_OR_RETURN(ApplicationRecord a,
                     InsertApplicationIn(tx, apps[i], audits[i], &row_created));
    if (row_created) ++n;
    out.push_back(std::move(a));
  }
  if (created != nullptr) *created = n;
  return out;
}

}  // namespace claimsca::store::internal
