#pragma once

// Approval of a 資格確認限定型 application with its portal account, and the two letters
// mailed after it (docs/qualcheck.md "Approval and the letters"; seed 004 ②):
// - マイナ資格確認アプリ ユーザー設定情報: the settings and the account (user ID, the
//   temporary password of a {1, 2} application, 運用開始（予定）日 = the approval date,
//   申請台数, 職員数 …), one page per application;
// - オンライン資格確認（資格確認限定型）補助金に関する申請書: the subsidy form with blank
//   receipt rows per device (スマートフォン / タブレット / 汎用カードリーダー), the cap and the
//   deadline; one page per application.
// Printed in a daily batch like the issuance notices: two PDFs and a mailing list CSV.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/auth_service.h"
#include "crypto/sealed_box.h"
#include "qualcheck/applications.h"
#include "store/store.h"

namespace claimsca::qualcheck {

// Approves `id` (agreed) as `actor` at `at`. 申請区分 1: the portal account is created
// (kind institution, the form's code, account ID = the form's e-mail): {1} with the
// argon2id hash of the form's password; {1, 2} with a generated temporary password, sealed
// by `sealer` (bound to the id) until the letter is printed. 2 alone / 3: no account; the
// form's e-mail is recorded as the account the use belongs to. Conflict when the account
// exists already (for kind 1), or the application is not agreed.
Status ApproveWithAccount(ApplicationStore& apps, store::Store& store, auth::AuthService& auth,
                          const crypto::SealedBox& sealer, std::string_view id,
                          std::string_view actor, Instant at);

// Who sends the letters and where the clinic goes next.
struct LetterSender {
  std::string organisation;  // 社会保険診療報酬支払基金
  std::string postal_code;   // 7 digits
  std::string address;
  std::string portal_url;  // the portal (login, subsidy application)
};

// The subsidy terms printed on the form: from the subsidy configuration when there is
// one, else the seed's (3/4, at most 31,000 yen, 2025-01-15).
struct SubsidyTerms {
  int64_t cap_yen = 31000;
  std::string rate = "3/4";
  std::string deadline = "2025-01-15";  // 'YYYY-MM-DD' (JST)
};

struct Letter {
  Application app;
  store::RegisterEntry addressee;  // name, postal code, address (the register's)
  std::string temporary_password;  // {1, 2} only
};

Result<std::string> UserSettingsPdf(const std::vector<Letter>& letters, const LetterSender& sender,
                                    Date printed_on);
Result<std::string> SubsidyFormPdf(const std::vector<Letter>& letters, const LetterSender& sender,
                                   const SubsidyTerms& terms, Date printed_on);
// One row per letter (the settings PDF has one page per letter, in this order; the subsidy
// PDF one page per letter with subsidy_form 1, in the same order): page, postal_code,
// address, name, application_id, kinds, subsidy_form.
std::string LettersMailingCsv(const std::vector<Letter>& letters);

struct LettersBatch {
  std::string stamp;  // 'YYYYMMDD' of the printing day
  std::vector<std::string> files;
  size_t letters = 0;
};
// The daily batch: every approved application not printed yet, its temporary password
// opened, the three files written into `dir` (qualcheck-YYYYMMDD-settings.pdf,
// -subsidy.pdf, -mailing.csv, by `write`), then the applications marked printed and the
// sealed passwords erased. Nothing pending: no files, letters = 0.
Result<LettersBatch> PrintLetters(
    ApplicationStore& apps, store::Store& store, const crypto::SealedBox& sealer,
    const LetterSender& sender, const SubsidyTerms& terms, const std::string& dir, Instant at,
    const std::function<Status(const std::string& path, std::string_view data)>& write);

}  // namespace claimsca::qualcheck
