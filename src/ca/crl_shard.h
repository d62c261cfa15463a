#pragma once

// CRL shards (docs/revocation.md, "Sharded CRLs"): the certificates of an issuing CA are
// partitioned into `shards` CRLs, each with its own distribution point, so that a relying
// party fetches the small CRL of its own certificate instead of the full one. The shard is
// chosen once, at issuance, stored with the certificate and named in its CRL distribution
// point; a later change of the shard count moves no certificate issued before it.
// Pure functions, thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace claimsca::ca {

// Largest shard count accepted (`crl.shards`); 0 = no shards (every certificate names the
// full CRL).
inline constexpr int kMaxCrlShards = 4096;

// The shard of a certificate with serial `serial_hex` (lowercase or uppercase hex, as
// stored) among `shards` > 0: the serial's low 32 bits modulo `shards`. Serials are random
// (crypto::RandomSerial, >= 64 bits of entropy), so shards fill evenly. nullopt when
// `shards` is out of 1..kMaxCrlShards or the serial is not hex.
std::optional<int> CrlShardOf(std::string_view serial_hex, int shards);

// The distribution point URL of shard `shard` of the CRL at `full_crl_url`:
// ".../crl/issuing-1.crl" → ".../crl/issuing-1/<shard>.crl". A URL without the ".crl"
// suffix gets "/<shard>.crl" appended.
std::string CrlShardUrl(std::string_view full_crl_url, int shard);

// The shard number of a request path's last segment "<n>.crl" (decimal, no sign, no
// leading zero) below `shards`; nullopt otherwise.
std::optional<int> ParseCrlShardFile(std::string_view file, int shards);

}  // namespace claimsca::ca
