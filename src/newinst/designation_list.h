#pragma once

// The bureau's 新規指定医療機関一覧表 (seed 003 §2; docs/newinst.md "The bureau's list and the
// code swap"), read from the first sheet of its .xlsx or from a CSV with the same columns.
// The form of 保険医療機関等管理システム is not published, so columns are found by their
// header names (Japanese, spaces and line breaks ignored), wherever they stand, in the
// first row (of the first 30) that names a code column and 医療機関名称. Pure: no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "newinst/xlsx_reader.h"

namespace claimsca::newinst {

// One data row as read, normalised (codes: ASCII digits, leading zeros restored; the date
// as YYYY-MM-DD). Fields the file lacks, or leaves empty, are "".
struct DesignationRow {
  int row = 0;  // the row number in the sheet (xlsx) or the line (CSV)
  std::string real_code;  // 10 digits: 医療機関等コード, or 都道府県+点数表+医療機関コード
  std::string prefecture;        // "01"–"47" (from 都道府県, or the code)
  std::string score_table;       // "1", "3", … (from 点数表, or the code)
  std::string name;              // 医療機関名称
  std::string reception_number;  // 受付番号
  std::string provisional_code;  // 仮コード
  std::string designated_on;     // 指定年月日
  std::string postal_code;       // 郵便番号 (optional column)
  std::string address;           // 所在地 (optional column)
  // A problem with this row's own cells (bad date, unreadable code); machine code and
  // Japanese text. Empty when the row reads well.
  std::string problem_code;
  std::string problem_ja;
};

struct DesignationList {
  int header_row = 0;
  std::vector<DesignationRow> rows;  // data rows (blank rows skipped)
};

// The whole list is refused (InvalidArgument) when no header row is found or a required
// column is missing; the message names the missing column in Japanese, e.g.
// "必須の列「指定年月日」がありません (missing_column)".
Result<DesignationList> ReadDesignationList(const XlsxSheet& sheet);
// CSV: UTF-8 (with or without BOM) or Shift_JIS (CP932, as Excel saves it).
Result<DesignationList> ReadDesignationCsv(std::string_view bytes);

// Digits only (full-width folded, hyphens and spaces dropped), left-padded with zeros to
// `width` when shorter: a code in a number cell loses the leading zero of prefectures
// 01–09. "" when the text has anything else.
std::string NormaliseCodeCell(std::string_view text, std::size_t width);

}  // namespace claimsca::newinst
