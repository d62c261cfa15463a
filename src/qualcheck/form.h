#pragma once

// The paper form 「オンライン資格確認（資格確認限定型）利用に関する申請書」 (seed 004; DOMAIN.md
// §10; docs/qualcheck.md "The application form and its rules"): its fields, normalisation
// and rules. Pure functions, no I/O. Errors are domain::FieldError: the field, a stable
// machine code (rule) and a Japanese sentence naming the field (項目名) and the rule.
//
// 申請区分 combinations: {1}, {2}, {1, 2}, {3}. 3 is alone: end_action "end" (a first
// request to end, 利用終了予定年月日 required), "cancel" (取り消し: no date) or "change"
// (変更: the new date required). The password is not asked for {1, 2} (注1).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time_util.h"
#include "domain/application_form.h"

namespace claimsca::qualcheck {

inline constexpr int kMaxStaff = 9999;   // 職員数
inline constexpr int kMaxDevices = 100;  // 申請台数 (注4: only the terminals needed)

struct Form {
  bool kind1 = false;         // 1. ポータルサイトユーザー登録申請
  bool kind2 = false;         // 2. マイナ資格確認アプリ利用開始申請
  bool kind3 = false;         // 3. マイナ資格確認アプリ利用終了・変更申請
  std::string contact_name;   // 担当者名
  std::string prefecture;     // 都道府県 (2 digits)
  std::string score_table;    // 点数表 (1 digit)
  std::string facility_code;  // 医療機関コード・薬局コード (7 digits, check digit)
  std::string name;           // 医療機関等名
  std::string founder_name;   // 開設者氏名（漢字）
  std::string phone;          // 電話番号
  std::string email;          // メールアドレス
  std::string password;       // パスワード (secret: never stored, logged or shown)
  std::string bank_last4;     // 口座番号の下4桁 (secret: only the check's outcome is kept)
  std::string staff_count;    // 職員数, as typed
  std::string devices;        // 申請台数, as typed
  std::string end_date;       // 利用終了予定年月日 (西暦) 'YYYY-MM-DD'
  std::string end_action;     // kind 3: "end" | "cancel" (取り消し) | "change" (変更)

  friend bool operator==(const Form&, const Form&) = default;
};

// "1", "2", "12", "3" (any other combination yields what was checked, e.g. "13", "").
std::string KindsCode(const Form& f);
// Sets kind1..3 from a KindsCode; false for a code outside {1, 2, 12, 3}.
bool SetKinds(std::string_view code, Form* f);
// 申請区分 in words: "1. ポータルサイトユーザー登録申請 / 2. ..." for the letters and pages.
std::string KindsJa(std::string_view kinds_code);

// Codes, phone, e-mail, numbers and date width-folded and trimmed (domain/normalize.h),
// a one-digit prefecture zero-padded; free text trimmed; secrets kept as typed except for
// full-width digits in bank_last4. Idempotent.
Form Normalize(Form f);

// Every rule of the form on a normalised form; empty means valid. Fields are named as the
// members above ("kinds" for 申請区分, "end_action" for 取り消し / 変更).
std::vector<domain::FieldError> Validate(const Form& f);

// The 10-digit 医療機関等コード of the form (prefecture + score_table + facility_code).
std::string InstitutionCode(const Form& f);

// 利用終了予定年月日 as a date (nullopt unless a valid YYYY-MM-DD from 2000 on).
std::optional<Date> ParseEndDate(std::string_view s);

// 職員数 / 申請台数 as numbers (nullopt when empty or invalid).
std::optional<int> StaffCount(const Form& f);
std::optional<int> Devices(const Form& f);

// The non-secret fields compared between two keyings, in form order: (field, value).
std::vector<std::pair<std::string, std::string>> ComparedFields(const Form& f);
// Sets a non-secret field by its name ("kinds" included); false for an unknown name.
bool SetField(std::string_view field, std::string_view value, Form* f);
// The Japanese label of a field (申請区分, 担当者名, ..., パスワード, 口座番号（下4桁）).
std::string_view FieldLabelJa(std::string_view field);

// Whether the form carries each secret (the password is not asked for {1, 2}).
bool PasswordAsked(const Form& f);

}  // namespace claimsca::qualcheck
