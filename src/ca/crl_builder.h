#pragma once

// X.509 v2 CRL encoder (RFC 5280 §5), hand-written DER for speed: entries are encoded into
// one growing buffer as they stream in, lengths are computed once at the end, and the
// TBSCertList is hashed and signed once with Signer::SignSha256.
//
// Output: version v2; signature = Signer::SignatureAlgorithmDer(); issuer = the issuer
// certificate's subject (DER copied verbatim); thisUpdate/nextUpdate as UTCTime before 2050
// and GeneralizedTime from 2050; revokedCertificates (omitted entirely when empty), each
// with a reasonCode extension unless the reason is unspecified (0), as RFC 5280 §5.3.1
// recommends, and an invalidityDate (GeneralizedTime) when known; crlExtensions
// AuthorityKeyIdentifier (keyIdentifier = the issuer's SubjectKeyIdentifier) and CRLNumber,
// and for an authority revocation list (CrlScope::kCaCertificates) a critical
// IssuingDistributionPoint { onlyContainsCACerts TRUE }; for a CRL shard
// (CrlScope::kDistributionPoint) a critical IssuingDistributionPoint { distributionPoint
// fullName URI, onlyContainsUserCerts TRUE }.

#include <openssl/x509.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "crypto/signer.h"

namespace claimsca::ca {

struct CrlEntry {
  std::string serial_hex;  // positive serial in hex (canonical lowercase, as stored)
  Instant revoked_at{};
  int reason = 0;  // RFC 5280 CRLReason; 0 (unspecified) or negative: no reasonCode
  std::optional<Instant> invalidity_date;
};

// What a CRL covers (RFC 5280 §5.2.5). An ARL (the root's list of revoked CA certificates)
// says so with onlyContainsCACerts; it names no distribution point, so that it also covers
// CA certificates issued without a CRL distribution point (docs/revocation.md). A CRL shard
// (kDistributionPoint, docs/revocation.md "Sharded CRLs") covers only the end-entity
// certificates whose CRL distribution point is its URL: RFC 5280 §5.2.5 and §6.3.3 make a
// relying party use it for those certificates and no others.
enum class CrlScope { kAllCertificates, kCaCertificates, kDistributionPoint };

// The critical IssuingDistributionPoint extension (complete Extension TLV) of a CRL shard
// published at `url`: { distributionPoint [0] { fullName [0] { [6] url } },
// onlyContainsUserCerts [1] TRUE }. The URL is written byte for byte, as in the
// certificates' CRL distribution points, so that the two compare equal.
std::string ShardIdpExtension(std::string_view url);

// Streaming builder. Usage:
//   ASSIGN_OR_RETURN(auto b, CrlBuilder::Create(issuer, signer, number, this_upd, next_upd));
//   for (...) RETURN_IF_ERROR(b.Add(serial_hex, revoked_at, reason, invalidity));
//   ASSIGN_OR_RETURN(std::string der, b.Finish());
// Borrows `issuer` only during Create (subject and SKI are copied); borrows `signer`, which
// must outlive the builder. Not thread-safe (one builder per thread); movable.
class CrlBuilder {
 public:
  // FailedPrecondition if the issuer has no SubjectKeyIdentifier or its public key is not
  // the signer's; InvalidArgument for a non-positive number or bad times.
  // `expected_entries` only sizes the buffer (it avoids regrowth of a large list).
  // `idp_url` is the distribution point of a kDistributionPoint CRL (InvalidArgument when
  // empty there, or given with another scope).
  static Result<CrlBuilder> Create(X509* issuer, const crypto::Signer& signer, int64_t crl_number,
                                   Instant this_update, Instant next_update,
                                   size_t expected_entries = 0,
                                   CrlScope scope = CrlScope::kAllCertificates,
                                   std::string_view idp_url = {});

  // Appends one revoked certificate. InvalidArgument for a serial that is not a positive hex
  // number of at most 20 octets, or a date outside 1950..9999 (the builder stays usable).
  // Serials are not deduplicated: the store guarantees uniqueness.
  Status Add(std::string_view serial_hex, Instant revoked_at, int reason,
             std::optional<Instant> invalidity_date);
  Status Add(const CrlEntry& e) {
    return Add(e.serial_hex, e.revoked_at, e.reason, e.invalidity_date);
  }

  // Completes, signs and returns the DER CRL. The builder is spent afterwards
  // (FailedPrecondition on any further call).
  Result<std::string> Finish();

  size_t entry_count() const { return count_; }

 private:
  CrlBuilder() = default;

  const crypto::Signer* signer_ = nullptr;
  std::string sig_alg_;      // AlgorithmIdentifier DER
  std::string issuer_name_;  // Name DER
  std::string extensions_;   // [0] EXPLICIT Extensions, complete TLV
  Instant this_update_{}, next_update_{};
  size_t headroom_ = 0;  // bytes reserved at the front of buf_ for the headers
  std::string buf_;      // headroom_ bytes, then the encoded entries
  size_t count_ = 0;
  bool finished_ = false;
};

struct CrlInput {
  X509* issuer = nullptr;                  // borrowed
  const crypto::Signer* signer = nullptr;  // borrowed
  int64_t crl_number = 0;
  Instant this_update{};
  Instant next_update{};
  std::vector<CrlEntry> entries;
};

// One-shot convenience over CrlBuilder.
Result<std::string> BuildCrl(const CrlInput& in);

}  // namespace claimsca::ca
