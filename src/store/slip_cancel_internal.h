#pragma once

// SlipStore's and BulkStore's operations inside one transaction of either back end
// (slip_cancel.cc, bulk_insert.cc).

#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::store {
struct AuditEvent;
struct ApplicationRecord;
}  // namespace claimsca::store

namespace claimsca::store::internal {

class ApplicationTx;

Status CancelBeforeNoticeIn(ApplicationTx& tx, std::string_view request_id, std::string_view by,
                            Instant at, int reason, const AuditEvent& audit);

// BulkStore::InsertApplications (bulk_insert.cc): the checks before the transaction, then
// the inserts inside it.
Status ValidateBulk(const std::vector<ApplicationRecord>& apps,
                    const std::vector<AuditEvent>& audits);
Result<std::vector<ApplicationRecord>> InsertApplicationsIn(
    ApplicationTx& tx, const std::vector<ApplicationRecord>& apps,
    const std::vector<AuditEvent>& audits, int* created);

}  // namespace claimsca::store::internal
