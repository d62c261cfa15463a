#pragma once

// The institution's statement (請求明細, docs/billing.md section "web"): each charge of one
// institution with its billing month, method and state, newest first and paged, and the
// institution's invoices. Read-only, through store::RunRead on either back end: it reads
// the ledger's entries and methods, the run's bills, items and deduction results, and the
// payments applied to invoices, and derives every state (statement_state.h) — nothing of
// it is stored.
//
// Every query is bounded by the institution code (indexes ledger (institution_code, id),
// bills (institution_code, run_month)): the cost of a page follows the institution's own
// size, not the CA's (bench/statement_bench: p99 with 1,000,000 charges).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/invoice_pdf.h"
#include "billing/statement_state.h"
#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::billing {

struct StatementLine {
  int64_t entry_id = 0;
  Date charge_date;        // the issuance (approval) date of the charge
  std::string kind;        // the ledger's kind ("new_application", "renewal", "reapplication"), or
                           // "credit_note"
  std::string request_id;  // the application (certificate) charged
  std::string terminal_name;  // 端末名称等 of the application ("" when unknown)
  int64_t amount_yen = 0;     // negative for a credit note
  int64_t mailing_yen = 0;    // the mailing fee within amount_yen
  std::string billing_month;  // "YYYY-MM"
  std::string method;         // "deduction" | "invoice": the bill's, else the one in force
  DerivedState state;
};

struct StatementPage {
  std::vector<StatementLine> lines;  // newest first (by entry id, descending)
  int64_t next_before = 0;           // pass as `before_entry_id` for the next page; 0: none
};

// One page of `code`'s charges: entries with id < before_entry_id (0: from the newest),
// at most `limit` (1..200). `today` (JST) decides 未納.
Result<StatementPage> LoadStatement(store::Store& store, std::string_view code,
                                    int64_t before_entry_id, int limit, Date today);

struct InvoiceSummary {
  std::string number;     // 請求番号
  std::string run_month;  // "YYYY-MM"
  std::string kind;       // "regular" | "fallback"
  int64_t amount_yen = 0;
  int64_t paid_yen = 0;
  Date issue_date;
  Date due_date;
  ChargeState state = ChargeState::kInvoiced;  // kInvoiced, kPaid or kUnpaid
  bool revoked_for_nonpayment = false;         // an operator confirmed revocation for non-payment
};

// `code`'s invoices, newest run month first (at most 120: ten years).
Result<std::vector<InvoiceSummary>> LoadInvoices(store::Store& store, std::string_view code,
                                                 Date today);

// The PDF of invoice `number` (電子証明書発行・更新料払込請求書) when it is one of `code`'s:
// re-rendered from the recorded bill, as the run's batch drew it (InvoiceDocuments,
// RenderInvoicePdf with the bill's issue date as the PDF's date), so its pages are those of
// the batch. NotFound for an unknown number, a deduction bill and another institution's
// invoice alike.
Result<std::string> InvoicePdfOf(store::Store& store, std::string_view code,
                                 std::string_view number, const PayeeAccount& payee,
                                 const InvoiceIssuer& issuer);

}  // namespace claimsca::billing
