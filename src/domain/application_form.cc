#include "domain/application_form.h"

#include <optional>
#include <string_view>
#include <utility>

#include "domain/category.h"
#include "domain/codes.h"
#include "domain/normalize.h"
#include "domain/prefecture.h"

namespace claimsca::domain {
namespace {

// Collects errors in field order.
class Errors {
 public:
  void Add(std::string_view field, std::string_view rule, std::string message_ja) {
    errors_.push_back({std::string(field), std::string(rule), std::move(message_ja)});
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

std::string NormalizeCategory(std::string_view s) {
  std::string c = NormalizeCode(s);
  if (c == "N") return "n";
  if (c == "S") return "s";
  return c;
}

std::string NormalizePrefecture(std::string_view s) {
  std::string p = NormalizeCode(s);
  if (p.size() == 1 && p[0] >= '1' && p[0] <= '9') p.insert(0, "0");
  return p;
}

// Required, valid UTF-8, no control characters, at most max_chars code points.
void CheckFreeText(Errors& errors, std::string_view field, std::string_view label,
                   std::string_view value, size_t max_chars) {
  const std::string l(label);
  if (value.empty()) {
    errors.Add(field, "required", l + "を入力してください。");
    return;
  }
  switch (CheckText(value, max_chars)) {
    case TextIssue::kOk:
      return;
    case TextIssue::kInvalidUtf8:
      errors.Add(field, "encoding",
                 l + "に読み取れない文字が含まれています。入力し直してください。");
      return;
    case TextIssue::kControlCharacter:
      errors.Add(field, "control_character",
                 l + "に改行・タブなどの制御文字は使用できません。1行で入力してください。");
      return;
    case TextIssue::kTooLong:
      errors.Add(field, "length",
                 l + "は" + std::to_string(max_chars) + "文字以内で入力してください。");
      return;
  }
}

void CheckContactFields(Errors& errors, std::string_view contact_name, std::string_view phone,
                        std::string_view email, std::string_view terminal_name) {
  CheckFreeText(errors, "contact_name", "担当部署/担当者名", contact_name, kMaxContactNameChars);
  if (phone.empty()) {
    errors.Add("phone", "required", "電話番号を入力してください。");
  } else if (!IsValidPhone(phone)) {
    errors.Add("phone", "phone_syntax",
               "電話番号は0から始まる10桁または11桁の数字で入力してください"
               "（ハイフン区切り可。例：03-1234-5678）。");
  }
  if (email.empty()) {
    errors.Add("email", "required", "メールアドレスを入力してください。");
  } else if (email.size() > kMaxEmailLength) {
    errors.Add("email", "length", "メールアドレスは254文字以内で入力してください。");
  } else if (!IsValidEmail(email)) {
    errors.Add("email", "email_syntax",
               "メールアドレスの形式が正しくありません。半角英数字で、"
               "例：uketsuke@example.jp のように入力してください。");
  }
  CheckFreeText(errors, "terminal_name", "端末名称等", terminal_name, kMaxTerminalNameChars);
}

std::string CategoryDisplay(const Category& c) {
  return "「" + std::string(c.code) + "：" + std::string(c.label_ja) + "」";
}

// The 7-digit 医療機関コード of categories other than 6.
void CheckFacilityCode(Errors& errors, const InstitutionForm& form,
                       const std::optional<Category>& category, bool prefecture_ok,
                       bool score_table_matches) {
  const std::string& code = form.facility_code;
  if (!IsAsciiDigits(code)) {
    errors.Add("facility_code", "digits",
               "医療機関コードは数字のみで入力してください（ハイフン・空白は不要です）。");
    return;
  }
  if (!category.has_value()) return;  // the expected length is unknown
  if (code.size() != 7) {
    std::string message = "医療機関コードは7桁の数字で入力してください。";
    if (code.size() == 10) {
      message +=
          "10桁の医療機関等コードをお持ちの場合は、先頭3桁（都道府県コードと点数表）を"
          "除いた7桁を入力してください。";
    }
    errors.Add("facility_code", "length", std::move(message));
    return;
  }
  // A 仮コード of a clinic about to open (docs/newinst.md) fails the real rule on purpose
  // and is accepted in its own form.
  if (prefecture_ok && score_table_matches &&
      !FacilityCodeCheckDigitOk(form.prefecture, form.score_table, code) &&
      !ProvisionalFacilityCodeOk(form.prefecture, form.score_table, code)) {
    // The check digit covers 都道府県 + 点数表 + the code (DOMAIN.md §11): a wrong prefecture
    // fails it as surely as a mistyped code. One message, on both fields (the portal marks
    // both and shows it once); the prefectures under which the code is valid are named.
    std::string message =
        "都道府県コードと医療機関コードの組み合わせが正しくありません（医療機関コードの末尾の"
        "検証番号が合いません）。指定通知書等に記載の都道府県と7桁の番号をご確認ください。";
    std::string fits;
    int n = 0;
    for (const Prefecture& p : AllPrefectures()) {
      if (FacilityCodeCheckDigitOk(p.code, form.score_table, code)) {
        fits += (fits.empty() ? "" : "、") + std::string(p.code) + "：" + std::string(p.name_ja);
        ++n;
      }
    }
    if (n > 0 && n <= 6) {
      message += "この医療機関コードに合う都道府県は「" + fits + "」です。";
    }
    message += "新規開設で仮コードをお使いの場合は、仮コードの下7桁をご確認ください。";
    errors.Add("prefecture", "prefecture_code_mismatch", message);
    errors.Add("facility_code", "check_digit", std::move(message));
  }
}

// The 10-digit 機関番号 of category 6 (特健機関).
void CheckCheckupBodyNumber(Errors& errors, const InstitutionForm& form, bool prefecture_ok) {
  const std::string& code = form.facility_code;
  if (!IsAsciiDigits(code)) {
    errors.Add("facility_code", "digits",
               "機関番号は数字のみで入力してください（ハイフン・空白は不要です）。");
    return;
  }
  if (code.size() != 10) {
    errors.Add("facility_code", "length", "特健機関の機関番号は10桁の数字で入力してください。");
    return;
  }
  if (!CheckupBodyNumberOk(code)) {
    errors.Add("facility_code", "unknown_prefecture",
               "機関番号の先頭2桁が都道府県コード（01〜47）になっていません。"
               "機関番号をご確認ください。");
    return;
  }
  if (prefecture_ok && code.compare(0, 2, form.prefecture) != 0) {
    errors.Add("facility_code", "prefecture_mismatch",
               "機関番号の先頭2桁が都道府県コードと一致しません。都道府県コードと機関番号を"
               "ご確認ください。");
  }
}

}  // namespace

InstitutionForm Normalize(InstitutionForm form) {
  form.category = NormalizeCategory(form.category);
  form.prefecture = NormalizePrefecture(form.prefecture);
  form.score_table = NormalizeCode(form.score_table);
  form.facility_code = NormalizeCode(form.facility_code);
  form.institution_name = NormalizeText(form.institution_name);
  form.contact_name = NormalizeText(form.contact_name);
  form.phone = NormalizePhone(form.phone);
  form.email = NormalizeCode(form.email);
  form.terminal_name = NormalizeText(form.terminal_name);
  return form;
}

InsurerForm Normalize(InsurerForm form) {
  form.category = NormalizeCategory(form.category);
  form.insurer_number = NormalizeCode(form.insurer_number);
  form.insurer_name = NormalizeText(form.insurer_name);
  form.contact_name = NormalizeText(form.contact_name);
  form.phone = NormalizePhone(form.phone);
  form.email = NormalizeCode(form.email);
  form.terminal_name = NormalizeText(form.terminal_name);
  return form;
}

std::vector<FieldError> Validate(const InstitutionForm& form) {
  Errors errors;

  // category
  std::optional<Category> category = FindCategory(form.category);
  if (form.category.empty()) {
    errors.Add("category", "required", "分類を選択してください。");
  } else if (category.has_value() && category->form == FormKind::kInsurer) {
    errors.Add("category", "wrong_form",
               "保険者（分類7）は「医療保険者等」の申請画面から申請してください。");
    category.reset();
  } else if (!category.has_value()) {
    errors.Add("category", "unknown_category",
               "分類の値が正しくありません。1〜6、8、n、s のいずれかを選択してください。");
  }
  const bool checkup_body =
      category.has_value() && category->code_field == CodeField::kCheckupBodyNumber;

  // prefecture
  const bool prefecture_ok = IsValidPrefecture(form.prefecture);
  if (form.prefecture.empty()) {
    errors.Add("prefecture", "required", "都道府県コードを選択してください。");
  } else if (!prefecture_ok) {
    errors.Add("prefecture", "unknown_prefecture",
               "都道府県コードは01（北海道）から47（沖縄県）までの2桁の数字で入力してください。");
  }

  // score_table
  bool score_table_matches = false;
  if (checkup_body) {
    if (!form.score_table.empty()) {
      errors.Add("score_table", "category_score_table_mismatch",
                 "分類" + CategoryDisplay(*category) +
                     "では点数表は入力しないでください（空欄のままにしてください）。");
    }
  } else if (form.score_table.empty()) {
    errors.Add("score_table", "required", "点数表を選択してください。");
  } else if (std::optional<ScoreTable> table = FindScoreTable(form.score_table); !table) {
    errors.Add("score_table", "unknown_score_table",
               "点数表の値が正しくありません。1、3、4、6、7 のいずれかを選択してください。");
  } else if (category.has_value() && category->score_table != table->code) {
    const std::optional<ScoreTable> want = FindScoreTable(category->score_table);
    errors.Add("score_table", "category_score_table_mismatch",
               "分類" + CategoryDisplay(*category) + "の点数表は「" + std::string(want->code) +
                   "：" + std::string(want->label_ja) +
                   "」です。分類と点数表の組み合わせをご確認ください。");
  } else {
    score_table_matches = category.has_value();
  }

  // facility_code
  if (form.facility_code.empty()) {
    errors.Add(
        "facility_code", "required",
        checkup_body ? "機関番号を入力してください。" : "医療機関コードを入力してください。");
  } else if (checkup_body) {
    CheckCheckupBodyNumber(errors, form, prefecture_ok);
  } else {
    CheckFacilityCode(errors, form, category, prefecture_ok, score_table_matches);
  }

  CheckFreeText(errors, "institution_name", "医療機関(薬局)名称", form.institution_name,
                kMaxInstitutionNameChars);
  CheckContactFields(errors, form.contact_name, form.phone, form.email, form.terminal_name);
  return errors.Take();
}

std::vector<FieldError> Validate(const InsurerForm& form) {
  Errors errors;

  const std::optional<Category> category = FindCategory(form.category);
  if (form.category.empty()) {
    errors.Add("category", "required", "分類は「7：保険者」を選択してください。");
  } else if (category.has_value() && category->form == FormKind::kInstitution) {
    errors.Add(
        "category", "wrong_form",
        "医療機関等（分類" + form.category + "）は「医療機関等」の申請画面から申請してください。");
  } else if (!category.has_value()) {
    errors.Add("category", "unknown_category", "分類は「7：保険者」を選択してください。");
  }

  const std::string& number = form.insurer_number;
  if (number.empty()) {
    errors.Add("insurer_number", "required", "保険者番号を入力してください。");
  } else if (!IsAsciiDigits(number)) {
    errors.Add("insurer_number", "digits",
               "保険者番号は数字のみで入力してください（ハイフン・空白は不要です）。");
  } else if (number.size() == 6) {
    errors.Add("insurer_number", "length",
               "保険者番号は8桁で入力してください。6桁の国民健康保険の保険者番号は、この申請画面"
               "では受け付けていません。認証局の窓口にお問い合わせください。");
  } else if (number.size() != 8) {
    errors.Add("insurer_number", "length", "保険者番号は8桁の数字で入力してください。");
  } else if (!InsurerNumberOk(number)) {
    errors.Add("insurer_number", "check_digit",
               "保険者番号の検証番号（末尾の1桁）が正しくありません。8桁の保険者番号を"
               "ご確認ください。");
  }

  CheckFreeText(errors, "insurer_name", "医療保険者等名", form.insurer_name, kMaxInsurerNameChars);
  CheckContactFields(errors, form.contact_name, form.phone, form.email, form.terminal_name);
  return errors.Take();
}

Result<std::string> InstitutionCode(const InstitutionForm& form) {
  const std::vector<FieldError> errors = Validate(form);
  if (!errors.empty()) {
    return InvalidArgument("institution form is not valid: " + errors.front().field + " " +
                           errors.front().rule);
  }
  if (FindCategory(form.category)->code_field == CodeField::kCheckupBodyNumber) {
    return form.facility_code;  // the 10-digit 機関番号
  }
  return form.prefecture + form.score_table + form.facility_code;
}

}  // namespace claimsca::domain
