#pragma once

// Many terminals at once (issue 24 point 10, docs/portal.md "Many terminals at once"): the
// applications of one CSV file are stored together or not at all.

#include <vector>

#include "common/status.h"

namespace claimsca::store {

struct ApplicationRecord;
struct AuditEvent;

// Thread-safe like the rest of the store.
class BulkStore {
 public:
  virtual ~BulkStore() = default;
  // ONE transaction: InsertApplication for each of `apps` with audits[i] (same sizes, each
  // with a non-empty idempotency key): all stored, or none. A row whose (channel,
  // account_id, idempotency_key) is already stored is returned as stored and not inserted
  // again (a resent confirmation stores nothing twice); *created (may be null) counts the
  // rows inserted now. Conflict when a request_id is taken (retry with fresh ones);
  // InvalidArgument as InsertApplication, or on mismatched sizes or an empty key.
  virtual Result<std::vector<ApplicationRecord>> InsertApplications(
      const std::vector<ApplicationRecord>& apps, const std::vector<AuditEvent>& audits,
      int* created) = 0;
};

}  // namespace claimsca::store
