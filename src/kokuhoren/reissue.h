#pragma once

// 証明書発行用パスワードの再発行 (seed 002 Q3; docs/kokuhoren.md "Offices, agents and
// accounts"): a new generation of the account's issuance password, its notice
// 証明書発行用パスワード通知書.pdf encrypted with the account's LOGIN password
// (sealed_notice.h, qpdf) inside 証明書発行用パスワード通知書.zip (libzip), posted to the
// account's inbox. Certificates applied for with an older generation can no longer be
// installed (kjcert checks the generation).
//
// Thread-safety: as Accounts.

#include <cstdint>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "kokuhoren/accounts.h"
#include "kokuhoren/notice_pdf.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::kokuhoren {

inline constexpr char kReissueNoticeTitle[] = "証明書発行用パスワード通知書";
inline constexpr char kReissueZipName[] = "証明書発行用パスワード通知書.zip";
inline constexpr char kReissuePdfName[] = "証明書発行用パスワード通知書.pdf";

struct Reissue {
  int64_t generation = 0;  // the new one
  int64_t message_id = 0;  // the inbox message holding the ZIP
};

// Re-issues the issuance password of `account_id` ("KJ…" or "kj…"). `login_password` is
// the account's login password, typed again on the re-issue page: checked as a login
// (wrong: Unauthorized, counting towards the lock; locked: RateLimited) and used as the
// PDF's password (never stored). ONE transaction: the new generation, the inbox message
// (dedupe key "issuance_password:<account>:<generation>") and the audit event
// "kokuhoren.issuance_password.reissue" by self:<account>.
Result<Reissue> ReissueIssuancePassword(store::Store& store, Accounts& accounts, const Clock& clock,
                                        const NoticeSender& sender, std::string_view account_id,
                                        std::string_view login_password);

}  // namespace claimsca::kokuhoren
