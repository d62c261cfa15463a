// Checks shared by both back ends' register import (store/internal.h).

#include <string>
#include <unordered_set>

#include "store/internal.h"

namespace claimsca::store::internal {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Status ValidateRegisterImport(const std::vector<RegisterEntry>& rows, std::string_view source,
                              std::string_view imported_by) {
  if (rows.empty()) return InvalidArgument("import register: no rows");
  if (source.empty()) return InvalidArgument("import register: empty source");
  if (imported_by.empty()) return InvalidArgument("import register: empty imported_by");
  std::unordered_set<std::string_view> seen;
  seen.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const RegisterEntry& e = rows[i];
    const std::string where = "import register: row " + std::to_string(i + 1) + " (" +
                              e.institution_code.substr(0, 16) + "): ";
    const size_t n = e.institution_code.size();
    if ((n != 8 && n != 10) || !AllDigits(e.institution_code)) {
      return InvalidArgument(where + "institution_code must be 8 or 10 ASCII digits");
    }
    if (!seen.insert(e.institution_code).second) {
      return InvalidArgument(where + "institution_code given twice");
    }
    if (e.postal_code.size() != 7 || !AllDigits(e.postal_code)) {
      return InvalidArgument(where + "postal_code must be 7 ASCII digits");
    }
    if (e.name.empty()) return InvalidArgument(where + "empty name");
    if (e.address.empty()) return InvalidArgument(where + "empty address");
    if (e.category.empty()) return InvalidArgument(where + "empty category");
    if (e.billing_method != "deduction" && e.billing_method != "invoice") {
      return InvalidArgument(where + "billing_method must be \"deduction\" or \"invoice\"");
    }
  }
  return Status::Ok();
}

}  // namespace claimsca::store::internal
