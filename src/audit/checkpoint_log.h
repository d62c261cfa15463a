#pragma once

// The append-only file of audit checkpoints (docs/audit.md), one line each (checkpoint.h).
// Appends take an exclusive flock on the file (processes of one host serialise), read the
// last line for the link, and write the new line with one write(2) on an O_APPEND
// descriptor followed by fsync. A line torn by a crash (no final newline) is cut off by the
// next append and reported by ReadVerified.
//
// Thread-safety: the object holds only the path; concurrent calls are serialised by the lock.

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <vector>

#include "audit/checkpoint.h"
#include "common/status.h"
#include "crypto/signer.h"

namespace claimsca::audit {

struct CheckpointFile {
  std::vector<Checkpoint> checkpoints;  // in file order, every one verified
  bool torn_last_line = false;          // a final line without newline was ignored
};

class CheckpointLog {
 public:
  explicit CheckpointLog(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // Every line checked: its form, its signature by `public_key`, its link to the line
  // before, and seq never decreasing. A missing file reads as empty. Internal
  // "checkpoint file <path> line N: <why>" for the first line that fails.
  Result<CheckpointFile> ReadVerified(EVP_PKEY* public_key) const;

  // The last complete line, parsed but not verified (for the interval); nullopt if none.
  Result<std::optional<Checkpoint>> Last() const;

  // Links `c` to the last line (c.prev), signs it with `signer` and appends it. Creates
  // the file (mode 0644) and its directory when missing. Returns the line as written.
  Result<Checkpoint> Append(Checkpoint c, const crypto::Signer& signer);

 private:
  std::string path_;
};

}  // namespace claimsca::audit
