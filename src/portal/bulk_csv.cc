#include "portal/bulk_csv.h"

#include <algorithm>
#include <map>

#include "billing/text_encoding.h"
#include "domain/normalize.h"
#include "store/register_csv.h"

namespace claimsca::portal {
namespace {

std::string* Member(ra::ApplicationForm& f, std::string_view field) {
  if (field == "category") return &f.category;
  if (field == "prefecture") return &f.prefecture;
  if (field == "score_table") return &f.score_table;
  if (field == "facility_code") return &f.facility_code;
  if (field == "institution_name") return &f.institution_name;
  if (field == "contact_name") return &f.contact_name;
  if (field == "phone") return &f.phone;
  if (field == "email") return &f.email;
  if (field == "terminal_name") return &f.terminal_name;
  return nullptr;
}

// The column's field for a header cell: its label, the label without "（7桁）", or the API
// name; "" when none.
std::string FieldOfHeader(std::string_view cell) {
  const std::string c(domain::TrimSpaces(cell));
  for (const BulkColumn& col : kBulkColumns) {
    std::string label = col.label;
    if (auto p = label.find("（"); p != std::string::npos && c == label.substr(0, p)) {
      return col.field;
    }
    if (c == col.label || c == col.field) return col.field;
  }
  return "";
}

bool AllDigits(std::string_view s) {
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return !s.empty();
}

std::string Quote(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string_view BulkLabel(std::string_view field) {
  for (const BulkColumn& c : kBulkColumns) {
    if (field == c.field) return c.label;
  }
  return "";
}

BulkFile ParseBulkCsv(std::string_view bytes, size_t max_rows) {
  BulkFile out;
  std::string text(bytes);
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  if (!domain::Utf8Length(text).has_value()) {
    auto utf8 = billing::Cp932ToUtf8(text);
    if (!utf8.ok()) {
      out.errors.push_back(
          "ファイルの文字コードを読み取れません。UTF-8 または Shift_JIS で保存した CSV "
          "ファイルを選んでください。");
      return out;
    }
    text = std::move(*utf8);
  }
  out.text = text;
  std::vector<std::string> fields;  // column index → field name
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::vector<std::string> cells;
    if (!store::SplitCsvLine(line, cells)) {
      out.errors.push_back(std::to_string(line_no) +
                           "行目：引用符（\"）が閉じていません。セルの中で改行しないでください。");
      return out;
    }
    bool blank = true;
    for (const std::string& c : cells) blank = blank && domain::TrimSpaces(c).empty();
    if (blank) {
      if (end == text.size()) break;
      continue;
    }
    if (fields.empty()) {  // the header
      for (const std::string& c : cells) {
        std::string f = FieldOfHeader(c);
        if (f.empty()) {
          out.errors.push_back("1行目（見出し）：「" + std::string(domain::TrimSpaces(c)) +
                               "」は申請書の項目ではありません。ひな形の見出し行をそのまま"
                               "使ってください。");
        }
        fields.push_back(std::move(f));
      }
      for (const BulkColumn& col : kBulkColumns) {
        if (std::find(fields.begin(), fields.end(), col.field) == fields.end()) {
          out.errors.push_back("1行目（見出し）：「" + std::string(col.label) +
                               "」の列がありません。");
        }
      }
      if (!out.errors.empty()) return out;
      continue;
    }
    if (cells.size() != fields.size()) {
      out.errors.push_back(std::to_string(line_no) + "行目：項目の数が" +
                           std::to_string(cells.size()) + "個です（見出しは" +
                           std::to_string(fields.size()) + "個）。");
      continue;
    }
    BulkRow row;
    row.line = line_no;
    row.form.applicant_kind = "institution";
    for (size_t i = 0; i < cells.size(); ++i) *Member(row.form, fields[i]) = cells[i];
    // Excel's lost leading zeros (a category 6 機関番号 is 10 digits and left alone).
    std::string code = domain::NormalizeCode(row.form.facility_code);
    if (AllDigits(code) && code.size() >= 4 && code.size() <= 6 &&
        domain::NormalizeCode(row.form.category) != "6") {
      row.form.facility_code = std::string(7 - code.size(), '0') + code;
    }
    out.rows.push_back(std::move(row));
    if (out.rows.size() > max_rows) {
      out.errors.push_back("1つのファイルで申請できるのは" + std::to_string(max_rows) +
                           "台までです。ファイルを分けてください。");
      return out;
    }
    if (end == text.size()) break;
  }
  if (fields.empty()) {
    out.errors.push_back("ファイルが空です。ひな形に1行1台で入力してください。");
  } else if (out.rows.empty() && out.errors.empty()) {
    out.errors.push_back("申請する端末の行がありません（見出し行だけです）。");
  }
  return out;
}

std::string BulkTemplateCsv(const ra::ApplicationForm& prefill) {
  std::string out = "\xEF\xBB\xBF";
  std::string header, example;
  ra::ApplicationForm f = prefill;
  if (f.contact_name.empty()) f.contact_name = "医事課 山田";
  if (f.phone.empty()) f.phone = "03-1234-5678";
  if (f.email.empty()) f.email = "iji@example.jp";
  f.terminal_name = "受付端末1";
  for (const BulkColumn& c : kBulkColumns) {
    header += (header.empty() ? "" : ",") + std::string(c.label);
    example += (example.empty() ? "" : ",") + Quote(*Member(f, c.field));
  }
  return out + header + "\r\n" + example + "\r\n";
}

}  // namespace claimsca::portal
