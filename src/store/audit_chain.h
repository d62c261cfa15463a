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

// One audit row as AuditBySubject returns it, from the columns seq, at, actor, action,
// subject, details of either back end's Row (sqlite_rows.h, pg_rows.h).
template <class Row>
Result<AuditEntry> ReadAuditEntry(const Row& r) {
  AuditEntry e;
  ASSIGN_OR_RETURN(e.seq, r.Int(0));
  ASSIGN_OR_RETURN(int64_t at, r.Int(1));
  e.at = Instant(std::chrono::seconds(at));
  e.actor = r.Text(2);
  e.action = r.Text(3);
  e.subject = r.Text(4);
  e.details = r.Text(5);
  return e;
}

}  // namespace claimsca::store::internal
