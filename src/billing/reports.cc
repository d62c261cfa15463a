#include "billing/reports.h"

#include <array>
#include <cstdio>
#include <map>

#include "domain/category.h"
#include "pdf/document.h"

namespace claimsca::billing {
namespace {

// A quoted text field (see reports.h).
std::string Text(std::string_view raw) {
  std::string v = pdf::CleanText(raw);  // invalid UTF-8 → U+FFFD, controls → space
  std::string out = "\"";
  if (!v.empty() && std::string_view("=+-@").find(v[0]) != std::string_view::npos) out += '\'';
  for (char c : v) {
    if (c == '\n') {
      out += ' ';
    } else {
      if (c == '"') out += '"';
      out += c;
    }
  }
  return out + "\"";
}

std::string PostalCode(const std::string& digits) {
  if (digits.size() != 7 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return digits;
  }
  return digits.substr(0, 3) + "-" + digits.substr(3);
}

// The header and a row end in CRLF; `fields` are already formatted.
template <size_t N>
std::string Line(const std::array<std::string, N>& fields) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out += ',';
    out += fields[i];
  }
  return out + "\r\n";
}

bool AddInto(int64_t& total, int64_t v) { return !__builtin_add_overflow(total, v, &total); }

}  // namespace

std::string InvoiceMailingListCsv(const std::vector<InvoiceDocument>& invoices) {
  std::string csv(kUtf8Bom);
  csv += Line<7>({Text("page"), Text("pages"), Text("invoice_number"), Text("postal_code"),
                  Text("address"), Text("name"), Text("institution_code")});
  int page = 1;
  for (const InvoiceDocument& inv : invoices) {
    const int pages = InvoicePageCount(inv);
    csv += Line<7>({std::to_string(page), std::to_string(pages), Text(inv.number),
                    Text(PostalCode(inv.postal_code)), Text(inv.address),
                    Text(inv.institution_name), Text(inv.institution_code)});
    page += pages;
  }
  return csv;
}

Result<std::string> AccountingReportCsv(const AccountingReport& report) {
  if (!report.month.ok()) return InvalidArgument("accounting report: month is not a month");
  std::map<std::string_view, const AccountingFigures*> by_category;
  for (const AccountingRow& row : report.rows) {
    if (!domain::FindCategory(row.category)) {
      return InvalidArgument("accounting report: unknown category \"" + row.category + "\"");
    }
    if (!by_category.emplace(row.category, &row.figures).second) {
      return InvalidArgument("accounting report: category " + row.category + " appears twice");
    }
  }
  char month[16];
  std::snprintf(month, sizeof month, "%04d-%02u", static_cast<int>(report.month.year()),
                static_cast<unsigned>(report.month.month()));
  auto row = [&](std::string_view code, std::string_view name, const AccountingFigures& f) {
    return Line<9>({Text(month), Text(code), Text(name), std::to_string(f.charges_count),
                    std::to_string(f.charges_yen), std::to_string(f.deducted_yen),
                    std::to_string(f.invoiced_yen), std::to_string(f.paid_yen),
                    std::to_string(f.outstanding_yen)});
  };
  std::string csv(kUtf8Bom);
  csv += Line<9>({Text("対象月"), Text("分類"), Text("分類名"), Text("発生件数"), Text("発生額"),
                  Text("控除額"), Text("請求書発行額"), Text("入金額"), Text("未収額")});
  AccountingFigures total;
  const AccountingFigures zero;
  for (const domain::Category& category : domain::AllCategories()) {
    const auto it = by_category.find(category.code);
    const AccountingFigures& f = it == by_category.end() ? zero : *it->second;
    if (!AddInto(total.charges_count, f.charges_count) ||
        !AddInto(total.charges_yen, f.charges_yen) ||
        !AddInto(total.deducted_yen, f.deducted_yen) ||
        !AddInto(total.invoiced_yen, f.invoiced_yen) || !AddInto(total.paid_yen, f.paid_yen) ||
        !AddInto(total.outstanding_yen, f.outstanding_yen)) {
      return InvalidArgument("accounting report: a total overflows");
    }
    csv += row(category.code, category.label_ja, f);
  }
  csv += row("合計", "全体", total);
  return csv;
}

}  // namespace claimsca::billing
