#pragma once

// A slip must not cost money (issue 24 point 3; docs/portal.md "A slip costs nothing").
// With automatic review an application is approved at once: the certificate is signed and
// the fee charged, but the download password exists only sealed until the daily notice
// batch prints it. Until the batch has taken the application, the applicant may still
// cancel it free of charge: the certificate (never usable: nobody knows its password) is
// revoked and the fee cancelled by a credit note. Afterwards only revocation is possible,
// and the fee stays (DOMAIN.md §7: charged on approval, downloaded or not).
//
// A pending application is cancelled as before (RegistrationAuthority::Cancel). Thread-safe.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "ra/registration_authority.h"
#include "store/slip_store.h"

namespace claimsca::ra {

class SlipCancellation {
 public:
  // `notice_batch_minute`: the notice batch's daily time (minutes after 00:00 JST, config
  // jobs.notice_batch_at). `audit_log` may be empty. Everything must outlive this object.
  SlipCancellation(RegistrationAuthority& ra, store::SlipStore& store, const Clock& clock,
                   int notice_batch_minute,
                   std::function<void(const store::AuditEvent&)> audit_log = {});

  // Whether `a` may still be cancelled free of charge: issued, its notice not taken by the
  // batch (sealed password held) and never downloaded.
  static bool FreeCancellable(const store::ApplicationRecord& a);

  // The time the next notice batch runs after `a` was issued: the end of the free window as
  // the clinic is told it ("YYYY/MM/DD HH:MM" JST). nullopt unless FreeCancellable(a). An
  // operator may print earlier by hand, which is why the pages say "発行通知書の作成まで".
  std::optional<Instant> FreeUntil(const store::ApplicationRecord& a) const;

  // Cancels `request_id` for `caller` (own codes, kCancel): pending → RegistrationAuthority::
  // Cancel; issued and FreeCancellable → SlipStore::CancelBeforeNotice (certificate revoked
  // cessationOfOperation, fee credited). FailedPrecondition "notice_taken" (store::
  // kNoticeTaken) when the batch took it or it was downloaded; NotFound for another's.
  Status Cancel(const Caller& caller, std::string_view request_id);

 private:
  RegistrationAuthority& ra_;
  store::SlipStore& store_;
  const Clock& clock_;
  int notice_batch_minute_;
  std::function<void(const store::AuditEvent&)> audit_log_;
};

}  // namespace claimsca::ra
