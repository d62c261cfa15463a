#pragma once

// The audit trail's anchors (docs/audit.md): the audit signer (key "audit" beside the
// other CA keys, or in the token with PKCS#11; its public key in ca/audit.pub.pem), the
// checkpoint file (audit.checkpoint_file), `claimsca audit checkpoint|verify` and the
// checkpoint job of `serve` and `jobs run`.

#include <memory>

#include "cmd/app.h"
#include "crypto/signer.h"
#include "jobs/runner.h"

namespace claimsca::cmd {

// Opens the audit signer; creates its key and ca/audit.pub.pem on first use (under a lock
// file, so two processes make one). FailedPrecondition when ca/audit.pub.pem names
// another key.
Result<std::unique_ptr<crypto::Signer>> OpenAuditSigner(const Config& config);

// `claimsca audit checkpoint`: verifies the chain against the checkpoints and appends one
// for the current head. Exit code 0, 5 when the trail is broken (nothing written).
int RunAuditCheckpoint(App& app);

// `claimsca audit verify`: the chain and its checkpoints (signatures, links, every
// checkpointed row, no tail removed). Exit code 0 when intact, 5 when not.
int RunAuditVerify(App& app);

// Adds the job "audit-checkpoint" (when audit.checkpoint_interval_seconds > 0): due when
// the newest checkpoint is older than the interval (real time) and the chain grew. The
// signer is opened at its first run.
void AddAuditCheckpointJob(App& app, jobs::Runner& runner);

}  // namespace claimsca::cmd
