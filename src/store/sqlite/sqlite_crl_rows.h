#pragma once

// Reading the CRL rows of the SQLite store (the full CRL's and the shards'), shared by
// sqlite_store.cc, sqlite_store_admin.cc and sqlite_crl_shards.cc. Internal to the store.

#include <functional>

#include "store/internal.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace claimsca::store::sqlite {

// Steps `s` (columns serial, revoked_at, revocation_reason, invalidity_date) to its end,
// calling `fn` for each row with one reused entry.
inline Status StreamRevoked(Stmt& s, const std::function<void(const RevokedEntry&)>& fn) {
  RevokedEntry e;  // reused: serial keeps its capacity across rows
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    e.serial.assign(s.ColText(0));
    e.revoked_at = internal::FromUnix(s.ColInt(1));
    e.reason = static_cast<int>(s.ColInt(2));
    e.invalidity_date.reset();
    if (auto t = s.ColOptInt(3)) e.invalidity_date = internal::FromUnix(*t);
    fn(e);
  }
}

// Columns first.. of the current row: crl_number, this_update, next_update,
// revocation_counter, covered_counter, last_revocation_at.
inline void ReadCrlStateColumns(const Stmt& s, int first, CrlState& st) {
  st.crl_number = s.ColInt(first);
  st.this_update = internal::FromUnix(s.ColInt(first + 1));
  st.next_update = internal::FromUnix(s.ColInt(first + 2));
  st.revocation_counter = s.ColInt(first + 3);
  st.covered_counter = s.ColInt(first + 4);
  if (auto t = s.ColOptInt(first + 5)) st.last_revocation_at = internal::FromUnix(*t);
}

}  // namespace claimsca::store::sqlite
