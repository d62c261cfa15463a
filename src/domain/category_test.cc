#include "domain/category.h"

#include <gtest/gtest.h>

#include <string>

namespace claimsca::domain {
namespace {

struct CategoryCase {
  const char* code;
  const char* label_ja;
  const char* score_table;
  CodeField code_field;
  FormKind form;
  bool deduction_allowed;
};

// DOMAIN.md §1 and §7, row by row.
const CategoryCase kCases[] = {
    {"1", "保険医療機関（医科）", "1", CodeField::kFacilityCode, FormKind::kInstitution, true},
    {"2", "保険医療機関（歯科）", "3", CodeField::kFacilityCode, FormKind::kInstitution, true},
    {"3", "保険薬局（調剤）", "4", CodeField::kFacilityCode, FormKind::kInstitution, true},
    {"4", "請求事務代行者（医科）", "1", CodeField::kFacilityCode, FormKind::kInstitution, true},
    {"5", "請求事務代行者（歯科）", "3", CodeField::kFacilityCode, FormKind::kInstitution, true},
    {"8", "請求事務代行者（調剤）", "4", CodeField::kFacilityCode, FormKind::kInstitution, true},
    {"6", "特健機関", "", CodeField::kCheckupBodyNumber, FormKind::kInstitution, false},
    {"n", "訪問看護", "6", CodeField::kFacilityCode, FormKind::kInstitution, true},
    {"s", "職域診療所", "7", CodeField::kFacilityCode, FormKind::kInstitution, false},
    {"7", "保険者", "", CodeField::kInsurerNumber, FormKind::kInsurer, false},
};

TEST(CategoryTest, TableMatchesDomain) {
  auto all = AllCategories();
  ASSERT_EQ(all.size(), std::size(kCases));
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& want = kCases[i];
    SCOPED_TRACE(want.code);
    EXPECT_EQ(all[i].code, want.code);
    auto c = FindCategory(want.code);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->label_ja, want.label_ja);
    EXPECT_EQ(c->score_table, want.score_table);
    EXPECT_EQ(c->code_field, want.code_field);
    EXPECT_EQ(c->form, want.form);
    EXPECT_EQ(c->deduction_allowed, want.deduction_allowed);
    EXPECT_TRUE(IsBillingMethodAllowed(*c, BillingMethod::kInvoice));
    EXPECT_EQ(IsBillingMethodAllowed(*c, BillingMethod::kDeduction), want.deduction_allowed);
    if (!c->score_table.empty()) {
      EXPECT_TRUE(FindScoreTable(c->score_table).has_value());
    }
  }
}

TEST(CategoryTest, UnknownCodes) {
  for (const char* bad : {"", "0", "9", "N", "S", "a", "11", "１", " 1"}) {
    EXPECT_FALSE(FindCategory(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(ScoreTableTest, Table) {
  const std::pair<const char*, const char*> cases[] = {{"1", "医療機関（医科）"},
                                                       {"3", "医療機関（歯科）"},
                                                       {"4", "薬局"},
                                                       {"6", "訪問看護"},
                                                       {"7", "職域診療所"}};
  ASSERT_EQ(AllScoreTables().size(), std::size(cases));
  for (const auto& [code, label] : cases) {
    auto s = FindScoreTable(code);
    ASSERT_TRUE(s.has_value()) << code;
    EXPECT_EQ(s->label_ja, label);
  }
  for (const char* bad : {"", "0", "2", "5", "8", "9", "11"}) {
    EXPECT_FALSE(FindScoreTable(bad).has_value()) << bad;
  }
}

TEST(BillingMethodTest, NamesRoundTrip) {
  for (auto m : {BillingMethod::kDeduction, BillingMethod::kInvoice}) {
    auto parsed = ParseBillingMethod(BillingMethodName(m));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_EQ(BillingMethodName(BillingMethod::kDeduction), "deduction");
  EXPECT_EQ(BillingMethodName(BillingMethod::kInvoice), "invoice");
  EXPECT_FALSE(ParseBillingMethod("Invoice").has_value());
  EXPECT_FALSE(ParseBillingMethod("").has_value());
}

}  // namespace
}  // namespace claimsca::domain
