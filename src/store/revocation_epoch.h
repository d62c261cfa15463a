#pragma once

// The revocation epoch of a store: a number that changes with every revocation, for caches
// of certificate statuses (src/ocsp/status_cache.h). Every revocation bumps its issuer's
// crl_state.revocation_counter in the same transaction as the certificate row (PostgreSQL:
// one statement, pg_sql.h kRevoke; SQLite: RevokeIn, kRevoke then kBumpRevocationCounter;
// the CRL shard trigger of migration 096 bumps the shard's row as well), and nothing lowers
// a counter or deletes a crl_state row, so the sum of the counters grows with every
// revocation and a reader that sees the same sum twice saw no revocation between.
//
// Not a method of Store: only the OCSP status cache needs it (store/module_sql.h).

#include <cstdint>

#include "common/status.h"

namespace claimsca::store {

class Store;

// SUM(crl_state.revocation_counter): one read on a read connection (a standby's, for a
// read-only node). Unavailable when the database is.
Result<int64_t> ReadRevocationEpoch(Store& store);

}  // namespace claimsca::store
