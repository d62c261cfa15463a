#pragma once

// The root CA's authority revocation list (ARL, docs/revocation.md): a CRL signed by the
// root key that lists the revoked issuing CA certificates, so that a relying party checking
// the whole chain (`openssl verify -crl_check_all`) finds a CRL for every CA certificate.
//
// The root key may be offline: the ARL is made at a key ceremony (`claimsca ca arl`) with a
// long validity, kept as a file (ca/root.crl) and served as it is. The previous ARL is the
// state: a new one carries its entries forward and adds the new revocations.

#include <openssl/x509.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ca/crl_builder.h"
#include "common/clock.h"
#include "common/status.h"
#include "crypto/signer.h"

namespace claimsca::crl {

// The ARL validity when the ceremony names none: a year. It is re-made every six months
// (docs/revocation.md), so a missed ceremony leaves half a year to notice.
inline constexpr std::chrono::days kDefaultArlValidity{365};

struct ArlContents {
  int64_t crl_number = 0;
  Instant this_update{};
  Instant next_update{};
  std::vector<ca::CrlEntry> entries;
};

// Reads a DER ARL. FailedPrecondition unless it is a CRL issued and signed by `root` (its
// subject and key) and scoped to CA certificates; InvalidArgument if it does not parse.
Result<ArlContents> ReadArl(std::string_view der, X509* root);

struct ArlRequest {
  X509* root = nullptr;                    // borrowed
  const crypto::Signer* signer = nullptr;  // the root key; borrowed
  Instant now{};
  std::chrono::seconds validity = kDefaultArlValidity;
  const ArlContents* previous = nullptr;  // the ARL in force (entries carried over), or null
  std::vector<ca::CrlEntry> revoke;       // new entries
};

// Signs a new ARL: thisUpdate = now, nextUpdate = now + validity, the previous entries and
// the new ones. Its CRL number is the larger of the previous number + 1 and the Unix time of
// `now`, so it grows even if the previous ARL was lost. Conflict if a serial to revoke is
// already listed; InvalidArgument for a bad serial or validity.
Result<std::string> MakeArl(const ArlRequest& request);

// Whether `cert` is a CA certificate issued (and signed) by `root`: what an ARL may list.
Status CheckIssuedByRoot(X509* cert, X509* root);

}  // namespace claimsca::crl
