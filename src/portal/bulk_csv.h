#pragma once

// The CSV file of many terminals (issue 24 point 10; docs/portal.md "Many terminals at
// once"): the application form's columns, one row per terminal. Pure: no I/O.
//
// Encoding: UTF-8 with or without BOM, or Shift_JIS (Windows-31J, what Excel writes as
// "CSV (コンマ区切り)"). Lines end in LF or CRLF; fields may be double-quoted ("" is one
// quote; a line break inside a field is not supported). The first line is the header: the
// form's labels (as in the template) or the API field names, in any order; unknown columns
// are an error. Empty lines are skipped.

#include <string>
#include <string_view>
#include <vector>

#include "ra/registration_authority.h"

namespace claimsca::portal {

struct BulkColumn {
  const char* field;  // the API field name ("facility_code")
  const char* label;  // the form's label and the template's header ("医療機関コード（7桁）")
};
// The columns in the template's order.
inline constexpr BulkColumn kBulkColumns[] = {
    {"category", "分類"},
    {"prefecture", "都道府県コード"},
    {"score_table", "点数表"},
    {"facility_code", "医療機関コード（7桁）"},
    {"institution_name", "医療機関(薬局)名称"},
    {"contact_name", "担当部署/担当者名"},
    {"phone", "電話番号"},
    {"email", "メールアドレス"},
    {"terminal_name", "端末名称等"},
};
// The label of an API field name ("" when not a column).
std::string_view BulkLabel(std::string_view field);

struct BulkRow {
  int line = 0;  // 1-based line of the file (the header is line 1)
  ra::ApplicationForm form;
};

struct BulkFile {
  std::string text;  // the file as UTF-8 (no BOM): what the confirmation resends
  std::vector<BulkRow> rows;
  std::vector<std::string> errors;  // the file's own errors (Japanese; nothing else is read)
};

// Reads the file. A file error (encoding, header, quoting, a row with the wrong number of
// fields, no rows, more than `max_rows`) leaves `errors` non-empty. Excel drops the leading
// zeros of numbers: a prefecture of one digit and a 医療機関コード of 4–6 digits get them back
// (the check digit still guards the code).
BulkFile ParseBulkCsv(std::string_view bytes, size_t max_rows);

// The template: UTF-8 with BOM, CRLF, the header and one example row filled from `prefill`
// (the account's institution) with the contact fields and the terminal to be replaced.
std::string BulkTemplateCsv(const ra::ApplicationForm& prefill);

}  // namespace claimsca::portal
