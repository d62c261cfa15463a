#pragma once

// The file of `claimsca kokuhoren office import` (docs/kokuhoren.md): UTF-8 CSV (optional
// BOM, LF or CRLF, RFC 4180 quoting), the header line
//   care_office_number,name,postal_code,address,email
// then one office per line. postal_code, address and email may be empty. Pure: no I/O.

#include <string_view>
#include <vector>

#include "common/status.h"
#include "kokuhoren/accounts.h"

namespace claimsca::kokuhoren {

inline constexpr std::string_view kOfficesCsvHeader =
    "care_office_number,name,postal_code,address,email";

// Every row checked (care office number with domain::CareOfficeNumberOk after trimming and
// upper-casing, name present, postal code 7 digits with an optional hyphen or empty, a
// number only once); InvalidArgument listing the first errors as "line N, <field>: <why>".
Result<std::vector<Office>> ParseOfficesCsv(std::string_view text);

// A list of care office numbers, one per line or separated by commas or spaces (an agent's
// offices, `agent add --offices-file`); InvalidArgument naming the first bad one.
Result<std::vector<std::string>> ParseOfficeNumbers(std::string_view text);

}  // namespace claimsca::kokuhoren
