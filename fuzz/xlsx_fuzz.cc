// The bureau's list as an .xlsx (src/newinst/xlsx_reader.h: ReadFirstSheet on libzip +
// libxml2) on arbitrary bytes. Invariants: every refusal is kInvalidArgument with a message;
// an accepted sheet has ascending row numbers >= 1, no cell beyond the column limit, at most
// the cell limit of non-empty cells, each with its text (numbers non-empty); reading the same
// bytes twice gives the same sheet; a date serial either converts to YYYY-MM-DD or is refused.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check.h"
#include "newinst/xlsx_reader.h"

namespace newinst = claimsca::newinst;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  newinst::XlsxLimits limits;
  limits.max_part_bytes = 4u << 20;  // keep each run small; the logic is the same
  limits.max_cells = 20000;
  const auto sheet = newinst::ReadFirstSheet(bytes, limits);
  if (!sheet.ok()) {
    FUZZ_CHECK(sheet.status().code() == claimsca::Code::kInvalidArgument,
               "refusals are kInvalidArgument");
    FUZZ_CHECK(!sheet.status().message().empty(), "a refusal says why");
    return 0;
  }
  int last = 0;
  std::size_t cells = 0;
  for (const newinst::XlsxRow& row : sheet->rows) {
    FUZZ_CHECK(row.number > last, "row numbers ascend");
    last = row.number;
    FUZZ_CHECK(row.cells.size() <= limits.max_columns, "columns within the limit");
    for (const newinst::XlsxCell& c : row.cells) {
      if (c.type == newinst::XlsxCell::Type::kEmpty) continue;
      ++cells;
      if (c.type == newinst::XlsxCell::Type::kNumber) {
        FUZZ_CHECK(!c.text.empty(), "a number has text");
        const auto d =
            newinst::ExcelSerialToDate(std::strtod(c.text.c_str(), nullptr), sheet->date1904);
        FUZZ_CHECK(!d.ok() || d->size() == 10, "a date is YYYY-MM-DD");
      }
    }
  }
  FUZZ_CHECK(cells <= limits.max_cells, "cells within the limit");
  const auto again = newinst::ReadFirstSheet(bytes, limits);
  FUZZ_CHECK(again.ok() && again->rows.size() == sheet->rows.size() && again->name == sheet->name,
             "reading is deterministic");
  return 0;
}
