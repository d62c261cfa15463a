#include "kokuhoren/offices_csv.h"

#include <set>
#include <string>

#include "domain/codes.h"
#include "store/register_csv.h"

namespace claimsca::kokuhoren {

Result<std::vector<Office>> ParseOfficesCsv(std::string_view text) {
  std::vector<Office> out;
  std::set<std::string> seen;
  store::CsvErrors errors;
  store::ForEachCsvRow(
      text, kOfficesCsvHeader, 5, errors,
      [&](int64_t line, std::string_view, std::vector<std::string>& f) {
        Office o;
        o.care_office_number = Accounts::NormalizeCareOfficeNumber(f[0]);
        o.name = f[1];
        o.postal_code = f[2];
        o.address = f[3];
        o.email = f[4];
        bool ok = true;
        if (!domain::CareOfficeNumberOk(o.care_office_number)) {
          errors.Add(line, "care_office_number", "invalid");
          ok = false;
        } else if (!seen.insert(o.care_office_number).second) {
          errors.Add(line, "care_office_number", "duplicate");
          ok = false;
        }
        if (o.name.empty()) {
          errors.Add(line, "name", "required");
          ok = false;
        }
        std::string digits;
        for (char c : o.postal_code) {
          if (c != '-') digits += c;
        }
        if (!digits.empty() && (digits.size() != 7 || !domain::IsAsciiDigits(digits))) {
          errors.Add(line, "postal_code", "not_7_digits");
          ok = false;
        }
        if (ok) out.push_back(std::move(o));
      });
  RETURN_IF_ERROR(errors.ToStatus("offices csv"));
  return out;
}

Result<std::vector<std::string>> ParseOfficeNumbers(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  const auto flush = [&]() -> Status {
    if (cur.empty()) return Status::Ok();
    std::string n = Accounts::NormalizeCareOfficeNumber(cur);
    cur.clear();
    if (!domain::CareOfficeNumberOk(n)) return InvalidArgument("office number " + n + ": invalid");
    out.push_back(std::move(n));
    return Status::Ok();
  };
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == ',' || c == ' ' || c == '\t') {
      RETURN_IF_ERROR(flush());
    } else {
      cur += c;
    }
  }
  RETURN_IF_ERROR(flush());
  if (out.empty()) return InvalidArgument("office numbers: none given");
  return out;
}

}  // namespace claimsca::kokuhoren
