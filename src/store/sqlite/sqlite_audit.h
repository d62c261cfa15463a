#pragma once

// Appending to the audit trail from inside another write operation of the SQLite store.
// Internal to the store library.

#include "common/status.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace claimsca::store::sqlite {

// Appends `e` as the next row of the audit chain on `c`, which must be the writer
// connection inside its transaction (a GroupCommit operation or InTransaction body): the
// write lock keeps the previous row fixed until the commit. InvalidArgument for an event
// without actor or action.
// Also writes the event's outbox mails (e.mail) in that transaction.
Status AppendAuditIn(SqliteConn& c, const AuditEvent& e);

// Inserts `m` into the outbox on `c` (inside its transaction); false when its dedup_key
// exists (nothing written). InvalidArgument for an incomplete mail.
Result<bool> EnqueueMailIn(SqliteConn& c, const OutboxMail& m);

}  // namespace claimsca::store::sqlite
