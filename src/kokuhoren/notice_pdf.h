#pragma once

// The 国保連 program's notices as A4 PDF (pdf::Document; docs/kokuhoren.md "Offices,
// agents and accounts"):
// - 電子請求登録結果に関するお知らせ (an office) and 代理人申請登録結果に関するお知らせ (an
//   agent): user ID, temporary password, 証明書発行用パスワード; one page per registration,
//   many to one PDF (a batch: `claimsca kokuhoren office import` prints one file);
// - 証明書発行用パスワード通知書: the re-issued issuance password (reissue.h encrypts it).
//
// Pure and deterministic: the same input gives the same bytes (the creation date is the
// notice's date). Thread-safe (each call has its own document).

#include <string>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "kokuhoren/accounts.h"

namespace claimsca::kokuhoren {

// Who sends the notices (the 国保連; [notice] sender_* of the configuration).
struct NoticeSender {
  std::string organisation;  // e.g. "東京都国民健康保険団体連合会"
  std::string postal_code;   // 7 digits or empty
  std::string address;
  std::string login_url;  // the 電子請求受付システム's address, printed for the first login
};

// The title of a registration's notice: 電子請求登録結果に関するお知らせ for an office,
// 代理人申請登録結果に関するお知らせ for an agent; 仮パスワード再発行のお知らせ for a login
// password reset (a Registration without issuance password: Accounts::ResetLoginPassword).
std::string RegistrationNoticeTitle(const Registration& r);

// One page per registration, in order. InvalidArgument for an empty list. An agent's
// offices are listed on its page (several columns; beyond what fits, "ほか N 事業所").
Result<std::string> RegistrationNoticesPdf(const std::vector<Registration>& registrations,
                                           const NoticeSender& sender, Date printed_on);

// 証明書発行用パスワード通知書 of a re-issue.
struct PasswordNotice {
  std::string user_id;  // "KJ12345678"
  std::string name;     // the office's or agent's name
  std::string issuance_password;
  int64_t generation = 0;
  Date issued_on;
};
Result<std::string> IssuancePasswordNoticePdf(const PasswordNotice& notice,
                                              const NoticeSender& sender);

}  // namespace claimsca::kokuhoren
