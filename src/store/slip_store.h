#pragma once

// Cancelling an automatically approved application before its notice is printed (issue 24
// point 3, docs/portal.md "A slip costs nothing"). With automatic review an application is
// approved, its certificate signed and its fee charged at once; its download password then
// exists only sealed, until the notice batch prints it and erases the sealed copy. Until
// then nobody can download or use the certificate, so a mistaken application can still be
// withdrawn without a cost: the certificate is revoked and the fee cancelled by a credit
// note (the ledger stays append-only).

#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca::store {

struct AuditEvent;

// The message of the FailedPrecondition when the notice batch has taken the application
// (or its certificate was downloaded): the caller tells the applicant to revoke instead.
inline constexpr std::string_view kNoticeTaken = "notice_taken";

// Thread-safe like the rest of the store.
class SlipStore {
 public:
  virtual ~SlipStore() = default;
  // ONE transaction: the issued application `request_id` whose sealed download password is
  // still held (the notice batch has not taken it) and that was never downloaded becomes
  // cancelled (cancelled_at = at); its certificate is revoked (`reason`, at `at`); the
  // sealed password and the CMP secret are erased (so a batch running at the same time
  // fails its commit for this row and prints again without it); every charge of the
  // certificate not cancelled yet is cancelled by a credit note dated `at` (JST), billed in
  // the later of the charge's month and the next month; `audit` (and its mail) appended.
  // NotFound if absent; FailedPrecondition with message kNoticeTaken when the sealed
  // password is gone or it was downloaded; FailedPrecondition naming the state unless issued.
  virtual Status CancelBeforeNotice(std::string_view request_id, std::string_view by, Instant at,
                                    int reason, const AuditEvent& audit) = 0;
};

}  // namespace claimsca::store
