#pragma once

// The hash chain of the audit trail, shared by both back ends. Internal to the store
// library.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace claimsca::store::internal {

// prev_hash of seq 1.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// hex(SHA-256(prev_hash || canonical(seq, at, actor, action, subject, details))), lowercase.
// The canonical form length-prefixes every field ("<decimal length>:<bytes>;"), so no two
// different rows share an encoding.
std::string AuditHash(std::string_view prev_hash, int64_t seq, int64_t at, std::string_view actor,
                      std::string_view action, std::string_view subject, std::string_view details);

Status ValidateAuditEvent(const AuditEvent& e);

// One stored row, as read back for verification.
struct AuditRow {
  int64_t seq = 0;
  int64_t at = 0;
  std::string_view actor, action, subject, details, prev_hash, hash;
};

// Checks rows fed in seq order; the first failure sticks.
class AuditChainVerifier {
 public:
  // Ok if `r` continues the chain; otherwise "audit chain broken at seq N: ..." (Internal).
  Status Next(const AuditRow& r);
  int64_t rows_checked() const { return checked_; }

 private:
  int64_t checked_ = 0;
  int64_t last_seq_ = 0;
  std::string last_hash_{kAuditGenesisHash};
};

}  // namespace claimsca::store::internal
