#include "domain/application_form.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace claimsca::domain {
namespace {

// {field, rule} pairs, in order; the Japanese messages are checked separately.
using Rules = std::vector<std::pair<std::string, std::string>>;

Rules RulesOf(const std::vector<FieldError>& errors) {
  Rules out;
  for (const auto& e : errors) out.emplace_back(e.field, e.rule);
  return out;
}

InstitutionForm ValidInstitution() {
  InstitutionForm f;
  f.category = "1";
  f.prefecture = "01";
  f.score_table = "1";
  f.facility_code = "0113719";  // DOMAIN.md §11: 0110113719
  f.institution_name = "テスト中です#%& * > ? @";
  f.contact_name = "医事課　山田";
  f.phone = "04312345678";
  f.email = "11@22.33";
  f.terminal_name = "オンライン資格確認/パソコン";
  return f;
}

InsurerForm ValidInsurer() {
  InsurerForm f;
  f.insurer_number = "33120015";
  f.insurer_name = "千葉県警察共済組合";
  f.contact_name = "総務課";
  f.phone = "043-123-4567";
  f.email = "soumu@example.jp";
  f.terminal_name = "オンライン請求用端末";
  return f;
}

struct InstitutionCase {
  const char* name;
  std::function<void(InstitutionForm&)> edit;
  Rules want;
};

// A prefecture that does not fit the code's check digit: one message on both fields, naming
// the prefecture the code belongs to (issue 24 point 4).
TEST(InstitutionFormTest, PrefectureThatDoesNotFitTheCode) {
  InstitutionForm f = ValidInstitution();
  f.prefecture = "02";  // 0113719 is a code of 01 北海道
  const std::vector<FieldError> errors = Validate(f);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "prefecture");
  EXPECT_EQ(errors[1].field, "facility_code");
  EXPECT_EQ(errors[0].message_ja, errors[1].message_ja);
  EXPECT_NE(errors[0].message_ja.find("都道府県コードと医療機関コードの組み合わせ"),
            std::string::npos);
  EXPECT_NE(errors[0].message_ja.find("01：北海道"), std::string::npos) << errors[0].message_ja;
}

TEST(InstitutionFormTest, Table) {
  const InstitutionCase cases[] = {
      {"valid", [](InstitutionForm&) {}, {}},
      {"valid 11-14 exception",
       [](InstitutionForm& f) { f.prefecture = "13", f.facility_code = "8814790"; },
       {}},
      {"dental category with a 医科 code",
       [](InstitutionForm& f) { f.category = "2", f.score_table = "3"; },
       {{"prefecture", "prefecture_code_mismatch"},
        {"facility_code", "check_digit"}}},  // 0113719 is a 医科 code: the payload differs
      {"valid pharmacy agent",
       [](InstitutionForm& f) {
         f.category = "8", f.score_table = "4", f.prefecture = "27", f.facility_code = "1234567";
       },
       {}},
      {"valid visiting nursing in Tokyo",
       [](InstitutionForm& f) {
         f.category = "n", f.score_table = "6", f.prefecture = "13", f.facility_code = "8814790";
       },
       {}},
      {"valid checkup body",
       [](InstitutionForm& f) {
         f.category = "6", f.score_table = "", f.facility_code = "0120000001";
       },
       {}},
      {"everything empty",
       [](InstitutionForm& f) { f = InstitutionForm{}; },
       {{"category", "required"},
        {"prefecture", "required"},
        {"score_table", "required"},
        {"facility_code", "required"},
        {"institution_name", "required"},
        {"contact_name", "required"},
        {"phone", "required"},
        {"email", "required"},
        {"terminal_name", "required"}}},
      {"insurer on the institution form",
       [](InstitutionForm& f) { f.category = "7"; },
       {{"category", "wrong_form"}}},
      {"unknown category",
       [](InstitutionForm& f) { f.category = "9"; },
       {{"category", "unknown_category"}}},
      {"unknown prefecture",
       [](InstitutionForm& f) { f.prefecture = "48"; },
       {{"prefecture", "unknown_prefecture"}}},
      {"prefecture not digits",
       [](InstitutionForm& f) { f.prefecture = "東京"; },
       {{"prefecture", "unknown_prefecture"}}},
      {"unknown score table",
       [](InstitutionForm& f) { f.score_table = "2"; },
       {{"score_table", "unknown_score_table"}}},
      {"score table of another category",
       [](InstitutionForm& f) { f.score_table = "3"; },
       {{"score_table", "category_score_table_mismatch"}}},
      {"score table given for a checkup body",
       [](InstitutionForm& f) { f.category = "6", f.facility_code = "0120000001"; },
       {{"score_table", "category_score_table_mismatch"}}},
      {"wrong check digit",
       [](InstitutionForm& f) { f.facility_code = "0113718"; },
       {{"prefecture", "prefecture_code_mismatch"}, {"facility_code", "check_digit"}}},
      {"a provisional code (仮コード, docs/newinst.md)",
       [](InstitutionForm& f) { f.prefecture = "13", f.facility_code = "0000013"; },
       {}},
      {"neither a real nor a provisional check digit",
       [](InstitutionForm& f) { f.prefecture = "13", f.facility_code = "0000014"; },
       {{"prefecture", "prefecture_code_mismatch"}, {"facility_code", "check_digit"}}},
      {"the seed's sample code",
       [](InstitutionForm& f) { f.facility_code = "0100015"; },
       {{"prefecture", "prefecture_code_mismatch"}, {"facility_code", "check_digit"}}},
      {"code of another prefecture",
       [](InstitutionForm& f) { f.prefecture = "02"; },
       {{"prefecture", "prefecture_code_mismatch"}, {"facility_code", "check_digit"}}},
      {"short code",
       [](InstitutionForm& f) { f.facility_code = "011371"; },
       {{"facility_code", "length"}}},
      {"10-digit institution code",
       [](InstitutionForm& f) { f.facility_code = "0110113719"; },
       {{"facility_code", "length"}}},
      {"code with hyphen",
       [](InstitutionForm& f) { f.facility_code = "01-13719"; },
       {{"facility_code", "digits"}}},
      {"no check digit test when the prefecture is wrong",
       [](InstitutionForm& f) { f.prefecture = "00", f.facility_code = "0113718"; },
       {{"prefecture", "unknown_prefecture"}}},
      {"checkup body number too short",
       [](InstitutionForm& f) {
         f.category = "6", f.score_table = "", f.facility_code = "0113719";
       },
       {{"facility_code", "length"}}},
      {"checkup body number of another prefecture",
       [](InstitutionForm& f) {
         f.category = "6", f.score_table = "", f.facility_code = "1320000001";
       },
       {{"facility_code", "prefecture_mismatch"}}},
      {"checkup body number without a prefecture",
       [](InstitutionForm& f) {
         f.category = "6", f.score_table = "", f.facility_code = "9920000001";
       },
       {{"facility_code", "unknown_prefecture"}}},
      {"bad phone", [](InstitutionForm& f) { f.phone = "1234"; }, {{"phone", "phone_syntax"}}},
      {"bad email",
       [](InstitutionForm& f) { f.email = "yamada@clinic"; },
       {{"email", "email_syntax"}}},
      {"long email",
       [](InstitutionForm& f) { f.email = std::string(250, 'a') + "@b.jp"; },
       {{"email", "length"}}},
      {"name too long",
       [](InstitutionForm& f) { f.institution_name = std::string(101, 'x'); },
       {{"institution_name", "length"}}},
      {"name with newline",
       [](InstitutionForm& f) { f.contact_name = "医事課\n山田"; },
       {{"contact_name", "control_character"}}},
      {"terminal name not UTF-8",
       [](InstitutionForm& f) { f.terminal_name = "\x83\x65"; },
       {{"terminal_name", "encoding"}}},
      {"several at once",
       [](InstitutionForm& f) {
         f.score_table = "4", f.phone = "", f.email = "x", f.terminal_name = "";
       },
       {{"score_table", "category_score_table_mismatch"},
        {"phone", "required"},
        {"email", "email_syntax"},
        {"terminal_name", "required"}}},
  };
  for (const auto& c : cases) {
    InstitutionForm f = ValidInstitution();
    c.edit(f);
    EXPECT_EQ(RulesOf(Validate(f)), c.want) << c.name;
  }
}

TEST(InstitutionFormTest, MessagesAreJapaneseSentences) {
  for (const auto& e : Validate(Normalize(InstitutionForm{}))) {
    EXPECT_FALSE(e.message_ja.empty()) << e.field;
    EXPECT_TRUE(e.message_ja.ends_with("。")) << e.message_ja;
  }
  InstitutionForm f = ValidInstitution();
  f.facility_code = "0113718";
  auto errors = Validate(f);
  ASSERT_EQ(errors.size(), 2u);  // 都道府県コード and 医療機関コード, one sentence
  EXPECT_EQ(errors[0].message_ja, errors[1].message_ja);
  EXPECT_NE(errors[0].message_ja.find("検証番号"), std::string::npos);
  EXPECT_NE(errors[0].message_ja.find("仮コード"), std::string::npos);  // docs/newinst.md
  f = ValidInstitution();
  f.score_table = "3";
  errors = Validate(f);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(
      errors[0].message_ja.find("「1：保険医療機関（医科）」の点数表は「1：医療機関（医科）」"),
      std::string::npos)
      << errors[0].message_ja;
}

TEST(InstitutionFormTest, NormalizeFoldsCodesAndKeepsText) {
  InstitutionForm in;
  in.category = "Ｎ";
  in.prefecture = "１３";
  in.score_table = " ６ ";
  in.facility_code = "８８１４７９０　";
  in.institution_name = "　テスト中です#%& * > ? @　";
  in.contact_name = "ー長音ー";
  in.phone = "０３ー１２３４ー５６７８";
  in.email = "ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ";
  in.terminal_name = "受付ＰＣ１";
  InstitutionForm f = Normalize(in);
  EXPECT_EQ(f.category, "n");
  EXPECT_EQ(f.prefecture, "13");
  EXPECT_EQ(f.score_table, "6");
  EXPECT_EQ(f.facility_code, "8814790");
  EXPECT_EQ(f.institution_name, "テスト中です#%& * > ? @");
  EXPECT_EQ(f.contact_name, "ー長音ー");
  EXPECT_EQ(f.phone, "03-1234-5678");
  EXPECT_EQ(f.email, "yamada@example.jp");
  EXPECT_EQ(f.terminal_name, "受付ＰＣ１");
  EXPECT_EQ(Normalize(f), f);  // idempotent
  EXPECT_TRUE(Validate(f).empty());
  auto code = InstitutionCode(f);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, "1368814790");

  InstitutionForm one_digit = ValidInstitution();
  one_digit.prefecture = "1";
  EXPECT_EQ(Normalize(one_digit).prefecture, "01");
}

TEST(InstitutionFormTest, InstitutionCode) {
  auto code = InstitutionCode(ValidInstitution());
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, "0110113719");

  InstitutionForm checkup = ValidInstitution();
  checkup.category = "6", checkup.score_table = "", checkup.facility_code = "0120000001";
  code = InstitutionCode(checkup);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, "0120000001");

  InstitutionForm bad = ValidInstitution();
  bad.facility_code = "0113718";
  code = InstitutionCode(bad);
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.status().code(), Code::kInvalidArgument);
}

struct InsurerCase {
  const char* name;
  std::function<void(InsurerForm&)> edit;
  Rules want;
};

TEST(InsurerFormTest, Table) {
  const InsurerCase cases[] = {
      {"valid", [](InsurerForm&) {}, {}},
      {"valid 後期高齢", [](InsurerForm& f) { f.insurer_number = "39131008"; }, {}},
      {"everything empty",
       [](InsurerForm& f) { f = InsurerForm{}, f.category = ""; },
       {{"category", "required"},
        {"insurer_number", "required"},
        {"insurer_name", "required"},
        {"contact_name", "required"},
        {"phone", "required"},
        {"email", "required"},
        {"terminal_name", "required"}}},
      {"institution category",
       [](InsurerForm& f) { f.category = "1"; },
       {{"category", "wrong_form"}}},
      {"unknown category",
       [](InsurerForm& f) { f.category = "x"; },
       {{"category", "unknown_category"}}},
      {"wrong check digit",
       [](InsurerForm& f) { f.insurer_number = "33120014"; },
       {{"insurer_number", "check_digit"}}},
      {"6-digit 国保 number",
       [](InsurerForm& f) { f.insurer_number = "131011"; },
       {{"insurer_number", "length"}}},
      {"7 digits",
       [](InsurerForm& f) { f.insurer_number = "3312001"; },
       {{"insurer_number", "length"}}},
      {"letters",
       [](InsurerForm& f) { f.insurer_number = "3312001X"; },
       {{"insurer_number", "digits"}}},
      {"name too long",
       [](InsurerForm& f) { f.insurer_name = std::string(101, 'x'); },
       {{"insurer_name", "length"}}},
      {"tab in terminal name",
       [](InsurerForm& f) { f.terminal_name = "PC\t1"; },
       {{"terminal_name", "control_character"}}},
  };
  for (const auto& c : cases) {
    InsurerForm f = ValidInsurer();
    c.edit(f);
    EXPECT_EQ(RulesOf(Validate(f)), c.want) << c.name;
  }
}

TEST(InsurerFormTest, Normalize) {
  InsurerForm in = ValidInsurer();
  in.category = "７";
  in.insurer_number = "３３１２００１５";
  in.phone = "０４３－１２３－４５６７";
  in.email = " soumu＠example.jp ";
  InsurerForm f = Normalize(in);
  EXPECT_EQ(f.category, "7");
  EXPECT_EQ(f.insurer_number, "33120015");
  EXPECT_EQ(f.phone, "043-123-4567");
  EXPECT_EQ(f.email, "soumu@example.jp");
  EXPECT_EQ(Normalize(f), f);
  EXPECT_TRUE(Validate(f).empty());
}

}  // namespace
}  // namespace claimsca::domain
