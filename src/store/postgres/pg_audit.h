#pragma once

// Appending to the audit trail from inside another transaction of the PostgreSQL store.
// Internal to the store library.

#include "common/status.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace claimsca::store::pg {

// Appends `e` as the next row of the audit chain on `conn`, which must be inside a
// transaction (pg::InTransaction): takes the audit lock (held until the end of that
// transaction, across processes), reads the last row and inserts the next. Call it after
// the transaction's other row locks are taken, never before: every appender then waits
// on the audit lock last and no lock cycle can form. InvalidArgument for an event without
// actor or action.
// Also writes the event's outbox mails (e.mail) in that transaction.
Status AppendAuditIn(PgConn& conn, const AuditEvent& e);

// Inserts `m` into the outbox inside the current transaction; false when its dedup_key
// exists (nothing written). InvalidArgument for an incomplete mail.
Result<bool> EnqueueMailIn(PgConn& conn, const OutboxMail& m);

}  // namespace claimsca::store::pg
