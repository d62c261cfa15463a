#pragma once

// The help the pages link to (docs/portal.md "Help"): the documents the operator
// configures ([guide] cps_url, manual_url) and the お問い合わせ contact ([contact]).

#include <string>

namespace claimsca::portal {

struct HelpPages {
  // The CP/CPS and the user manual; "" = our page says where the operator sets it.
  std::string cps_url;
  std::string manual_url;
  // The manual printed on the notice ([notice] manual_url), shown when manual_url is "".
  std::string notice_manual_url;
  // The お問い合わせ page; "" fields are not shown (none at all: a sentence says so).
  std::string contact_name;
  std::string contact_phone;
  std::string contact_hours;
  std::string contact_email;
};

}  // namespace claimsca::portal
