#include "newinst/xlsx_fixture.h"

#include <xlsxwriter.h>

namespace claimsca::newinst::testing {

FixtureCell FixtureCell::Str(int r, int c, std::string s) {
  FixtureCell x;
  x.row = r, x.col = c, x.kind = Kind::kString, x.text = std::move(s);
  return x;
}
FixtureCell FixtureCell::Num(int r, int c, double v) {
  FixtureCell x;
  x.row = r, x.col = c, x.kind = Kind::kNumber, x.number = v;
  return x;
}
FixtureCell FixtureCell::Rich(int r, int c, std::vector<std::string> runs) {
  FixtureCell x;
  x.row = r, x.col = c, x.kind = Kind::kRich, x.runs = std::move(runs);
  return x;
}
FixtureCell FixtureCell::Date(int r, int c, int y, int m, int d) {
  FixtureCell x;
  x.row = r, x.col = c, x.kind = Kind::kDate, x.year = y, x.month = m, x.day = d;
  return x;
}

namespace {

lxw_error WriteCell(lxw_worksheet* ws, const FixtureCell& c, lxw_format* bold, lxw_format* date) {
  const auto r = static_cast<lxw_row_t>(c.row);
  const auto col = static_cast<lxw_col_t>(c.col);
  switch (c.kind) {
    case FixtureCell::Kind::kString:
      return worksheet_write_string(ws, r, col, c.text.c_str(), nullptr);
    case FixtureCell::Kind::kNumber:
      return worksheet_write_number(ws, r, col, c.number, nullptr);
    case FixtureCell::Kind::kDate: {
      lxw_datetime dt = {c.year, static_cast<uint8_t>(c.month), static_cast<uint8_t>(c.day), 0, 0,
                         0};
      return worksheet_write_datetime(ws, r, col, &dt, date);
    }
    case FixtureCell::Kind::kRich: {
      std::vector<lxw_rich_string_tuple> tuples(c.runs.size());
      std::vector<lxw_rich_string_tuple*> ptrs;
      for (std::size_t i = 0; i < c.runs.size(); ++i) {
        tuples[i].format = i == 1 ? bold : nullptr;
        tuples[i].string = const_cast<char*>(c.runs[i].c_str());
        ptrs.push_back(&tuples[i]);
      }
      ptrs.push_back(nullptr);
      return worksheet_write_rich_string(ws, r, col, ptrs.data(), nullptr);
    }
  }
  return LXW_ERROR_PARAMETER_VALIDATION;
}

}  // namespace

Status WriteXlsx(const std::string& path, const std::vector<FixtureSheet>& sheets,
                 bool inline_strings) {
  lxw_workbook_options options = {};
  options.constant_memory = inline_strings ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(path.c_str(), &options);
  if (wb == nullptr) return Internal("libxlsxwriter: cannot create " + path);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy/mm/dd");
  for (const FixtureSheet& s : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
    for (const FixtureCell& c : s.cells) {
      const lxw_error e = WriteCell(ws, c, bold, date);
      if (e != LXW_NO_ERROR) {
        workbook_close(wb);
        return Internal(std::string("libxlsxwriter: ") + lxw_strerror(e));
      }
    }
  }
  const lxw_error e = workbook_close(wb);
  if (e != LXW_NO_ERROR) return Internal(std::string("libxlsxwriter: ") + lxw_strerror(e));
  return Status::Ok();
}

}  // namespace claimsca::newinst::testing
