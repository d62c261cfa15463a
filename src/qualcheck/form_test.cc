// The paper form's rules (seed 004; docs/qualcheck.md): every field's rule and the
// 申請区分 combinations, with the field and the rule named in each error.

#include "qualcheck/form.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "qualcheck/form_testing.h"

namespace claimsca::qualcheck {
namespace {

Form Valid() { return testing::ExampleForm(); }

std::vector<std::string> Rules(const Form& f) {
  std::vector<std::string> out;
  for (const auto& e : Validate(Normalize(f))) out.push_back(e.field + ":" + e.rule);
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(QualcheckForm, ValidFormHasNoError) { EXPECT_TRUE(Rules(Valid()).empty()); }

TEST(QualcheckForm, KindCombinations) {
  Form f = Valid();
  f.kind1 = f.kind2 = false;
  EXPECT_TRUE(Has(Rules(f), "kinds:required"));
  f.kind1 = true;  // 1 alone
  EXPECT_TRUE(Rules(f).empty());
  f.kind3 = true;  // 1 + 3
  EXPECT_TRUE(Has(Rules(f), "kinds:combination"));
  f = Valid();
  f.kind2 = false;
  f.kind3 = true;
  f.end_date = "2027-03-31";  // 3 alone: 利用終了 with its date
  EXPECT_TRUE(Rules(f).empty()) << ::testing::PrintToString(Rules(f));
  f.kind2 = true;  // 2 + 3
  EXPECT_TRUE(Has(Rules(f), "kinds:combination"));
}

TEST(QualcheckForm, PasswordNotAskedWhenOneAndTwo) {
  Form f = Valid();
  f.kind1 = true;
  EXPECT_TRUE(Has(Rules(f), "password:not_asked"));
  f.password.clear();
  EXPECT_TRUE(Rules(f).empty());
  EXPECT_FALSE(PasswordAsked(f));
  f.kind1 = false;
  EXPECT_TRUE(Has(Rules(f), "password:required"));
}

TEST(QualcheckForm, PasswordAlphanumericEightToHundred) {
  Form f = Valid();
  f.password = "abc1234";
  EXPECT_TRUE(Has(Rules(f), "password:length"));
  f.password = std::string(100, 'a');
  EXPECT_TRUE(Rules(f).empty());
  f.password = std::string(101, 'a');
  EXPECT_TRUE(Has(Rules(f), "password:length"));
  f.password = "abc-12345";
  EXPECT_TRUE(Has(Rules(f), "password:alphanumeric"));
}

TEST(QualcheckForm, CodeAndCheckDigit) {
  Form f = Valid();
  f.facility_code = "0113718";
  auto errors = Validate(Normalize(f));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "facility_code");
  EXPECT_EQ(errors[0].rule, "check_digit");
  EXPECT_NE(errors[0].message_ja.find("医療機関コード・薬局コード"), std::string::npos);
  f = Valid();
  f.prefecture = "13";  // 東京: the check over 郡市区+番号 only (1318814790)
  f.facility_code = "8814790";
  EXPECT_TRUE(Rules(f).empty());
  f.prefecture = "48";
  EXPECT_TRUE(Has(Rules(f), "prefecture:format"));
  f = Valid();
  f.facility_code = "011371";
  EXPECT_TRUE(Has(Rules(f), "facility_code:format"));
  f.prefecture = "1";                  // zero-padded
  f.facility_code = "０１１３７１９";  // full width
  EXPECT_TRUE(Rules(f).empty());
  EXPECT_EQ(InstitutionCode(Normalize(f)), "0110113719");
}

TEST(QualcheckForm, PhoneNormalisedFromFullWidth) {
  Form f = Valid();
  f.phone = "０１１ー１２３ー４５６７";
  const Form n = Normalize(f);
  EXPECT_EQ(n.phone, "011-123-4567");
  EXPECT_TRUE(Validate(n).empty());
  f.phone = "12345";
  EXPECT_TRUE(Has(Rules(f), "phone:format"));
}

TEST(QualcheckForm, BankDigitsAndCounts) {
  Form f = Valid();
  f.bank_last4 = "123";
  EXPECT_TRUE(Has(Rules(f), "bank_last4:format"));
  f.bank_last4 = "１２３４";
  EXPECT_TRUE(Rules(f).empty());
  f.staff_count = "0";
  f.devices = "101";
  auto r = Rules(f);
  EXPECT_TRUE(Has(r, "staff_count:range"));
  EXPECT_TRUE(Has(r, "devices:range"));
  f.staff_count = f.devices = "";
  r = Rules(f);
  EXPECT_TRUE(Has(r, "staff_count:required"));
  EXPECT_TRUE(Has(r, "devices:required"));
  f.kind2 = false;  // 1 alone: not needed
  f.kind1 = true;
  EXPECT_TRUE(Rules(f).empty());
}

TEST(QualcheckForm, EndDateAndAction) {
  Form f = Valid();
  f.end_date = "2027-03-31";
  EXPECT_TRUE(Has(Rules(f), "end_date:not_applicable"));
  f.kind2 = false;
  f.kind3 = true;
  f.end_date = "";
  EXPECT_TRUE(Has(Rules(f), "end_date:required"));
  f.end_action = "cancel";  // 取り消し: no date
  EXPECT_TRUE(Rules(f).empty());
  f.end_date = "2027-03-31";
  EXPECT_TRUE(Has(Rules(f), "end_date:not_applicable"));
  f.end_action = "change";
  EXPECT_TRUE(Rules(f).empty());
  f.end_date = "2027/02/30";
  EXPECT_TRUE(Has(Rules(f), "end_date:format"));
  f.end_action = "both";
  EXPECT_TRUE(Has(Rules(f), "end_action:format"));
}

TEST(QualcheckForm, MessagesNameTheField) {
  Form f;
  for (const auto& e : Validate(Normalize(f))) {
    EXPECT_NE(e.message_ja.find(std::string(FieldLabelJa(e.field))), std::string::npos) << e.field;
  }
}

TEST(QualcheckForm, ComparedFieldsRoundTripWithoutSecrets) {
  Form f = Normalize(Valid());
  Form g;
  for (const auto& [k, v] : ComparedFields(f)) ASSERT_TRUE(SetField(k, v, &g)) << k;
  g.phone = f.phone;  // compared as digits
  g.password = f.password;
  g.bank_last4 = f.bank_last4;
  EXPECT_EQ(ComparedFields(g), ComparedFields(f));
  for (const auto& [k, v] : ComparedFields(f)) {
    EXPECT_NE(k, "password");
    EXPECT_NE(k, "bank_last4");
  }
}

}  // namespace
}  // namespace claimsca::qualcheck
