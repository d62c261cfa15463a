// SqliteStore: what the CRL shard updaters read (store/crl_shard_store.h).

#include <string>

#include "store/internal.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::FromUnix;
using internal::ToUnix;
using sqlite::Stmt;

// One range of the partial index certificates_revoked_shard (migration 096).
constexpr char kSelectRevokedInShard[] =
    "SELECT serial, revoked_at, revocation_reason, invalidity_date FROM certificates "
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
  RevokedEntry e;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    e.serial.assign(s.ColText(0));
    e.revoked_at = FromUnix(s.ColInt(1));
    e.reason = static_cast<int>(s.ColInt(2));
    e.invalidity_date.reset();
    if (auto t = s.ColOptInt(3)) e.invalidity_date = FromUnix(*t);
    fn(e);
  }
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
    st.crl_number = s.ColInt(1);
    st.this_update = FromUnix(s.ColInt(2));
    st.next_update = FromUnix(s.ColInt(3));
    st.revocation_counter = s.ColInt(4);
    st.covered_counter = s.ColInt(5);
    if (auto t = s.ColOptInt(6)) st.last_revocation_at = FromUnix(*t);
  }
}

}  // namespace claimsca::store
