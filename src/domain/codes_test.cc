#include "domain/codes.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <tuple>
#include <utility>

namespace claimsca::domain {
namespace {

struct CheckDigitCase {
  const char* payload;
  bool letters;
  std::optional<int> want;
};

TEST(CheckDigit21Test, Vectors) {
  const CheckDigitCase cases[] = {
      {"011011371", false, 9},  // DOMAIN.md §11: 0110113719, S = 21
      {"881479", false, 0},     // DOMAIN.md §11: 1318814790 (11–14 payload), S = 40
      {"3312001", false, 5},    // DOMAIN.md §11 / 保険者番号設定要領: 33120015, S = 15
      {"13101", false, 1},      // 国保 131011, S = 9
      {"011010001", false, 3},  // the seed's sample 0100015 would need 3, not 5
      {"0", false, 0},
      {"5", false, 9},         // 5 × 2 = 10 → 1 + 0 = 1: S = 1, check 9
      {"13A012345", true, 8},  // A = 10, 10 × 2 = 20 → 2; S = 22
      {"137012345", true, 5},  // S = 25
      {"27Z000001", true, 7},  // Z = 32, 32 × 2 = 64 → 10; S = 23
      {"01P999999", true, 5},  // P = 23 (I and O skipped); S = 65
      {"", false, std::nullopt},
      {"12a", false, std::nullopt},
      {"13A012345", false, std::nullopt},  // letters only when allowed
      {"13I012345", true, std::nullopt},   // I, O, Q are never used
      {"13O012345", true, std::nullopt},
      {"13Q012345", true, std::nullopt},
      {"13a012345", true, std::nullopt},  // upper case only
      {"１２３", false, std::nullopt},    // full-width digits: normalise first
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CheckDigit21(c.payload, c.letters), c.want) << c.payload;
  }
}

struct FacilityCase {
  const char* prefecture;
  const char* score_table;
  const char* facility_code;
  bool ok;
};

TEST(FacilityCodeTest, Vectors) {
  const FacilityCase cases[] = {
      {"01", "1", "0113719", true},   // DOMAIN.md §11
      {"13", "1", "8814790", true},   // DOMAIN.md §11, 11–14 exception
      {"13", "1", "8814793", false},  // the 9-digit rule would give 3: not used in 13
      {"13", "3", "8814790", true},   // 11–14: score_table is not in the payload
      {"13", "6", "8814790", true},
      {"13", "2", "8814790", false},  // but it must still be a score table
      {"11", "1", "1000003", false},
      {"14", "1", "1000009", true},  // payload 100000 → S = 1 → 9
      {"12", "4", "1000009", true},
      {"01", "1", "0100013", true},   // payload 011010001 → 3
      {"01", "1", "0100015", false},  // the seed's sample screen value
      {"27", "1", "1234", false},
      {"27", "4", "1234567", true},  // payload 274123456 → S = 43 → 7
      {"27", "4", "1234565", false},
      {"01", "1", "011371", false},  // 6 digits
      {"01", "1", "01137190", false},
      {"01", "1", "011371a", false},
      {"01", "1", "０１１３７１９", false},
      {"00", "1", "0113719", false},
      {"48", "1", "0113719", false},
      {"1", "1", "0113719", false},
      {"01", "2", "0113719", false},
      {"01", "", "0113719", false},
      {"01", "11", "0113719", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FacilityCodeCheckDigitOk(c.prefecture, c.score_table, c.facility_code), c.ok)
        << c.prefecture << "/" << c.score_table << "/" << c.facility_code;
  }
}

TEST(FacilityCodeTest, EveryWrongLastDigitFails) {
  for (const auto& [pref, table, code] :
       {std::tuple{"01", "1", "0113719"}, std::tuple{"13", "1", "8814790"},
        std::tuple{"01", "1", "0100013"}}) {
    std::string c = code;
    for (char d = '0'; d <= '9'; ++d) {
      c[6] = d;
      EXPECT_EQ(FacilityCodeCheckDigitOk(pref, table, c), d == code[6]) << pref << c;
    }
  }
}

TEST(InstitutionCodeTest, Vectors) {
  EXPECT_TRUE(InstitutionCodeOk("0110113719"));
  EXPECT_TRUE(InstitutionCodeOk("1318814790"));
  EXPECT_FALSE(InstitutionCodeOk("0110113718"));
  EXPECT_FALSE(InstitutionCodeOk("0120113719"));  // score_table 2 does not exist
  EXPECT_FALSE(InstitutionCodeOk("0130113719"));  // same code, wrong score table
  EXPECT_FALSE(InstitutionCodeOk("011011371"));
  EXPECT_FALSE(InstitutionCodeOk(""));
}

TEST(InsurerNumberTest, Vectors) {
  const std::pair<const char*, bool> cases[] = {
      // clang-format off
      {"33120015", true},   // DOMAIN.md §11 (千葉県警察共済): 3312001 → S = 15 → 5
      {"33120014", false},
      {"06130116", true},   // 0613011 → S = 14 → 6
      {"39131008", true},   // 後期高齢: 3913100 → S = 22 → 8
      {"39131009", false},
      {"01130004", true},   // 0113000 → S = 6 → 4
      {"131011", false},    // 6 digits: not an 8-digit number
      {"3312001", false},
      {"331200150", false},
      {"3312001a", false},
      {"３３１２００１５", false},
      {"", false},
      // clang-format on
  };
  for (const auto& [number, ok] : cases) EXPECT_EQ(InsurerNumberOk(number), ok) << number;
}

TEST(NationalHealthInsuranceNumberTest, Vectors) {
  const std::pair<const char*, bool> cases[] = {
      // clang-format off
      {"131011", true},     // 千代田区: 13101 → S = 9 → 1
      {"131012", false},
      {"010009", true},     // 01000 → S = 1 → 9
      {"010003", false},
      {"33120015", false},  // 8 digits
      {"13101", false},
      {"13101x", false},
      {"", false},
      // clang-format on
  };
  for (const auto& [number, ok] : cases) {
    EXPECT_EQ(NationalHealthInsuranceNumberOk(number), ok) << number;
  }
  // Padding with "00" to 8 digits gives the same verdict.
  for (int i = 0; i < 1000; ++i) {
    std::string n = std::to_string(100000 + i * 97);
    EXPECT_EQ(NationalHealthInsuranceNumberOk(n), InsurerNumberOk("00" + n)) << n;
  }
}

TEST(CareOfficeNumberTest, Vectors) {
  const std::pair<const char*, bool> cases[] = {
      {"13A0123458", true},   // 区分 A
      {"13A0123457", false},  // wrong check digit
      {"1370123455", true},   // 区分 7 (指定事業所)
      {"27Z0000017", true},   // Z = 32
      {"01P9999995", true},   // P = 23
      {"0110113719", true},   // 医療機関等コード used as 介護保険事業所番号
      {"1318814790", true},   // … including the 11–14 exception
      {"13I0123458", false}, {"13a0123458", false},  {"48A0123458", false}, {"00A0123458", false},
      {"13A012345", false},  {"13A01234588", false}, {"13AB123458", false}, {"", false},
  };
  for (const auto& [number, ok] : cases) EXPECT_EQ(CareOfficeNumberOk(number), ok) << number;
}

TEST(CheckupBodyNumberTest, LengthAndPrefectureOnly) {
  const std::pair<const char*, bool> cases[] = {
      {"0120000001", true},   {"4729999999", true},  {"0110113719", true},
      {"0020000001", false},  {"4820000001", false}, {"012000000", false},
      {"01200000011", false}, {"01200000a1", false}, {"", false},
  };
  for (const auto& [number, ok] : cases) EXPECT_EQ(CheckupBodyNumberOk(number), ok) << number;
}

TEST(ProvisionalCodeTest, MadeCodesAreMarkedTwiceAndFailTheRealRule) {
  // Every prefecture, every score table, a spread of serials: the code made is recognised,
  // starts with "00", fails the real check digit rule, and any other last digit is refused.
  const char* tables[] = {"1", "3", "4", "6", "7"};
  int made = 0;
  for (int p = 1; p <= 47; ++p) {
    char pref[3];
    std::snprintf(pref, sizeof pref, "%02d", p);
    for (const char* st : tables) {
      for (int serial : {1, 2, 9, 10, 123, 4567, 9999}) {
        std::optional<std::string> code = MakeProvisionalFacilityCode(pref, st, serial);
        ASSERT_TRUE(code.has_value()) << pref << st << serial;
        ++made;
        EXPECT_EQ(code->size(), 7u);
        EXPECT_EQ(code->substr(0, 2), "00");
        EXPECT_TRUE(ProvisionalFacilityCodeOk(pref, st, *code));
        EXPECT_TRUE(ProvisionalInstitutionCodeOk(std::string(pref) + st + *code));
        EXPECT_FALSE(FacilityCodeCheckDigitOk(pref, st, *code)) << pref << st << *code;
        EXPECT_FALSE(InstitutionCodeOk(std::string(pref) + st + *code));
        std::string other = *code;
        for (char d = '0'; d <= '9'; ++d) {
          if (d == (*code)[6]) continue;
          other[6] = d;
          EXPECT_FALSE(ProvisionalFacilityCodeOk(pref, st, other)) << pref << st << other;
        }
      }
    }
  }
  EXPECT_EQ(made, 47 * 5 * 7);
}

TEST(ProvisionalCodeTest, Refusals) {
  EXPECT_FALSE(MakeProvisionalFacilityCode("13", "1", 0).has_value());
  EXPECT_FALSE(MakeProvisionalFacilityCode("13", "1", 10000).has_value());
  EXPECT_FALSE(MakeProvisionalFacilityCode("48", "1", 1).has_value());
  EXPECT_FALSE(MakeProvisionalFacilityCode("13", "2", 1).has_value());
  // Worked example (docs/newinst.md): 東京 医科 serial 1 → body 000001, real check over the
  // 6 digits (11–14 rule) = 8, provisional check = 3.
  EXPECT_EQ(MakeProvisionalFacilityCode("13", "1", 1).value_or(""), "0000013");
  EXPECT_FALSE(ProvisionalFacilityCodeOk("13", "1", "0000000"));  // serial 0000
  EXPECT_FALSE(ProvisionalFacilityCodeOk("13", "1", "000001"));
  EXPECT_FALSE(ProvisionalFacilityCodeOk("13", "1", "0100013"));
  EXPECT_TRUE(ProvisionalInstitutionCodeOk("1310000013"));
  EXPECT_FALSE(ProvisionalInstitutionCodeOk("1310000014"));
  EXPECT_FALSE(ProvisionalInstitutionCodeOk("0110113719"));  // a real code
}

TEST(IsAsciiDigitsTest, Basics) {
  EXPECT_TRUE(IsAsciiDigits("0123456789"));
  EXPECT_FALSE(IsAsciiDigits(""));
  EXPECT_FALSE(IsAsciiDigits("12 3"));
  EXPECT_FALSE(IsAsciiDigits("１"));
}

}  // namespace
}  // namespace claimsca::domain
