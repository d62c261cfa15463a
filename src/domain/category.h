#pragma once

// 分類 (category) and 点数表 (score_table): who applies for a certificate, which code
// identifies them, and how they may pay (DOMAIN.md §1 and §7, seed 000 §2.1 and §7).
// Pure data and lookups; no I/O.

#include <optional>
#include <span>
#include <string_view>

namespace claimsca::domain {

// Which code the application form's code field holds for a category.
enum class CodeField {
  kFacilityCode,  // 医療機関コード / 薬局コード etc.: 7 digits, last one a check digit
  kCheckupBodyNumber,  // 特定健診機関番号 (機関番号): 10 digits
  kInsurerNumber,      // 保険者番号: 8 digits
};

// Which of the two application forms a category uses.
enum class FormKind {
  kInstitution,  // 「医療機関等」: category, prefecture, score_table, facility_code, …
  kInsurer,      // 「医療保険者等」: category 7, insurer_number, insurer_name, …
};

// 診療報酬からの控除 / 払込請求書 (DOMAIN.md §7).
enum class BillingMethod {
  kDeduction,  // deducted from the 診療(調剤)報酬 payment
  kInvoice,    // 払込請求書, paid by bank transfer
};

struct Category {
  std::string_view code;      // "1"–"8", "n", "s" (lower case)
  std::string_view label_ja;  // "保険医療機関（医科）", as on the seed's form
  // The 点数表 this category must be filed with ("1", "3", "4", "6", "7"); empty for
  // 6 特健機関 and 7 保険者, which have none.
  std::string_view score_table;
  CodeField code_field;
  FormKind form;
  bool deduction_allowed;  // false: invoice only (職域診療所, 特健機関, 保険者)
};

struct ScoreTable {
  std::string_view code;      // "1", "3", "4", "6", "7"
  std::string_view label_ja;  // "医療機関（医科）", as on the seed's form
};

// The ten categories in the order of DOMAIN.md §1 (1, 2, 3, 4, 5, 8, 6, n, s, 7). Static
// storage, valid for the life of the program.
std::span<const Category> AllCategories();

// The category whose code is exactly `code` (case-sensitive: "n", not "N"), or nullopt.
std::optional<Category> FindCategory(std::string_view code);

// The five score tables (1, 3, 4, 6, 7) in that order. Static storage.
std::span<const ScoreTable> AllScoreTables();

// The score table whose code is exactly `code`, or nullopt.
std::optional<ScoreTable> FindScoreTable(std::string_view code);

// True iff `method` is allowed for `category`: invoice always, deduction only where
// Category::deduction_allowed.
bool IsBillingMethodAllowed(const Category& category, BillingMethod method);

// Stable API name of a billing method: "deduction" or "invoice" (glossary, DOMAIN.md §13).
std::string_view BillingMethodName(BillingMethod method);

// Parses "deduction" / "invoice"; nullopt for anything else.
std::optional<BillingMethod> ParseBillingMethod(std::string_view name);

}  // namespace claimsca::domain
