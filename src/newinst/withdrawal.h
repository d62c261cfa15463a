#pragma once

// Not designated (指定なし; DOMAIN.md §9, docs/newinst.md "Not designated"): the clinic
// (permission newinst_present on its own codes) or an operator (newinst_manage) names the
// 仮コード or the 受付番号, and everything set up on the clinic's provisional numbers is
// withdrawn in one operation:
//   1. every active certificate on them revoked, reason cessationOfOperation (5: the
//      clinic does not operate on that number; nothing was compromised);
//   2. every pending application on them cancelled;
//   3. every charge on them cancelled by credit notes in the common ledger
//   (billing/credit_notes.h);
//   4. every institution account holding no other code disabled (closed);
//   5. the newinst row → withdrawn (withdrawn_at, withdrawn_by), audited
//      "newinst.withdraw" with the clinic's mail (newinst_withdrawn) in the same transaction.
// Steps 1–4 are idempotent and run before 5, so a withdrawal interrupted half-way is
// completed by running it again; a withdrawn row answers `already` and changes nothing.
// A designated row is refused (FailedPrecondition): its codes are real now.

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "mail/outbox.h"
#include "ra/registration_authority.h"
#include "store/store.h"

namespace claimsca::newinst {

struct WithdrawalReport {
  std::string provisional_code;
  std::string reception_number;  // empty when none was presented
  bool already = false;          // the row was withdrawn before: nothing done
  std::vector<std::string> revoked_serials;
  std::vector<std::string> cancelled_requests;
  std::vector<std::string> closed_accounts;
  int64_t credited_yen = 0;
};

// Everything referenced must outlive the object. `mail` may be null (no mail).
class Withdrawal {
 public:
  Withdrawal(store::Store& store, ra::RegistrationAuthority& ra, const mail::Composer* mail,
             const Clock& clock)
      : store_(store), ra_(ra), mail_(mail), clock_(clock) {}

  // `code` = the 仮コード or the 受付番号. NotFound for an unknown code (and for a clinic
  // naming a code not its own), Forbidden without the permission.
  Result<WithdrawalReport> Withdraw(const ra::Caller& caller, std::string_view code);

 private:
  store::Store& store_;
  ra::RegistrationAuthority& ra_;
  const mail::Composer* mail_;
  const Clock& clock_;
};

}  // namespace claimsca::newinst
