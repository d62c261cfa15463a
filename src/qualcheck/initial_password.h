#pragma once

// The temporary password of a portal account made by an approved {1, 2} application
// (docs/qualcheck.md "The temporary password"): printed on the ユーザー設定情報 letter, it must
// be changed at the first login. ApplicationStore::Approve records the requirement
// (qc_initial_passwords, migration 087) in the approval's transaction; the portal's login
// asks MustChange and shows the 初回パスワード変更 screen; Done ends the requirement once the
// account holds a password of its own.

#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace claimsca::qualcheck {

class InitialPasswords {
 public:
  explicit InitialPasswords(store::Store& store) : store_(store) {}
  // Whether `account_id` (normalised) still holds the letter's temporary password.
  Result<bool> MustChange(std::string_view account_id);
  // The holder set a password of their own: the requirement ends (no-op when none).
  Status Done(std::string_view account_id);

 private:
  store::Store& store_;
};

}  // namespace claimsca::qualcheck
