#pragma once

// What the CRL shard updaters read (docs/revocation.md, "Sharded CRLs"). A shard's CRL
// state is an ordinary CrlStore row whose key is CrlShardScope(issuer_id, shard), so the
// CrlStore methods (GetCrlState, GetCrlDer, PutCrl) serve shards unchanged; the counter of a
// shard is bumped by every revocation of one of its certificates (a trigger, migration 096).
// Thread-safe like the rest of the store.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::store {

struct CrlState;
struct RevokedEntry;

// The crl_state key of shard `shard` of issuer `issuer_id`: "<issuer_id>/<shard>".
inline std::string CrlShardScope(std::string_view issuer_id, int shard) {
  return std::string(issuer_id) + "/" + std::to_string(shard);
}

class CrlShardStore {
 public:
  virtual ~CrlShardStore() = default;
  // As CertificateReader::ForEachRevoked, for the certificates of `issuer_id` stored with
  // CRL shard `shard` only. Streams.
  virtual Status ForEachRevokedInShard(std::string_view issuer_id, int shard, Instant expired_since,
                                       const std::function<void(const RevokedEntry&)>& fn) = 0;
  // The CRL states of every shard of `issuer_id` that has a row (a revocation or a published
  // CRL), in one read; `issuer_id` of each is its scope key. Small columns only.
  virtual Result<std::vector<CrlState>> GetShardCrlStates(std::string_view issuer_id) = 0;
};

}  // namespace claimsca::store
