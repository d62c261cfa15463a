#pragma once

// A small reader of the first worksheet of an .xlsx file (SpreadsheetML, ECMA-376), enough for
// the bureau's 新規指定医療機関一覧表 (docs/newinst.md "The bureau's list and the code swap").
// Debian 12 packages no C/C++ xlsx reader, so this one is built on two maintained libraries:
// libzip (the container) and libxml2 (the parts). It follows the package relationships
// (_rels/.rels → workbook → its first <sheet> → the worksheet part), reads shared strings
// (plain and rich-text runs; phonetic runs, <rPh>, are skipped), inline strings, formula
// string results, numbers and booleans, and honours cell references with gaps (Excel omits
// empty cells). It evaluates nothing and reads no styles: a date cell arrives as its serial
// number, and ExcelSerialToDate turns it into a civil date.
//
// Untrusted input: the file size, the number of zip entries, each part's uncompressed size
// (checked against the declared size AND while inflating, so a lying header does not help a
// zip bomb), the number of cells and columns are all bounded (XlsxLimits), and documents with
// a DTD are refused (no entity expansion). Thread-safe: no shared state.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace claimsca::newinst {

struct XlsxLimits {
  std::size_t max_file_bytes = 16u << 20;  // the .xlsx itself
  std::size_t max_part_bytes = 32u << 20;  // one part (worksheet, shared strings), inflated
  std::size_t max_entries = 1000;          // files in the zip
  std::size_t max_cells = 2'000'000;       // cells of the sheet (empty ones not counted)
  std::size_t max_columns = 1024;          // column letters beyond this are refused
};

struct XlsxCell {
  enum class Type { kEmpty, kString, kNumber, kBool, kError };
  Type type = Type::kEmpty;
  // kString: the text (UTF-8). kNumber: the number as written; an integral value is given
  // without exponent or fraction ("1310000013", not "1.310000013E9"). kBool: "0"/"1".
  // kError: Excel's error text ("#N/A").
  std::string text;
};

struct XlsxRow {
  int number = 0;               // 1-based row number as in the sheet (r="…")
  std::vector<XlsxCell> cells;  // index = column (0 = A); gaps are kEmpty
};

struct XlsxSheet {
  std::string name;           // the sheet's name in the workbook
  bool date1904 = false;      // workbook uses the 1904 date system
  std::vector<XlsxRow> rows;  // present rows, in ascending row number
};

// Reads the first sheet (in workbook order) of the .xlsx in `bytes`. Errors: kInvalidArgument
// for anything that is not a readable xlsx or breaks a limit (the message says which).
Result<XlsxSheet> ReadFirstSheet(std::string_view bytes, const XlsxLimits& limits = {});

// "A" → 0, "AB" → 27; -1 when `letters` is not a column reference.
int ColumnIndex(std::string_view letters);

// An Excel date serial (days; the fraction is the time of day and is dropped) as "YYYY-MM-DD".
// The 1900 system counts Excel's phantom 1900-02-29 (serial 60), as Excel does. Errors for
// serials before 1 or after 9999-12-31.
Result<std::string> ExcelSerialToDate(double serial, bool date1904);

}  // namespace claimsca::newinst
