#pragma once

// 証明書有効期限切れ事前通知 (docs/kokuhoren.md; DOMAIN.md §5; seed 001 Q10): when a
// kokuhoren certificate enters its renewal window (3 calendar months before its end), one
// message in the applicant's inbox (お知らせ / 連絡文書) and, where the account has an
// e-mail address, one e-mail. A certificate already followed by a later one of the same
// office (renewed) is not noticed. The job's progress is the kj_expiry_notices row, written
// with the audit row and the e-mail (the outbox) in one transaction after the inbox post;
// the inbox post is keyed too ("kj-expiry:<application id>"), so a run cut short posts
// nothing twice.

#include <string>
#include <vector>

#include "ca/program.h"
#include "common/clock.h"
#include "kokuhoren/applications.h"
#include "kokuhoren/applications_accounts.h"
#include "mail/outbox.h"

namespace claimsca::kokuhoren {

inline constexpr std::string_view kExpiryNoticeTitle = "証明書有効期限切れ事前通知";

// The message of the notice for `a` (office or agent wording).
std::string ExpiryNoticeBody(const CertApplication& a);

struct ExpiryNoticeReport {
  int noticed = 0;
  int emailed = 0;
  std::vector<std::string> ids;  // the applications noticed, in order
};

// `composer` may be null (no e-mail). Everything referenced must outlive it.
class ExpiryNotices {
 public:
  ExpiryNotices(store::Store& store, KjAccounts& accounts, const ca::ProgramProfile& program,
                const mail::Composer* composer);
  // Notices every certificate whose window has opened at `now` and not been noticed.
  Result<ExpiryNoticeReport> Run(Instant now);

 private:
  store::Store& store_;
  KjAccounts& accounts_;
  const ca::ProgramProfile& program_;
  const mail::Composer* composer_;
};

}  // namespace claimsca::kokuhoren
