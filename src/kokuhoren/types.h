#pragma once

// The words of the 国保連 電子請求受付システム program (DOMAIN.md §5, §7, §8; seeds 001,
// 002) shared by its parts: accounts and offices, certificate applications, fees, pages.
// docs/kokuhoren.md describes the program as its users see it.

#include <optional>
#include <string>
#include <string_view>

namespace claimsca::kokuhoren {

// The program profile id (ca::ProgramProfile, [programs.kokuhoren], the tariff).
inline constexpr std::string_view kProgram = "kokuhoren";

// Account kinds in the accounts table (auth): an office (事業所, its own claims) and an
// agent (代理人請求: one login acting for many offices).
inline constexpr std::string_view kOfficeKind = "kj_office";
inline constexpr std::string_view kAgentKind = "kj_agent";

// User IDs are "KJ" + 8 digits, issued by the system. Shown and printed in upper case;
// stored in the accounts table in its normal form (lower case, "kj12345678").
inline constexpr size_t kUserIdDigits = 8;
// True for "KJ" / "kj" + kUserIdDigits ASCII digits.
bool IsUserId(std::string_view s);
// "kj12345678" -> "KJ12345678" (display); "KJ12345678" -> "kj12345678" (account ID).
std::string DisplayUserId(std::string_view account_id);
std::string AccountIdOf(std::string_view user_id);

// 証明書利用区分 (agents only; an office's own certificate is 介護保険証明書).
enum class UsageCategory { kCareInsurance, kCareAndDisability };
std::string_view Name(UsageCategory u);          // "care_insurance" | "care_and_disability"
std::string_view JapaneseName(UsageCategory u);  // 介護保険証明書 | 介護・障害共通証明書
std::optional<UsageCategory> ParseUsageCategory(std::string_view name);

// 支払方法: 相殺 (offset against the benefits the 国保連 pays an office) or 振込 (transfer;
// the certificate is issued once the payment is confirmed). An office applying for itself
// pays by offset against its own benefits.
enum class PaymentMethod { kOffset, kTransfer };
std::string_view Name(PaymentMethod m);          // "offset" | "transfer"
std::string_view JapaneseName(PaymentMethod m);  // 相殺 | 振込
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view name);

// 有効期間選択: continue from the current certificate's end (「○年○月○日から有効な証明書」)
// or valid from issuance.
enum class ValidityStart { kContinue, kFromIssuance };
std::string_view Name(ValidityStart v);  // "continue" | "from_issuance"
std::optional<ValidityStart> ParseValidityStart(std::string_view name);

}  // namespace claimsca::kokuhoren
