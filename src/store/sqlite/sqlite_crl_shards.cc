// SqliteStore: what the CRL shard updaters read (store/crl_shard_store.h).

#include <string>

#include "store/internal.h"
#include "store/sqlite/sqlite_crl_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using sqlite::Stmt;

// One range of the partial index certificates_revoked_shard (migration 096), named: without
// statistics SQLite would pick certificates_revoked (issuer_id, not_after) and read every
// revoked row of the issuer (150 ms at 100,000 instead of a shard's few ms).
constexpr char kSelectRevokedInShard[] =
    "SELECT serial, revoked_at, revocation_reason, invalidity_date FROM certificates "
    "INDEXED BY certificates_revoked_shard "
    "WHERE issuer_id = ?1 AND crl_shard = ?2 AND not_after >= ?3 "
    "AND revoked_at IS NOT NULL AND crl_shard IS NOT NULL";

// The rows keyed "<issuer_id>/<shard>" (CrlShardScope).
constexpr char kSelectShardCrlStates[] =
    "SELECT issuer_id, crl_number, this_update, next_update, revocation_counter, "
    "covered_counter, last_revocation_at FROM crl_state "
    "WHERE substr(issuer_id, 1, length(?1) + 1) = ?1 || '/'";

}  // namespace

Status SqliteStore::ForEachRevokedInShard(std::string_view issuer_id, int shard,
                                          Instant expired_since,
                                          const std::function<void(const RevokedEntry&)>& fn) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectRevokedInShard, "list revoked of shard"));
  s.Text(1, issuer_id).Int(2, shard).Int(3, ToUnix(expired_since));
  return sqlite::StreamRevoked(s, fn);
}

Result<std::vector<CrlState>> SqliteStore::GetShardCrlStates(std::string_view issuer_id) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, kSelectShardCrlStates, "get shard crl states"));
  s.Text(1, issuer_id);
  std::vector<CrlState> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    CrlState& st = out.emplace_back();
    st.issuer_id.assign(s.ColText(0));
    sqlite::ReadCrlStateColumns(s, 1, st);
  }
}

}  // namespace claimsca::store
