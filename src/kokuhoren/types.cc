#include "kokuhoren/types.h"

#include <cctype>

namespace claimsca::kokuhoren {

bool IsUserId(std::string_view s) {
  if (s.size() != 2 + kUserIdDigits) return false;
  if (std::toupper(static_cast<unsigned char>(s[0])) != 'K' ||
      std::toupper(static_cast<unsigned char>(s[1])) != 'J') {
    return false;
  }
  for (char c : s.substr(2)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string DisplayUserId(std::string_view account_id) {
  std::string out(account_id);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string AccountIdOf(std::string_view user_id) {
  std::string out(user_id);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Name(UsageCategory u) {
  return u == UsageCategory::kCareInsurance ? "care_insurance" : "care_and_disability";
}
std::string_view JapaneseName(UsageCategory u) {
  return u == UsageCategory::kCareInsurance ? "介護保険証明書" : "介護・障害共通証明書";
}
std::optional<UsageCategory> ParseUsageCategory(std::string_view name) {
  if (name == "care_insurance") return UsageCategory::kCareInsurance;
  if (name == "care_and_disability") return UsageCategory::kCareAndDisability;
  return std::nullopt;
}

std::string_view Name(PaymentMethod m) {
  return m == PaymentMethod::kOffset ? "offset" : "transfer";
}
std::string_view JapaneseName(PaymentMethod m) {
  return m == PaymentMethod::kOffset ? "相殺" : "振込";
}
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view name) {
  if (name == "offset") return PaymentMethod::kOffset;
  if (name == "transfer") return PaymentMethod::kTransfer;
  return std::nullopt;
}

std::string_view Name(ValidityStart v) {
  return v == ValidityStart::kContinue ? "continue" : "from_issuance";
}
std::optional<ValidityStart> ParseValidityStart(std::string_view name) {
  if (name == "continue") return ValidityStart::kContinue;
  if (name == "from_issuance") return ValidityStart::kFromIssuance;
  return std::nullopt;
}

}  // namespace claimsca::kokuhoren
