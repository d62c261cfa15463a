#pragma once

// Parsing of the institution register file (医療機関等マスタ) as published in data/:
// a header line, then one institution per line:
//   prefecture,score_table,institution_code,name,postal_code,address
// where institution_code is the 7-digit facility_code; the stored institution_code is
// prefecture + score_table + facility_code (DOMAIN.md §1). Pure: no I/O.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace claimsca::store {

// Splits one CSV line (no line end) into fields: RFC 4180 quoting, "" inside quotes being
// one quote. False on an unterminated quoted field.
bool SplitCsvLine(std::string_view line, std::vector<std::string>& out);

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
