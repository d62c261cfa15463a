#include "domain/codes.h"

#include <string>

#include "domain/category.h"
#include "domain/prefecture.h"

namespace claimsca::domain {
namespace {

// Value of one payload character, or -1. Letters: A=10 … Z=32 without I, O, Q.
int CharValue(char c, bool allow_letters) {
  if (c >= '0' && c <= '9') return c - '0';
  if (!allow_letters || c < 'A' || c > 'Z' || c == 'I' || c == 'O' || c == 'Q') return -1;
  int v = 10 + (c - 'A');
  if (c > 'I') --v;
  if (c > 'O') --v;
  if (c > 'Q') --v;
  return v;
}

bool CheckDigitMatches(std::string_view payload, char check, bool allow_letters = false) {
  if (check < '0' || check > '9') return false;
  std::optional<int> want = CheckDigit21(payload, allow_letters);
  return want.has_value() && *want == check - '0';
}

}  // namespace

bool IsAsciiDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<int> CheckDigit21(std::string_view payload, bool allow_letters) {
  if (payload.empty()) return std::nullopt;
  int sum = 0;
  int weight = 2;
  for (auto it = payload.rbegin(); it != payload.rend(); ++it) {
    const int v = CharValue(*it, allow_letters);
    if (v < 0) return std::nullopt;
    const int product = v * weight;
    sum += product / 10 + product % 10;  // product <= 32 * 2 = 64: two decimal digits at most
    weight = 3 - weight;
  }
  return (10 - sum % 10) % 10;
}

bool FacilityCodeCheckDigitOk(std::string_view prefecture, std::string_view score_table,
                              std::string_view facility_code) {
  if (!IsValidPrefecture(prefecture) || !FindScoreTable(score_table).has_value()) return false;
  if (facility_code.size() != 7 || !IsAsciiDigits(facility_code)) return false;
  const std::string_view body = facility_code.substr(0, 6);
  const char check = facility_code[6];
  if (IsShortPayloadPrefecture(prefecture)) return CheckDigitMatches(body, check);
  std::string payload;
  payload.reserve(9);
  payload.append(prefecture).append(score_table).append(body);
  return CheckDigitMatches(payload, check);
}

bool InstitutionCodeOk(std::string_view institution_code) {
  if (institution_code.size() != 10) return false;
  return FacilityCodeCheckDigitOk(institution_code.substr(0, 2), institution_code.substr(2, 1),
                                  institution_code.substr(3));
}

namespace {

// The check digit a real code with this body would carry (the rule of
// FacilityCodeCheckDigitOk, including the 11–14 exception), or nullopt.
std::optional<int> RealFacilityCheckDigit(std::string_view prefecture, std::string_view score_table,
                                          std::string_view body) {
  if (!IsValidPrefecture(prefecture) || !FindScoreTable(score_table).has_value()) {
    return std::nullopt;
  }
  if (body.size() != 6 || !IsAsciiDigits(body)) return std::nullopt;
  if (IsShortPayloadPrefecture(prefecture)) return CheckDigit21(body);
  std::string payload;
  payload.append(prefecture).append(score_table).append(body);
  return CheckDigit21(payload);
}

}  // namespace

std::optional<std::string> MakeProvisionalFacilityCode(std::string_view prefecture,
                                                       std::string_view score_table, int serial) {
  if (serial < 1 || serial > 9999) return std::nullopt;
  std::string body = std::to_string(serial);
  body.insert(0, 4 - body.size(), '0');
  body.insert(0, "00");
  std::optional<int> real = RealFacilityCheckDigit(prefecture, score_table, body);
  if (!real.has_value()) return std::nullopt;
  body.push_back(static_cast<char>('0' + (*real + 5) % 10));
  return body;
}

bool ProvisionalFacilityCodeOk(std::string_view prefecture, std::string_view score_table,
                               std::string_view facility_code) {
  if (facility_code.size() != 7 || facility_code.substr(0, 2) != "00") return false;
  if (facility_code.substr(2, 4) == "0000") return false;
  std::optional<int> real =
      RealFacilityCheckDigit(prefecture, score_table, facility_code.substr(0, 6));
  const char check = facility_code[6];
  return real.has_value() && check >= '0' && check <= '9' && check - '0' == (*real + 5) % 10;
}

bool ProvisionalInstitutionCodeOk(std::string_view institution_code) {
  if (institution_code.size() != 10) return false;
  return ProvisionalFacilityCodeOk(institution_code.substr(0, 2), institution_code.substr(2, 1),
                                   institution_code.substr(3));
}

bool InsurerNumberOk(std::string_view insurer_number) {
  if (insurer_number.size() != 8 || !IsAsciiDigits(insurer_number)) return false;
  return CheckDigitMatches(insurer_number.substr(0, 7), insurer_number[7]);
}

bool NationalHealthInsuranceNumberOk(std::string_view insurer_number) {
  if (insurer_number.size() != 6 || !IsAsciiDigits(insurer_number)) return false;
  return CheckDigitMatches(insurer_number.substr(0, 5), insurer_number[5]);
}

bool CareOfficeNumberOk(std::string_view care_office_number) {
  const std::string_view n = care_office_number;
  if (n.size() != 10 || !IsValidPrefecture(n.substr(0, 2))) return false;
  if (CharValue(n[2], /*allow_letters=*/true) < 0) return false;
  if (!IsAsciiDigits(n.substr(3))) return false;
  if (CheckDigitMatches(n.substr(0, 9), n[9], /*allow_letters=*/true)) return true;
  return InstitutionCodeOk(n);
}

bool CheckupBodyNumberOk(std::string_view checkup_body_number) {
  return checkup_body_number.size() == 10 && IsAsciiDigits(checkup_body_number) &&
         IsValidPrefecture(checkup_body_number.substr(0, 2));
}

}  // namespace claimsca::domain
