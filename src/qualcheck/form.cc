#include "qualcheck/form.h"

#include <array>
#include <charconv>

#include "domain/codes.h"
#include "domain/normalize.h"

namespace claimsca::qualcheck {
namespace {

using domain::FieldError;

struct Label {
  std::string_view field, ja;
};
constexpr std::array<Label, 17> kLabels{{
    {"kinds", "申請区分"},
    {"contact_name", "担当者名"},
    {"prefecture", "都道府県"},
    {"score_table", "点数表"},
    {"facility_code", "医療機関コード・薬局コード"},
    {"name", "医療機関等名"},
    {"founder_name", "開設者氏名（漢字）"},
    {"phone", "電話番号"},
    {"email", "メールアドレス"},
    {"password", "パスワード"},
    {"bank_last4", "口座番号（下4桁）"},
    {"staff_count", "職員数"},
    {"devices", "申請台数"},
    {"end_date", "利用終了予定年月日"},
    {"end_action", "取り消し・変更"},
    {"institution_code", "医療機関等コード"},
    {"paper_ref", "受付番号"},
}};

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool AllAlnum(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!ok) return false;
  }
  return true;
}

std::optional<int> PositiveInt(std::string_view s, int max) {
  if (!AllDigits(s) || s.size() > 6) return std::nullopt;
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v < 1 || v > max) return std::nullopt;
  return v;
}

class Errors {
 public:
  void Add(std::string_view field, std::string_view rule, std::string_view what) {
    errors_.push_back(FieldError{
        std::string(field), std::string(rule),
        std::string("「") + std::string(FieldLabelJa(field)) + "」" + std::string(what)});
  }
  // Free text: required, valid UTF-8 without controls, at most max characters.
  void Text(std::string_view field, std::string_view v, size_t max) {
    if (v.empty()) return Add(field, "required", "を入力してください。");
    switch (domain::CheckText(v, max)) {
      case domain::TextIssue::kOk:
        return;
      case domain::TextIssue::kInvalidUtf8:
        return Add(field, "invalid_utf8", "に使用できない文字が含まれています。");
      case domain::TextIssue::kControlCharacter:
        return Add(field, "control_char", "に制御文字が含まれています。");
      case domain::TextIssue::kTooLong:
        return Add(field, "too_long", "は" + std::to_string(max) + "文字以内で入力してください。");
    }
  }
  std::vector<FieldError> Take() { return std::move(errors_); }

 private:
  std::vector<FieldError> errors_;
};

}  // namespace

std::string KindsCode(const Form& f) {
  std::string s;
  if (f.kind1) s += '1';
  if (f.kind2) s += '2';
  if (f.kind3) s += '3';
  return s;
}

bool SetKinds(std::string_view code, Form* f) {
  if (code != "1" && code != "2" && code != "12" && code != "3") return false;
  f->kind1 = code.find('1') != std::string_view::npos;
  f->kind2 = code.find('2') != std::string_view::npos;
  f->kind3 = code == "3";
  return true;
}

std::string KindsJa(std::string_view kinds_code) {
  std::string out;
  auto add = [&](std::string_view s) {
    if (!out.empty()) out += "、";
    out += s;
  };
  if (kinds_code.find('1') != std::string_view::npos) add("1. ポータルサイトユーザー登録申請");
  if (kinds_code.find('2') != std::string_view::npos) add("2. マイナ資格確認アプリ利用開始申請");
  if (kinds_code.find('3') != std::string_view::npos) {
    add("3. マイナ資格確認アプリ利用終了・変更申請");
  }
  return out;
}

Form Normalize(Form f) {
  f.contact_name = domain::NormalizeText(f.contact_name);
  f.prefecture = domain::NormalizeCode(f.prefecture);
  if (f.prefecture.size() == 1 && AllDigits(f.prefecture)) f.prefecture = "0" + f.prefecture;
  f.score_table = domain::NormalizeCode(f.score_table);
  f.facility_code = domain::NormalizeCode(f.facility_code);
  f.name = domain::NormalizeText(f.name);
  f.founder_name = domain::NormalizeText(f.founder_name);
  f.phone = domain::NormalizePhone(f.phone);
  f.email = domain::NormalizeCode(f.email);
  f.bank_last4 = domain::NormalizeCode(f.bank_last4);
  f.staff_count = domain::NormalizeCode(f.staff_count);
  f.devices = domain::NormalizeCode(f.devices);
  f.end_date = domain::NormalizeCode(f.end_date);
  if (f.end_date.size() == 10 && f.end_date[4] == '/' && f.end_date[7] == '/') {
    f.end_date[4] = f.end_date[7] = '-';
  }
  f.end_action = std::string(domain::TrimSpaces(f.end_action));
  return f;
}

std::optional<Date> ParseEndDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) {
    return std::nullopt;
  }
  int y = 0;
  unsigned m = 0, d = 0;
  std::from_chars(s.data(), s.data() + 4, y);
  std::from_chars(s.data() + 5, s.data() + 7, m);
  std::from_chars(s.data() + 8, s.data() + 10, d);
  const Date date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!date.ok() || y < 2000) return std::nullopt;
  return date;
}

std::vector<FieldError> Validate(const Form& f) {
  Errors e;
  const std::string kinds = KindsCode(f);
  if (kinds.empty()) {
    e.Add("kinds", "required", "を選択してください。");
  } else if (kinds != "1" && kinds != "2" && kinds != "12" && kinds != "3") {
    e.Add("kinds", "combination",
          "は「1」「2」「1と2」「3」のいずれかです（3は単独で申請してください）。");
  }
  e.Text("contact_name", f.contact_name, 50);

  bool code_parts_ok = true;
  if (f.prefecture.empty()) {
    e.Add("prefecture", "required", "を入力してください。");
    code_parts_ok = false;
  } else if (f.prefecture.size() != 2 || !AllDigits(f.prefecture) || f.prefecture < "01" ||
             f.prefecture > "47") {
    e.Add("prefecture", "format", "は01〜47の2桁の数字です。");
    code_parts_ok = false;
  }
  if (f.score_table.empty()) {
    e.Add("score_table", "required", "を入力してください。");
    code_parts_ok = false;
  } else if (f.score_table.size() != 1 || !AllDigits(f.score_table)) {
    e.Add("score_table", "format", "は1桁の数字です。");
    code_parts_ok = false;
  }
  if (f.facility_code.empty()) {
    e.Add("facility_code", "required", "を入力してください。");
  } else if (f.facility_code.size() != 7 || !AllDigits(f.facility_code)) {
    e.Add("facility_code", "format", "は7桁の数字です。");
  } else if (code_parts_ok &&
             !domain::FacilityCodeCheckDigitOk(f.prefecture, f.score_table, f.facility_code) &&
             !domain::ProvisionalFacilityCodeOk(f.prefecture, f.score_table, f.facility_code)) {
    e.Add("facility_code", "check_digit",
          "の検証番号（最後の1桁）が正しくありません。都道府県・点数表とあわせてご確認ください。");
  }
  e.Text("name", f.name, 100);
  e.Text("founder_name", f.founder_name, 50);
  if (f.phone.empty()) {
    e.Add("phone", "required", "を入力してください。");
  } else if (!domain::IsValidPhone(f.phone)) {
    e.Add("phone", "format", "は0から始まる10桁または11桁の数字です（ハイフン可）。");
  }
  if (f.email.empty()) {
    e.Add("email", "required", "を入力してください。");
  } else if (!domain::IsValidEmail(f.email)) {
    e.Add("email", "format", "の形式が正しくありません。");
  }
  if (!PasswordAsked(f)) {
    if (!f.password.empty()) {
      e.Add("password", "not_asked",
            "は「1」と「2」を同時に申請する場合は記入不要です（注1）。仮パスワードを郵送します。");
    }
  } else if (f.password.empty()) {
    e.Add("password", "required", "を入力してください。");
  } else if (!AllAlnum(f.password)) {
    e.Add("password", "alphanumeric", "は英数字のみで入力してください。");
  } else if (f.password.size() < 8 || f.password.size() > 100) {
    e.Add("password", "length", "は8文字以上100文字以下です。");
  }
  if (f.bank_last4.empty()) {
    e.Add("bank_last4", "required", "を入力してください（注2）。");
  } else if (f.bank_last4.size() != 4 || !AllDigits(f.bank_last4)) {
    e.Add("bank_last4", "format", "は数字4桁です（注2）。");
  }
  const bool use = f.kind2;  // staff and devices are the app use's (注3, 注4)
  if (f.staff_count.empty()) {
    if (use) e.Add("staff_count", "required", "を入力してください（注3）。");
  } else if (!PositiveInt(f.staff_count, kMaxStaff)) {
    e.Add("staff_count", "range", "は1〜" + std::to_string(kMaxStaff) + "の整数です。");
  }
  if (f.devices.empty()) {
    if (use) e.Add("devices", "required", "を入力してください（注4）。");
  } else if (!PositiveInt(f.devices, kMaxDevices)) {
    e.Add("devices", "range", "は1〜" + std::to_string(kMaxDevices) + "の整数です。");
  }
  if (!f.kind3) {
    if (!f.end_date.empty()) {
      e.Add("end_date", "not_applicable", "は申請区分「3」のときだけ記入します。");
    }
    if (!f.end_action.empty() && f.end_action != "end") {
      e.Add("end_action", "not_applicable", "は申請区分「3」のときだけ選択します。");
    }
  } else {
    const std::string& a = f.end_action;
    if (a != "" && a != "end" && a != "cancel" && a != "change") {
      e.Add("end_action", "format", "は「取り消し」か「変更」のどちらか一つです。");
    } else if (a == "cancel") {
      if (!f.end_date.empty()) {
        e.Add("end_date", "not_applicable", "は「取り消し」のときは記入しません（注5）。");
      }
    } else if (f.end_date.empty()) {
      e.Add("end_date", "required", "を西暦で記入してください（注5）。");
    } else if (!ParseEndDate(f.end_date)) {
      e.Add("end_date", "format", "は西暦の年月日（YYYY-MM-DD）です。");
    }
  }
  return e.Take();
}

std::string InstitutionCode(const Form& f) {
  return f.prefecture + f.score_table + f.facility_code;
}

std::optional<int> StaffCount(const Form& f) { return PositiveInt(f.staff_count, kMaxStaff); }
std::optional<int> Devices(const Form& f) { return PositiveInt(f.devices, kMaxDevices); }

std::vector<std::pair<std::string, std::string>> ComparedFields(const Form& f) {
  const std::string action = f.kind3 && f.end_action.empty() ? "end" : f.end_action;
  return {{"kinds", KindsCode(f)},
          {"contact_name", f.contact_name},
          {"prefecture", f.prefecture},
          {"score_table", f.score_table},
          {"facility_code", f.facility_code},
          {"name", f.name},
          {"founder_name", f.founder_name},
          {"phone", domain::PhoneDigits(f.phone)},
          {"email", f.email},
          {"staff_count", f.staff_count},
          {"devices", f.devices},
          {"end_date", f.end_date},
          {"end_action", action}};
}

bool SetField(std::string_view field, std::string_view value, Form* f) {
  const std::string v(value);
  if (field == "kinds") {
    f->kind1 = v.find('1') != std::string::npos;
    f->kind2 = v.find('2') != std::string::npos;
    f->kind3 = v.find('3') != std::string::npos;
  } else if (field == "contact_name") {
    f->contact_name = v;
  } else if (field == "prefecture") {
    f->prefecture = v;
  } else if (field == "score_table") {
    f->score_table = v;
  } else if (field == "facility_code") {
    f->facility_code = v;
  } else if (field == "name") {
    f->name = v;
  } else if (field == "founder_name") {
    f->founder_name = v;
  } else if (field == "phone") {
    f->phone = v;
  } else if (field == "email") {
    f->email = v;
  } else if (field == "staff_count") {
    f->staff_count = v;
  } else if (field == "devices") {
    f->devices = v;
  } else if (field == "end_date") {
    f->end_date = v;
  } else if (field == "end_action") {
    f->end_action = v;
  } else {
    return false;
  }
  return true;
}

std::string_view FieldLabelJa(std::string_view field) {
  for (const Label& l : kLabels) {
    if (l.field == field) return l.ja;
  }
  return field;
}

bool PasswordAsked(const Form& f) { return !(f.kind1 && f.kind2); }

}  // namespace claimsca::qualcheck
