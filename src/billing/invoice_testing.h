#pragma once

// Sample invoices for the billing tests (invoice_pdf_test, reports_test). Tests only.

#include <string>

#include "billing/invoice_pdf.h"

namespace claimsca::billing::testing {

inline Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

inline PayeeAccount Payee() {
  return {"みずほ銀行", "本店営業部", "当座", "1234567", "ｼﾔｶｲﾎｹﾝｼﾝﾘﾖｳﾎｳｼﾕｳｼﾊﾗｲｷｷﾝ"};
}

inline InvoiceLine Line(int i, FeeKind kind, int64_t yen) {
  return {"202611240000" + std::to_string(10 + i), "受付PC" + std::to_string(i), D(2026, 11, 24),
          kind, yen};
}

// An invoice of 1312345678 issued 2027/01/12, due 2027/02/26: with lines == 0 three fees
// (発行料 1,500, 更新料 1,500, 郵送手数料 792), otherwise `lines` 発行料 of 1,500 each.
inline InvoiceDocument Sample(const std::string& number, int lines = 0) {
  InvoiceDocument inv;
  inv.number = number;
  inv.issue_date = D(2027, 1, 12);
  inv.due_date = D(2027, 2, 26);
  inv.billing_month = std::chrono::year(2027) / 1;
  inv.institution_code = "1312345678";
  inv.institution_name = "医療法人社団 霞が関クリニック";
  inv.postal_code = "1000013";
  inv.address = "東京都千代田区霞が関一丁目2番2号";
  if (lines == 0) {
    inv.lines = {Line(1, FeeKind::kIssuance, 1500), Line(2, FeeKind::kRenewal, 1500),
                 Line(3, FeeKind::kMailing, 792)};
  } else {
    for (int i = 0; i < lines; ++i) inv.lines.push_back(Line(i, FeeKind::kIssuance, 1500));
  }
  for (const InvoiceLine& l : inv.lines) inv.amount_yen += l.amount_yen;
  return inv;
}

}  // namespace claimsca::billing::testing
