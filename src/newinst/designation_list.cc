#include "newinst/designation_list.h"

#include <array>
#include <cstdlib>
#include <map>

#include "billing/text_encoding.h"
#include "domain/normalize.h"
#include "domain/prefecture.h"
#include "store/register_csv.h"

namespace claimsca::newinst {
namespace {

// The columns we accept, each under one or more header names (after HeaderKey).
enum Col {
  kPref,
  kScore,
  kCode7,
  kCode10,
  kName,
  kReception,
  kProvisional,
  kDate,
  kPostal,
  kAddress,
  kCols
};

constexpr std::array<std::pair<Col, std::string_view>, 17> kHeaders = {{
    {kPref, "都道府県"},
    {kPref, "都道府県コード"},
    {kScore, "点数表"},
    {kScore, "点数表コード"},
    {kCode7, "医療機関コード"},
    {kCode7, "薬局コード"},
    {kCode10, "医療機関等コード"},
    {kName, "医療機関名称"},
    {kName, "医療機関等名称"},
    {kName, "名称"},
    {kReception, "受付番号"},
    {kProvisional, "仮コード"},
    {kDate, "指定年月日"},
    {kDate, "指定日"},
    {kPostal, "郵便番号"},
    {kAddress, "所在地"},
    {kAddress, "医療機関所在地"},
}};

// A header cell as compared: width-folded, every space, U+3000 and line break removed.
std::string HeaderKey(std::string_view s) {
  std::string k = domain::NameKey(s);
  std::string out;
  for (char c : k) {
    if (c != '\n' && c != '\r' && c != '\t') out.push_back(c);
  }
  return out;
}

using Grid = std::vector<std::pair<int, std::vector<std::string>>>;  // (row number, cells)

std::string Date(const std::string& text, bool is_number, bool date1904, bool* ok) {
  *ok = true;
  if (text.empty()) return "";
  if (is_number) {
    const Result<std::string> d = ExcelSerialToDate(std::atof(text.c_str()), date1904);
    if (d.ok()) return *d;
    *ok = false;
    return "";
  }
  // 2026/12/01, 2026-12-01, 2026年12月1日, 令和8年12月1日 (R8.12.1 is not accepted).
  std::string t = domain::NormalizeCode(text);
  int era_offset = 0;
  if (t.rfind("令和", 0) == 0) {
    era_offset = 2018;
    t = t.substr(std::string_view("令和").size());
  }
  int y = 0, m = 0, d = 0;
  std::size_t i = 0;
  auto number = [&](int& v) {
    std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') v = v * 10 + (t[i++] - '0');
    return i > start;
  };
  auto sep = [&]() {
    for (std::string_view s : {"/", "-", ".", "年", "月"}) {
      if (t.compare(i, s.size(), s) == 0) {
        i += s.size();
        return true;
      }
    }
    return false;
  };
  const bool parsed = number(y) && sep() && number(m) && sep() && number(d) &&
                      (i == t.size() || t.compare(i, std::string::npos, "日") == 0);
  y += era_offset;
  if (!parsed || y < 1900 || m < 1 || m > 12 || d < 1 || d > 31) {
    *ok = false;
    return "";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

Result<DesignationList> FromGrid(const Grid& grid, bool date1904,
                                 const std::vector<std::vector<bool>>& numeric) {
  DesignationList list;
  std::array<int, kCols> at;
  std::size_t header_index = 0;
  bool found = false;
  for (std::size_t g = 0; g < grid.size() && g < 30 && !found; ++g) {
    at.fill(-1);
    for (std::size_t c = 0; c < grid[g].second.size(); ++c) {
      const std::string k = HeaderKey(grid[g].second[c]);
      for (const auto& [col, name] : kHeaders) {
        if (k == name && at[col] < 0) at[col] = static_cast<int>(c);
      }
    }
    if (at[kName] >= 0 && (at[kCode10] >= 0 || at[kCode7] >= 0)) {
      found = true;
      header_index = g;
    }
  }
  if (!found) {
    return InvalidArgument(
        "見出し行（「医療機関名称」と「医療機関等コード」または「医療機関コード」の列）が見つかりま"
        "せん "
        "(no_header_row)");
  }
  list.header_row = grid[header_index].first;
  auto missing = [](std::string_view name) {
    return InvalidArgument("必須の列「" + std::string(name) + "」がありません (missing_column)");
  };
  if (at[kCode10] < 0) {
    if (at[kPref] < 0) return missing("都道府県");
    if (at[kScore] < 0) return missing("点数表");
  }
  if (at[kReception] < 0 && at[kProvisional] < 0) return missing("受付番号");
  if (at[kDate] < 0) return missing("指定年月日");

  for (std::size_t g = header_index + 1; g < grid.size(); ++g) {
    const auto& cells = grid[g].second;
    auto cell = [&](Col c) -> std::string {
      if (at[c] < 0 || static_cast<std::size_t>(at[c]) >= cells.size()) return "";
      return std::string(domain::TrimSpaces(cells[static_cast<std::size_t>(at[c])]));
    };
    bool blank = true;
    for (const std::string& s : cells) blank = blank && domain::TrimSpaces(s).empty();
    if (blank) continue;
    DesignationRow r;
    r.row = grid[g].first;
    auto bad = [&r](const char* code, std::string ja) {
      if (r.problem_code.empty()) r.problem_code = code, r.problem_ja = std::move(ja);
    };
    if (at[kCode10] >= 0 && !cell(kCode10).empty()) {
      r.real_code = NormaliseCodeCell(cell(kCode10), 10);
      if (r.real_code.empty())
        bad("bad_code", "医療機関等コード「" + cell(kCode10) + "」が数字10桁ではありません");
    } else if (at[kCode7] >= 0 && !cell(kCode7).empty()) {
      const std::string pref = NormaliseCodeCell(cell(kPref), 2);
      const std::string score = NormaliseCodeCell(cell(kScore), 1);
      const std::string code7 = NormaliseCodeCell(cell(kCode7), 7);
      if (pref.size() == 2 && score.size() == 1 && code7.size() == 7) {
        r.real_code = pref + score + code7;
      } else {
        bad("bad_code", "都道府県・点数表・医療機関コード「" + cell(kPref) + "・" + cell(kScore) +
                            "・" + cell(kCode7) + "」から医療機関等コードを作れません");
      }
    } else {
      bad("missing_code", "医療機関等コードが空です");
    }
    r.prefecture = at[kPref] >= 0 ? NormaliseCodeCell(cell(kPref), 2) : r.real_code.substr(0, 2);
    if (at[kPref] >= 0 && r.prefecture.empty()) {
      // 都道府県 written as a name (東京都).
      for (const domain::Prefecture& p : domain::AllPrefectures()) {
        if (p.name_ja == cell(kPref)) r.prefecture = std::string(p.code);
      }
    }
    r.score_table = at[kScore] >= 0 ? NormaliseCodeCell(cell(kScore), 1)
                                    : (r.real_code.size() == 10 ? r.real_code.substr(2, 1) : "");
    r.name = cell(kName);
    if (r.name.empty()) bad("missing_name", "医療機関名称が空です");
    r.reception_number = NormaliseCodeCell(cell(kReception), 10);
    r.provisional_code = NormaliseCodeCell(cell(kProvisional), 10);
    if (!cell(kReception).empty() && r.reception_number.empty()) {
      bad("bad_reception_number", "受付番号「" + cell(kReception) + "」が数字10桁ではありません");
    }
    if (!cell(kProvisional).empty() && r.provisional_code.empty()) {
      bad("bad_provisional_code", "仮コード「" + cell(kProvisional) + "」が数字10桁ではありません");
    }
    if (r.reception_number.empty() && r.provisional_code.empty()) {
      bad("missing_reception_number", "受付番号も仮コードも空です");
    }
    bool date_ok = true;
    const bool date_is_number = g < numeric.size() && at[kDate] >= 0 &&
                                static_cast<std::size_t>(at[kDate]) < numeric[g].size() &&
                                numeric[g][static_cast<std::size_t>(at[kDate])];
    r.designated_on = Date(cell(kDate), date_is_number, date1904, &date_ok);
    if (!date_ok) bad("bad_date", "指定年月日「" + cell(kDate) + "」が日付として読めません");
    if (date_ok && r.designated_on.empty()) bad("missing_date", "指定年月日が空です");
    r.postal_code = NormaliseCodeCell(cell(kPostal), 7);
    r.address = cell(kAddress);
    list.rows.push_back(std::move(r));
  }
  return list;
}

bool ValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

std::string NormaliseCodeCell(std::string_view text, std::size_t width) {
  const std::string folded = domain::NormalizeCode(text);
  std::string digits;
  for (char c : folded) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != '-' && c != ' ') {
      return "";
    }
  }
  if (digits.empty() || digits.size() > width) return digits.size() > width ? "" : digits;
  return std::string(width - digits.size(), '0') + digits;
}

Result<DesignationList> ReadDesignationList(const XlsxSheet& sheet) {
  Grid grid;
  std::vector<std::vector<bool>> numeric;
  for (const XlsxRow& row : sheet.rows) {
    std::vector<std::string> cells;
    std::vector<bool> num;
    for (const XlsxCell& c : row.cells) {
      cells.push_back(c.text);
      num.push_back(c.type == XlsxCell::Type::kNumber);
    }
    grid.emplace_back(row.number, std::move(cells));
    numeric.push_back(std::move(num));
  }
  return FromGrid(grid, sheet.date1904, numeric);
}

Result<DesignationList> ReadDesignationCsv(std::string_view bytes) {
  std::string text(bytes);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  if (!ValidUtf8(text)) {
    Result<std::string> u = billing::Cp932ToUtf8(text);
    if (!u.ok()) {
      return InvalidArgument("CSVの文字コードがUTF-8でもShift_JISでもありません (bad_encoding): " +
                             u.status().message());
    }
    text = std::move(*u);
  }
  Grid grid;
  int line = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view l(text.data() + pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    ++line;
    pos = end + 1;
    std::vector<std::string> fields;
    if (!store::SplitCsvLine(l, fields)) {
      return InvalidArgument(std::to_string(line) + "行目: 引用符が閉じていません (bad_csv)");
    }
    grid.emplace_back(line, std::move(fields));
  }
  return FromGrid(grid, false, {});
}

}  // namespace claimsca::newinst
