// PgStore: what the CRL shard updaters read (store/crl_shard_store.h).

#include <string>

#include "store/internal.h"
#include "store/postgres/pg_store.h"

namespace claimsca::store {
namespace {

using internal::FromUnix;
using internal::ToUnix;
using pg::Params;
using pg::PgResult;

constexpr Oid kTII[] = {pg::kTextOid, pg::kInt8Oid, pg::kInt8Oid};
constexpr Oid kT[] = {pg::kTextOid};

// One range of the partial index certificates_revoked_shard (migration 096); a shard holds a
// few thousand entries even at a million revoked, so one result, no cursor.
constexpr pg::Query kSelectRevokedInShard{
    "claimsca_select_revoked_in_shard",
    "SELECT serial, revoked_at, revocation_reason, invalidity_date FROM certificates "
    "WHERE issuer_id = $1 AND crl_shard = $2 AND not_after >= $3 "
    "AND revoked_at IS NOT NULL AND crl_shard IS NOT NULL",
    kTII};

// The rows keyed "<issuer_id>/<shard>" (CrlShardScope); starts_with ignores the collation.
constexpr pg::Query kSelectShardCrlStates{
    "claimsca_select_shard_crl_states",
    "SELECT issuer_id, crl_number, this_update, next_update, revocation_counter, "
    "covered_counter, last_revocation_at FROM crl_state WHERE starts_with(issuer_id, $1 || '/')",
    kT};

Result<std::optional<Instant>> OptInstantAt(const PgResult& r, int row, int col) {
  ASSIGN_OR_RETURN(auto v, r.OptInt(row, col));
  if (!v) return std::optional<Instant>();
  return std::optional<Instant>(FromUnix(*v));
}

}  // namespace

Status PgStore::ForEachRevokedInShard(std::string_view issuer_id, int shard, Instant expired_since,
                                      const std::function<void(const RevokedEntry&)>& fn) {
  ASSIGN_OR_RETURN(
      PgResult res,
      Run(kSelectRevokedInShard, Params().Text(issuer_id).Int8(shard).Int8(ToUnix(expired_since)),
          "list revoked of shard"));
  RevokedEntry e;
  for (int i = 0; i < res.Rows(); ++i) {
    e.serial.assign(res.Bytes(i, 0));
    ASSIGN_OR_RETURN(int64_t revoked_at, res.Int(i, 1));
    e.revoked_at = FromUnix(revoked_at);
    ASSIGN_OR_RETURN(int64_t reason, res.Int(i, 2));
    e.reason = static_cast<int>(reason);
    ASSIGN_OR_RETURN(e.invalidity_date, OptInstantAt(res, i, 3));
    fn(e);
  }
  return Status::Ok();
}

Result<std::vector<CrlState>> PgStore::GetShardCrlStates(std::string_view issuer_id) {
  ASSIGN_OR_RETURN(PgResult res,
                   Run(kSelectShardCrlStates, Params().Text(issuer_id), "get shard crl states"));
  std::vector<CrlState> out;
  for (int i = 0; i < res.Rows(); ++i) {
    CrlState& st = out.emplace_back();
    st.issuer_id.assign(res.Bytes(i, 0));
    ASSIGN_OR_RETURN(st.crl_number, res.Int(i, 1));
    ASSIGN_OR_RETURN(int64_t t, res.Int(i, 2));
    st.this_update = FromUnix(t);
    ASSIGN_OR_RETURN(t, res.Int(i, 3));
    st.next_update = FromUnix(t);
    ASSIGN_OR_RETURN(st.revocation_counter, res.Int(i, 4));
    ASSIGN_OR_RETURN(st.covered_counter, res.Int(i, 5));
    ASSIGN_OR_RETURN(st.last_revocation_at, OptInstantAt(res, i, 6));
  }
  return out;
}

}  // namespace claimsca::store
