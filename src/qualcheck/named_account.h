#pragma once

// 注1 of the paper form: for 申請区分 2 alone and 3, the e-mail address and the password name
// the portal account already registered (登録情報) that the app use belongs to. The form's
// password must be that account's: checked here against the account's argon2id hash
// (docs/qualcheck.md "The named portal account").

#include <vector>

#include "common/status.h"
#include "qualcheck/form.h"
#include "store/store.h"

namespace claimsca::qualcheck {

// The field errors of a form whose named account does not fit (none for {1} and {1, 2},
// which name no existing account):
//   email    no_account  no enabled institution account with that ID holds the form's code;
//   password mismatch    the password is not that account's.
// An error only when the store fails.
Result<std::vector<domain::FieldError>> CheckNamedAccount(store::AccountStore& accounts,
                                                          const Form& normalized);

}  // namespace claimsca::qualcheck
