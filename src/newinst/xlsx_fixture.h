#pragma once

// Test-only: writes .xlsx fixtures with libxlsxwriter, an independent writer, so that the
// reader (xlsx_reader.h) is tested against files it did not produce itself. Not linked into
// the product (target claimsca_newinst_xlsx_fixture).

#include <string>
#include <vector>

#include "common/status.h"

namespace claimsca::newinst::testing {

// One cell to write. Kinds: a string (shared string, or inline in the constant-memory mode),
// a number, a rich string (several runs, the second one bold), a date (written as a serial
// with a date format, as Excel stores 指定年月日).
struct FixtureCell {
  enum class Kind { kString, kNumber, kRich, kDate };
  int row = 0;  // 0-based
  int col = 0;  // 0-based
  Kind kind = Kind::kString;
  std::string text;                  // kString
  double number = 0;                 // kNumber
  std::vector<std::string> runs;     // kRich
  int year = 0, month = 0, day = 0;  // kDate

  static FixtureCell Str(int r, int c, std::string s);
  static FixtureCell Num(int r, int c, double v);
  static FixtureCell Rich(int r, int c, std::vector<std::string> runs);
  static FixtureCell Date(int r, int c, int y, int m, int d);
};

struct FixtureSheet {
  std::string name;
  std::vector<FixtureCell> cells;  // in row order (the constant-memory mode needs it)
};

// Writes the sheets to `path`. inline_strings: libxlsxwriter's constant_memory mode, which
// writes strings inline (<is>) instead of in sharedStrings.xml. Rich strings need the
// normal mode.
Status WriteXlsx(const std::string& path, const std::vector<FixtureSheet>& sheets,
                 bool inline_strings = false);

}  // namespace claimsca::newinst::testing
