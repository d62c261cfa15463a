#include "portal/apply_prefill.h"

#include <gtest/gtest.h>

namespace claimsca::portal {
namespace {

using V = std::vector<std::string>;

TEST(CategoriesForTest, TheRegisterDecidesThenTheCodesScoreTable) {
  EXPECT_EQ(CategoriesFor("0110113719", "1"), V{"1"});
  EXPECT_EQ(CategoriesFor("0110113719", "4"), V{"4"});        // a claims agent of 医科
  EXPECT_EQ(CategoriesFor("0110113719", ""), (V{"1", "4"}));  // not in the register
  EXPECT_EQ(CategoriesFor("1330000000", ""), (V{"2", "5"}));
  EXPECT_EQ(CategoriesFor("2740000000", ""), (V{"3", "8"}));
  EXPECT_EQ(CategoriesFor("1360000000", ""), V{"n"});
  EXPECT_EQ(CategoriesFor("1370000000", ""), V{"s"});
  EXPECT_EQ(CategoriesFor("0120000001", ""), V{"6"});  // 特健機関 (no 点数表 2 category)
  EXPECT_EQ(CategoriesFor("0120000001", "6"), V{"6"});
  EXPECT_EQ(CategoriesFor("0110113719", "7"), (V{"1", "4"}));  // an insurer's category: ignored
  EXPECT_TRUE(CategoriesFor("33120015", "7").empty());         // 保険者番号
}

TEST(PrefillForTest, FillsTheCodeFieldsFromTheAccountsCode) {
  auth::Principal p;
  p.institution_codes = {"0110113719", "33120015"};
  Prefill f = PrefillFor(p, nullptr, "");
  EXPECT_EQ(f.code, "0110113719");
  EXPECT_EQ(f.form.applicant_kind, "institution");
  EXPECT_EQ(f.form.prefecture, "01");
  EXPECT_EQ(f.form.score_table, "1");
  EXPECT_EQ(f.form.facility_code, "0113719");
  EXPECT_EQ(f.form.category, "");  // 1 or 4: the clinic chooses between the two offered
  EXPECT_EQ(f.categories, (V{"1", "4"}));
  Prefill i = PrefillFor(p, nullptr, "33120015");
  EXPECT_EQ(i.form.applicant_kind, "insurer");
  EXPECT_EQ(i.form.insurer_number, "33120015");
  Prefill other = PrefillFor(p, nullptr, "9999999999");  // not the account's: its first code
  EXPECT_EQ(other.code, "0110113719");
  EXPECT_EQ(AllowedCategories(p, nullptr), (V{"1", "4"}));
  auth::Principal none;
  EXPECT_TRUE(PrefillFor(none, nullptr, "").code.empty());
}

TEST(NormalizedFormTest, TheConfirmationShowsWhatWasUnderstood) {
  ra::ApplicationForm f;
  f.applicant_kind = "institution";
  f.prefecture = "1";
  f.facility_code = "０１１３７１９";
  f.phone = "（03）1234-5678";
  f.institution_name = "　ＡＢＣ病院";
  ra::ApplicationForm n = NormalizedForm(f);
  EXPECT_EQ(n.prefecture, "01");
  EXPECT_EQ(n.facility_code, "0113719");
  EXPECT_EQ(n.phone, "03-1234-5678");
  EXPECT_EQ(n.institution_name, f.institution_name);  // free text as typed
  f.applicant_kind = "insurer";
  f.insurer_number = "３３１２００１５";
  EXPECT_EQ(NormalizedForm(f).insurer_number, "33120015");
}

}  // namespace
}  // namespace claimsca::portal
