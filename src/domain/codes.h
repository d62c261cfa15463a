#pragma once

// Identification codes of the online claims network and their check digits
// (DOMAIN.md §11; algorithms, worked examples and sources in docs/codes.md).
//
// All functions are pure, total and allocation-free: any input is accepted and malformed
// input (wrong length, non-digits, full-width digits) simply fails the check. Normalise
// what people type first (normalize.h).

#include <optional>
#include <string>
#include <string_view>

namespace claimsca::domain {

// The "modulus 10, weights 2-1, split" check digit used by MHLW codes: from the rightmost
// payload character leftwards multiply by 2, 1, 2, 1, …; add the decimal digits of each
// product (12 counts as 1 + 2); the check digit is (10 − sum mod 10) mod 10.
// `payload` holds ASCII digits; with `allow_letters`, upper-case letters also count, read
// as A=10 … Z=32 skipping I, O and Q (介護保険事業所番号). Returns nullopt for an empty
// payload or any other character.
std::optional<int> CheckDigit21(std::string_view payload, bool allow_letters = false);

// 医療機関コード (facility_code): 7 digits = 郡市区 (2) + 番号 (4) + 検証番号 (1), filed with
// a prefecture ("01"–"47") and a score_table ("1", "3", "4", "6", "7"). True iff all three
// are well formed and the check digit matches: computed over the 9 digits prefecture +
// score_table + the first 6 of facility_code, except for prefectures 11–14 (埼玉, 千葉,
// 東京, 神奈川), where published codes carry it over the first 6 digits of facility_code
// only (so score_table does not enter there, but it must still be one of the five).
bool FacilityCodeCheckDigitOk(std::string_view prefecture, std::string_view score_table,
                              std::string_view facility_code);

// 医療機関等コード (institution_code): 10 digits = prefecture (2) + score_table (1) +
// facility_code (7). True iff FacilityCodeCheckDigitOk holds for its three parts.
bool InstitutionCodeOk(std::string_view institution_code);

// 仮コード (provisional_code) of a clinic or pharmacy about to open (DOMAIN.md §9,
// docs/newinst.md): issued by the operator, used in place of the 医療機関コード until the
// bureau designates the institution. Its 7-digit facility part is "00" + a 4-digit serial
// (0001–9999) + a check digit that is the real one plus 5 (mod 10), so that it is marked
// twice: no published code has 郡市区 "00" (none of the 92,000 in data/), and
// FacilityCodeCheckDigitOk fails for every provisional code on purpose. The 10-digit form
// (prefecture + score_table + facility part) is what accounts, applications, certificates
// (the OU) and billing carry until the code swap.
// Returns the 7-digit facility part, or nullopt if prefecture / score_table are invalid or
// serial is outside 1–9999.
std::optional<std::string> MakeProvisionalFacilityCode(std::string_view prefecture,
                                                       std::string_view score_table, int serial);

// True iff facility_code is a well-formed provisional facility part for prefecture and
// score_table (exactly what MakeProvisionalFacilityCode makes).
bool ProvisionalFacilityCodeOk(std::string_view prefecture, std::string_view score_table,
                               std::string_view facility_code);

// True iff the 10-digit institution_code is a provisional one.
bool ProvisionalInstitutionCodeOk(std::string_view institution_code);

// 保険者番号 (insurer_number), 8 digits = 法別番号 (2) + 都道府県 (2) + 保険者別番号 (3) +
// 検証番号 (1), the 2-1 rule over the first 7 digits (e.g. "33120015"). Only the check digit
// is verified: 法別番号 and the prefecture part are not checked against lists.
bool InsurerNumberOk(std::string_view insurer_number);

// 国民健康保険の保険者番号, 6 digits = 都道府県 (2) + 保険者別番号 (3) + 検証番号 (1), the 2-1
// rule over the first 5 digits (e.g. "131011"). Equivalent to InsurerNumberOk("00" + n).
// Note: the application form does not accept 6-digit numbers (docs/codes.md).
bool NationalHealthInsuranceNumberOk(std::string_view insurer_number);

// 介護保険事業所番号 (care_office_number), 10 characters = 都道府県 (2) + 事業所区分 (1,
// a digit or an upper-case letter other than I, O, Q) + 郡市区 (2) + 番号 (4) + 検証番号 (1).
// True iff the prefecture is valid and either the 2-1 rule over the first 9 characters
// (letters read as numbers) holds, or the number is a valid 医療機関等コード (medical
// institutions deemed designated use their own code, including the 11–14 exception).
bool CareOfficeNumberOk(std::string_view care_office_number);

// 特定健診機関番号 (checkup_body_number): 10 ASCII digits whose first two are a valid
// prefecture. No public check-digit rule exists, so none is applied.
bool CheckupBodyNumberOk(std::string_view checkup_body_number);

// True iff `s` is non-empty and consists of ASCII digits only.
bool IsAsciiDigits(std::string_view s);

}  // namespace claimsca::domain
