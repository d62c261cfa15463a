#pragma once

// The audit chain checked against its signed checkpoints, and checkpoints written
// (docs/audit.md).

#include <openssl/evp.h>

#include <chrono>
#include <optional>

#include "audit/checkpoint_log.h"
#include "common/clock.h"
#include "crypto/signer.h"
#include "store/audit_anchor.h"

namespace claimsca::audit {

struct AnchoredReport {
  int64_t rows = 0;         // rows of the chain, every one intact
  int64_t checkpoints = 0;  // checkpoints verified and matched
  std::optional<Checkpoint> newest;
  int64_t unanchored = 0;  // rows after the newest checkpoint (not protected yet)
  bool torn_last_line = false;
};

// Verifies the checkpoint file (signatures by `public_key`, links), then walks the chain
// and compares every checkpointed row's hash. Internal, with the reason:
//   "checkpoint file <path> line N: …"                     the file was edited or forged
//   "audit chain broken at seq N: …"                       a row altered, removed, moved
//   "audit row seq N differs from the checkpoint signed …"  the chain was rewritten
//   "audit trail truncated: …"                              rows after a checkpoint removed
Result<AnchoredReport> VerifyAnchored(store::AuditChainReader& chain, const CheckpointLog& log,
                                      EVP_PKEY* public_key);

// Verifies (as VerifyAnchored: a broken or rewritten chain is never anchored) and appends
// a checkpoint of the current head, signed by `signer` (whose public key is `public_key`),
// dated by `wall` (the real clock).
Result<Checkpoint> WriteCheckpoint(store::AuditChainReader& chain, CheckpointLog& log,
                                   const crypto::Signer& signer, EVP_PKEY* public_key,
                                   const Clock& wall);

// Whether the checkpoint job should run: no checkpoint yet, or the newest is at least
// `interval` old by `wall` (or dated in its future) and the chain has grown since.
Result<bool> CheckpointDue(store::AuditChainReader& chain, const CheckpointLog& log,
                           const Clock& wall, std::chrono::seconds interval);

}  // namespace claimsca::audit
