#pragma once

// Parsing of the institution register file (医療機関等マスタ) as published in data/:
// a header line, then one institution per line:
//   prefecture,score_table,institution_code,name,postal_code,address
// where institution_code is the 7-digit facility_code; the stored institution_code is
// prefecture + score_table + facility_code (DOMAIN.md §1). Pure: no I/O.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace claimsca::store {

// Splits one CSV line (no line end) into fields: RFC 4180 quoting, "" inside quotes being
// one quote. False on an unterminated quoted field.
bool SplitCsvLine(std::string_view line, std::vector<std::string>& out);

// The errors of a CSV file: every one counted, the first 10 kept as
// "line N, <field>: <why>".
class CsvErrors {
 public:
  void Add(int64_t line, std::string_view field, std::string_view why);
  size_t count() const { return count_; }
  // OK, or InvalidArgument "<what>: N error(s); line …; line …[; ...]".
  Status ToStatus(std::string_view what) const;

 private:
  std::vector<std::string> kept_;
  size_t count_ = 0;
};

// Reads a CSV text (UTF-8, optional BOM, LF or CRLF): the first line must be `header`;
// every later non-empty line is split (SplitCsvLine) and, when it has `fields` fields,
// given to `row` with its line number and the raw line. A wrong header (reading stops), an
// unterminated quote, a wrong field count or an empty file are recorded in `errors`.
void ForEachCsvRow(std::string_view text, std::string_view header, size_t fields, CsvErrors& errors,
                   const std::function<void(int64_t line, std::string_view raw,
                                            std::vector<std::string>& f)>& row);

// The expected header line.
inline constexpr std::string_view kRegisterCsvHeader =
    "prefecture,score_table,institution_code,name,postal_code,address";

// Parses and validates `text` (UTF-8, LF or CRLF line ends, optional BOM; fields may be
// double-quoted, "" inside quotes being one quote). Each row is checked with src/domain:
// prefecture 01–47, a known score_table, the facility_code's check digit, a 7-digit
// postal_code, non-empty name and address. category follows the score table (1 医科 → "1",
// 3 歯科 → "2", 4 薬局 → "3", 6 訪問看護 → "n", 7 職域 → "s"); billing_method is
// "deduction". A line repeated verbatim is kept once; the same code on two different lines
// is an error. On errors: InvalidArgument listing the first ones (at most 10), each as
// "line N, <field>: <why>".
Result<std::vector<RegisterEntry>> ParseRegisterCsv(std::string_view text);

}  // namespace claimsca::store
