#pragma once

// The superseded revocation after the re-issue on the real code (docs/newinst.md,
// "Certificates on the real code"). A certificate on a 仮コード or 受付番号 of a designated
// clinic that has been re-issued on the real code is revoked, reason superseded:
// - at once when the new certificate is confirmed (the renewal engine does it:
//   RegistrationAuthority::ConfirmRenewal), or at this job's next run when it was confirmed;
// - when still unconfirmed, once `grace_days` ([newinst] reissue_grace_days, 30) have
//   passed since the re-issue.
// A certificate not re-issued yet stays valid (its holder may re-issue at any time).
// Idempotent: a revoked certificate is skipped. Each revocation is audited
// "certificate.revoke" by "system:newinst-supersede".

#include <string>
#include <vector>

#include "common/clock.h"
#include "store/store.h"

namespace claimsca::newinst {

struct SupersedeReport {
  std::vector<std::string> revoked;  // serials revoked by this run
  int waiting = 0;                   // re-issued, unconfirmed, inside the grace period
  int not_reissued = 0;              // current certificates still on the old code
};

// Runs once at `now` (the job's instant, `--at`). `grace_days` ≥ 0.
Result<SupersedeReport> SupersedeReplaced(store::Store& store, Instant now, int grace_days);

}  // namespace claimsca::newinst
