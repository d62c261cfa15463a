#pragma once

// What the portal's billing pages call (docs/portal.md "請求明細" and "Console: billing"):
// the institution's statement and invoices, and the operator's billing run, imports, queue
// and non-payment revocation. Each is a function wired in cmd (cmd/billing_web.cc) to the
// billing module and the RA, so the pages stay thin and the billing parts keep their own
// code; a null function is a feature not offered (its button is not shown and its route
// answers 404).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/statement.h"
#include "common/status.h"
#include "ra/registration_authority.h"

namespace claimsca::portal {

// A file the billing run produced or an operator imported, with its SHA-256.
struct BillingFileView {
  std::string what;  // 控除依頼ファイル, 払込請求書（PDF）, 控除結果ファイル, 入金明細ファイル, …
  std::string name;
  std::string sha256;
  std::string at;  // "2027/01/12 10:00" (JST) or ""
  std::string detail;
};

struct BillingRunView {
  std::string month;  // "YYYY-MM"
  std::string state;  // "planned" | "done"
  std::string issue_date;
  std::string started_by;
  std::vector<BillingFileView> files;
};

struct QueuedPaymentView {
  int64_t id = 0;
  std::string booking_date;
  int64_t amount_yen = 0;
  std::string payer_name;
  std::string outcome;         // why it waits (the payments part's outcome name)
  std::string invoice_number;  // the invoice found (partial, excess), else ""
};

struct UnpaidInvoiceView {
  std::string number;
  std::string institution_code;
  std::string name;
  int64_t amount_yen = 0;
  int64_t paid_yen = 0;
  std::string due_date;  // "YYYY-MM-DD"
  int64_t confirmations = 0;
};

struct BillingOverview {
  std::vector<BillingRunView> runs;      // newest month first
  std::vector<BillingFileView> imports;  // deduction results and payment files, newest first
  std::vector<QueuedPaymentView> queue;
  std::vector<UnpaidInvoiceView> unpaid;  // past due date + grace
  int grace_days = 0;
};

struct BillingPages {
  // The institution's pages.
  std::function<Result<billing::StatementPage>(const std::string& code, int64_t before, int limit)>
      statement;
  std::function<Result<std::vector<billing::InvoiceSummary>>(const std::string& code)> invoices;
  // The PDF of invoice `number` when it is one of `code`'s; NotFound otherwise.
  std::function<Result<std::string>(const std::string& code, const std::string& number)>
      invoice_pdf;

  // The console's page and actions (`caller` is the operator; each returns the lines to
  // show, or the error to show).
  std::function<Result<BillingOverview>()> overview;
  std::function<Result<std::string>(const std::string& month, const ra::Caller& caller)> run_month;
  std::function<Result<std::string>(std::string_view file, const ra::Caller& caller)>
      import_deduction_result;
  std::function<Result<std::string>(std::string_view file, std::string_view name,
                                    const ra::Caller& caller)>
      import_payments;
  // Confirms the non-payment of invoice `number` and revokes the certificates on it.
  std::function<Result<std::string>(const std::string& number, const ra::Caller& caller)>
      revoke_unpaid;
  // The monthly accounting report (CSV, UTF-8 with BOM) of `month` ("YYYY-MM").
  std::function<Result<std::string>(const std::string& month)> accounting_report;
};

}  // namespace claimsca::portal
