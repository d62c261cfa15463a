#pragma once

// Reading the audit chain for its anchors outside the database (docs/audit.md): the
// checkpoints sign the head; verification walks the chain and compares it with them.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace claimsca::store {

// The newest row of the chain: seq 0 and the genesis hash when the chain is empty.
struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

class AuditChainReader {
 public:
  virtual ~AuditChainReader() = default;
  // Reads the newest row's seq and stored hash (not verified: Walk does that).
  virtual Result<AuditHead> AuditChainHead() = 0;
  // Verifies the whole chain in one snapshot, like AuditWriter::VerifyAuditChain, and calls
  // `on_row(seq, hash)` for every row found intact, in seq order, before the next is read.
  // `rows_checked` (may be null) receives the number of intact rows, also on failure.
  virtual Status WalkAuditChain(const std::function<void(int64_t, std::string_view)>& on_row,
                                int64_t* rows_checked) = 0;
};

}  // namespace claimsca::store
