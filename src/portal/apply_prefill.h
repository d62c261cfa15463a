#pragma once

// The application form pre-filled from the account's institution (issue 24 point 4;
// docs/portal.md "The application form"): 分類, 都道府県, 点数表, the code and the name as the
// register knows them, and only the categories that fit the code. Internal to
// claimsca_portal.

#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.h"
#include "ra/registration_authority.h"
#include "store/store.h"

namespace claimsca::portal {

struct Prefill {
  ra::ApplicationForm form;             // applicant_kind and the code fields filled
  std::vector<std::string> categories;  // the 分類 offered on the institution form
  std::vector<std::string> codes;       // every code of the account (a chooser when > 1)
  std::string code;                     // the one chosen
};

// The categories that fit the 10-digit `code`: the register's category when it knows the
// code; otherwise every institution category whose 点数表 is the code's third digit (and
// 6 特健機関 when no category has that 点数表). Empty for anything else.
std::vector<std::string> CategoriesFor(std::string_view code, std::string_view register_category);

// The form for `principal`'s code `wanted` (its first code when `wanted` is not one of
// them). `reg` may be null (no name, categories from the code alone). An account without
// codes gets an empty institution form.
Prefill PrefillFor(const auth::Principal& principal, store::RegisterReader* reg,
                   std::string_view wanted);

// Every category offered to `principal` (the union over its codes); empty = no account
// (the network channel): every category.
std::vector<std::string> AllowedCategories(const auth::Principal& principal,
                                           store::RegisterReader* reg);

// The form as it will be stored (domain::Normalize: codes and the phone number folded, the
// written phone forms brought to digits and hyphens), so that the confirmation shows what
// was understood, not only what was typed. Free text is left as typed.
ra::ApplicationForm NormalizedForm(ra::ApplicationForm form);

}  // namespace claimsca::portal
