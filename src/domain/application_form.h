#pragma once

// The two certificate application forms of seed 000 §2.1 (DOMAIN.md §1) and their rules:
// normalisation of what people type, then validation that reports every error at once, each
// with a stable machine code and a plain Japanese message for clinic staff.
// Pure functions; no I/O.

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"

namespace claimsca::domain {

// Length limits of the free-text fields, in Unicode code points (docs/codes.md).
inline constexpr size_t kMaxInstitutionNameChars = 100;  // 医療機関(薬局)名称
inline constexpr size_t kMaxInsurerNameChars = 100;      // 医療保険者等名
inline constexpr size_t kMaxContactNameChars = 100;      // 担当部署/担当者名
inline constexpr size_t kMaxTerminalNameChars = 100;     // 端末名称等

// 「医療機関等」の申請項目. Member names are the API field names (DOMAIN.md §13).
struct InstitutionForm {
  std::string category;       // 分類: "1"–"6", "8", "n", "s"
  std::string prefecture;     // 都道府県コード: "01"–"47"
  std::string score_table;    // 点数表: "1", "3", "4", "6", "7"; empty for category 6
  std::string facility_code;  // 医療機関コード, 7 digits; category 6: 機関番号, 10 digits
  std::string institution_name;  // 医療機関(薬局)名称
  std::string contact_name;      // 担当部署/担当者名
  std::string phone;             // 電話番号
  std::string email;             // メールアドレス
  std::string terminal_name;     // 端末名称等

  friend bool operator==(const InstitutionForm&, const InstitutionForm&) = default;
};

// 「医療保険者等」の申請項目.
struct InsurerForm {
  std::string category = "7";  // 分類: always "7" (保険者)
  std::string insurer_number;  // 保険者番号, 8 digits
  std::string insurer_name;    // 医療保険者等名
  std::string contact_name;    // 担当部署/担当者名
  std::string phone;           // 電話番号
  std::string email;           // メールアドレス
  std::string terminal_name;   // 端末名称等

  friend bool operator==(const InsurerForm&, const InsurerForm&) = default;
};

// One reason a form is refused.
struct FieldError {
  std::string field;       // API field name, e.g. "facility_code"
  std::string rule;        // stable machine code, e.g. "check_digit" (docs/codes.md lists them)
  std::string message_ja;  // a plain Japanese sentence for the applicant

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// Returns the form as it should be validated and stored: codes, phone and e-mail are
// width-folded and trimmed (normalize.h), category letters lower-cased ("N" → "n"), a
// one-digit prefecture zero-padded ("1" → "01"); free text is only trimmed. Idempotent.
InstitutionForm Normalize(InstitutionForm form);
InsurerForm Normalize(InsurerForm form);

// Checks a normalised form and returns every error found, in field order; empty means
// valid. Every field is required. Cross-field rules (score table against category, check
// digit, prefecture of a 機関番号) are checked only when the fields they combine are each
// valid, so one mistake yields one error.
std::vector<FieldError> Validate(const InstitutionForm& form);
std::vector<FieldError> Validate(const InsurerForm& form);

// The 10-digit 医療機関等コード (institution_code) of a valid institution form:
// prefecture + score_table + facility_code; for category 6 (特健機関) the 10-digit 機関番号
// itself. InvalidArgument if Validate(form) is not empty.
Result<std::string> InstitutionCode(const InstitutionForm& form);

}  // namespace claimsca::domain
