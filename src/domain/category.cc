#include "domain/category.h"

#include <array>

namespace claimsca::domain {
namespace {

constexpr CodeField kFacility = CodeField::kFacilityCode;
constexpr FormKind kInst = FormKind::kInstitution;

constexpr std::array<Category, 10> kCategories = {{
    {"1", "保険医療機関（医科）", "1", kFacility, kInst, true},
    {"2", "保険医療機関（歯科）", "3", kFacility, kInst, true},
    {"3", "保険薬局（調剤）", "4", kFacility, kInst, true},
    {"4", "請求事務代行者（医科）", "1", kFacility, kInst, true},
    {"5", "請求事務代行者（歯科）", "3", kFacility, kInst, true},
    {"8", "請求事務代行者（調剤）", "4", kFacility, kInst, true},
    {"6", "特健機関", "", CodeField::kCheckupBodyNumber, kInst, false},
    {"n", "訪問看護", "6", kFacility, kInst, true},
    {"s", "職域診療所", "7", kFacility, kInst, false},
    {"7", "保険者", "", CodeField::kInsurerNumber, FormKind::kInsurer, false},
}};

constexpr std::array<ScoreTable, 5> kScoreTables = {{
    {"1", "医療機関（医科）"},
    {"3", "医療機関（歯科）"},
    {"4", "薬局"},
    {"6", "訪問看護"},
    {"7", "職域診療所"},
}};

}  // namespace

std::span<const Category> AllCategories() { return kCategories; }

std::optional<Category> FindCategory(std::string_view code) {
  for (const auto& c : kCategories) {
    if (c.code == code) return c;
  }
  return std::nullopt;
}

std::span<const ScoreTable> AllScoreTables() { return kScoreTables; }

std::optional<ScoreTable> FindScoreTable(std::string_view code) {
  for (const auto& s : kScoreTables) {
    if (s.code == code) return s;
  }
  return std::nullopt;
}

bool IsBillingMethodAllowed(const Category& category, BillingMethod method) {
  switch (method) {
    case BillingMethod::kInvoice:
      return true;
    case BillingMethod::kDeduction:
      return category.deduction_allowed;
  }
  return false;
}

std::string_view BillingMethodName(BillingMethod method) {
  switch (method) {
    case BillingMethod::kDeduction:
      return "deduction";
    case BillingMethod::kInvoice:
      return "invoice";
  }
  return "";
}

std::optional<BillingMethod> ParseBillingMethod(std::string_view name) {
  if (name == "deduction") return BillingMethod::kDeduction;
  if (name == "invoice") return BillingMethod::kInvoice;
  return std::nullopt;
}

}  // namespace claimsca::domain
