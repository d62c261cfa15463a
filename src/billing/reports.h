#pragma once

// The billing run's CSV files for people (docs/billing.md, section "invoice"): the mailing
// list of an invoice batch and the monthly accounting report. Pure writers from plain
// structs; the run, the payments part and the console fill the structs from their tables.
//
// Both files are UTF-8 with a byte order mark (BOM) and CRLF after every line (the last
// included), RFC 4180 quoting, so that Excel opens them with the Japanese intact. A text
// field is always quoted ("" for a quote), newlines and other control characters become
// spaces, invalid UTF-8 becomes U+FFFD, and a text starting with = + - or @ gets a leading
// ' so that a spreadsheet does not run it as a formula. Numbers (yen, counts) are written
// as plain decimal, unquoted.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "billing/invoice_pdf.h"
#include "common/status.h"

namespace claimsca::billing {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The mailing list of an invoice batch, for the mailing service: one row per invoice in
// the batch's (and the PDF's) order. Columns:
//   page            the invoice's first page in the PDF (1-based)
//   pages           how many pages go into its envelope (InvoicePageCount)
//   invoice_number  請求番号
//   postal_code     NNN-NNNN (as registered when not 7 digits)
//   address         registered address
//   name            registered name (the addressee; the PDF adds 御中)
//   institution_code
// Never an amount: the mailing service needs none.
std::string InvoiceMailingListCsv(const std::vector<InvoiceDocument>& invoices);

// One category's figures for a month (yen are int64; a credit note counts negative).
struct AccountingFigures {
  int64_t charges_count = 0;    // ledger entries of billing month M (credit notes included)
  int64_t charges_yen = 0;      // their sum
  int64_t deducted_yen = 0;     // deduction bills of run month M whose result is 控除済み
  int64_t invoiced_yen = 0;     // invoices issued by the run of M (regular and fallback)
  int64_t paid_yen = 0;         // payments applied to invoices in M (when applied, JST)
  int64_t outstanding_yen = 0;  // invoiced up to M, not paid at the end of M
};

struct AccountingRow {
  std::string category;  // 分類 code: "1"–"8", "n", "s" (domain::AllCategories)
  AccountingFigures figures;
};

struct AccountingReport {
  std::chrono::year_month month;    // M
  std::vector<AccountingRow> rows;  // at most one per category, any order
};

// The monthly accounting report: a header row, one row per category in the order of
// domain::AllCategories (every category, zeros where it has no row), then the total row
// (分類 "合計"). Columns, in this order (header in Japanese, for the accounts department):
//   対象月 (YYYY-MM), 分類 (code), 分類名 (domain::Category::label_ja), 発生件数
//   (charges_count), 発生額 (charges_yen), 控除額 (deducted_yen), 請求書発行額
//   (invoiced_yen), 入金額 (paid_yen), 未収額 (outstanding_yen).
// InvalidArgument for an unknown or repeated category, a month that is not a month, or a
// total that overflows int64.
Result<std::string> AccountingReportCsv(const AccountingReport& report);

}  // namespace claimsca::billing
