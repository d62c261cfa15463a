#pragma once

// A valid form of the tests: 申請区分 2 for 0110113719 (DOMAIN.md §11), as a clinic fills it in.

#include "qualcheck/form.h"

namespace claimsca::qualcheck::testing {

inline Form ExampleForm() {
  Form f;
  f.kind2 = true;
  f.contact_name = "山田 花子";
  f.prefecture = "01";
  f.score_table = "1";
  f.facility_code = "0113719";
  f.name = "山田医院";
  f.founder_name = "山田 太郎";
  f.phone = "011-123-4567";
  f.email = "yamada@example.jp";
  f.password = "abc12345";
  f.bank_last4 = "7316";
  f.staff_count = "3";
  f.devices = "2";
  return f;
}

}  // namespace claimsca::qualcheck::testing
