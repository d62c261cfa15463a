// Test-only: writes an .xlsx with libxlsxwriter (xlsx_fixture.h) from a TSV on stdin, for
// the integration tests (tests/integration/newinst_swap_test.sh).
//   newinst_xlsx_tool OUT.xlsx [--inline] < cells.tsv
// One input line per sheet row (an empty line leaves the row empty); tab-separated fields:
// "#123" a number cell, "@2027-01-01" a date cell, "" no cell (a gap), anything else a string.

#include <cstdio>
#include <iostream>
#include <string>

#include "newinst/xlsx_fixture.h"

using claimsca::newinst::testing::FixtureCell;
using claimsca::newinst::testing::FixtureSheet;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.xlsx [--inline] < cells.tsv\n", argv[0]);
    return 2;
  }
  const bool inline_strings = argc > 2 && std::string(argv[2]) == "--inline";
  FixtureSheet sheet{"新規指定医療機関一覧表", {}};
  std::string line;
  for (int row = 0; std::getline(std::cin, line); ++row) {
    std::size_t start = 0;
    for (int col = 0; start <= line.size(); ++col) {
      std::size_t tab = line.find('\t', start);
      if (tab == std::string::npos) tab = line.size();
      const std::string f = line.substr(start, tab - start);
      start = tab + 1;
      if (f.empty()) continue;
      if (f[0] == '#') {
        sheet.cells.push_back(FixtureCell::Num(row, col, std::stod(f.substr(1))));
      } else if (f[0] == '@' && f.size() == 11) {
        sheet.cells.push_back(FixtureCell::Date(row, col, std::stoi(f.substr(1, 4)),
                                                std::stoi(f.substr(6, 2)),
                                                std::stoi(f.substr(9, 2))));
      } else {
        sheet.cells.push_back(FixtureCell::Str(row, col, f));
      }
    }
  }
  const claimsca::Status st =
      claimsca::newinst::testing::WriteXlsx(argv[1], {sheet}, inline_strings);
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
