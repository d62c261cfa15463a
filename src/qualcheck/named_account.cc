#include "qualcheck/named_account.h"

#include <algorithm>

#include "auth/auth_service.h"
#include "auth/password.h"

namespace claimsca::qualcheck {

Result<std::vector<domain::FieldError>> CheckNamedAccount(store::AccountStore& accounts,
                                                          const Form& f) {
  std::vector<domain::FieldError> errors;
  if (f.kind1) return errors;  // {1} / {1, 2}: the account is made at approval
  const std::string code = InstitutionCode(f);
  auto account = accounts.GetAccount(auth::AuthService::NormalizeAccountId(f.email));
  if (!account.ok() && account.status().code() != Code::kNotFound) return account.status();
  const bool fits = account.ok() && account->kind == "institution" && !account->disabled &&
                    std::find(account->institution_codes.begin(), account->institution_codes.end(),
                              code) != account->institution_codes.end();
  if (!fits) {
    errors.push_back(
        {"email", "no_account",
         "「メールアドレス」のポータルサイトのアカウント（この医療機関等のもの）が見つか"
         "りません。登録済みのアカウントのメールアドレスを入力してください（注1）。"});
    return errors;
  }
  if (!auth::VerifyPassword(account->password_hash, f.password)) {
    errors.push_back(
        {"password", "mismatch",
         "「パスワード」が、「メールアドレス」のポータルサイトのアカウントのパスワードと"
         "一致しません（注1）。"});
  }
  return errors;
}

}  // namespace claimsca::qualcheck
