#pragma once

// Matching a received transfer to an invoice (docs/billing.md, "payments"). Pure: the
// invoices come from a lookup the caller provides; nothing is stored here.
//
// The payer types the invoice number (請求番号 = お客様番号, 10 digits) before the
// 振込依頼人名 ("2612000123ｸﾘﾆﾂｸ"), or the bank carries it in 振込依頼人コード. A transfer is
// applied only when exactly one known invoice number is found and the amount is exactly what
// is still open on it; everything else goes to the operator queue with the reason.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/zengin.h"

namespace claimsca::billing {

// An invoice as matching needs it: the amount billed and what has been applied to it.
struct OpenInvoice {
  std::string number;  // 10 digits
  int64_t amount = 0;  // billed (yen)
  int64_t paid = 0;    // already applied (yen)

  int64_t open() const { return amount - paid; }
};

// Finds an invoice by number; nullopt if there is none.
using InvoiceLookup = std::function<std::optional<OpenInvoice>(std::string_view number)>;

enum class MatchOutcome {
  kApplied,            // one invoice, amount == open amount
  kPartial,            // one invoice, amount < open amount
  kExcess,             // one invoice, amount > open amount (an invoice already paid included)
  kUnknownInvoice,     // numbers found, none is an invoice
  kNoInvoiceNumber,    // no 10-digit number in the name nor in 振込依頼人コード
  kSeveralCandidates,  // more than one known invoice number
  kCancelled,          // a 取消 record: the operator decides
};

// "applied", "partial", "excess", "unknown_invoice", "no_invoice_number",
// "several_candidates", "cancelled": stable, stored and shown.
std::string_view MatchOutcomeName(MatchOutcome outcome);
std::optional<MatchOutcome> ParseMatchOutcome(std::string_view name);

struct Match {
  MatchOutcome outcome = MatchOutcome::kNoInvoiceNumber;
  std::string invoice_number;           // the invoice found (applied/partial/excess)
  std::vector<std::string> candidates;  // every invoice-like number seen, sorted, once
  int64_t open_before = 0;              // open amount of the invoice found, before this payment
};

// The 10-digit numbers a payer wrote in a name (any width, spaces or hyphens inside the
// number allowed): the leading one if the name starts with 10 digits; otherwise every run of
// exactly 10 digits. Sorted, each once. A leading run of another length gives nothing.
std::vector<std::string> InvoiceNumbersInName(std::string_view name);

// Matches one transfer. `lookup` is asked for each candidate number.
Match MatchTransfer(const ZenginTransfer& transfer, const InvoiceLookup& lookup);

}  // namespace claimsca::billing

namespace claimsca::billing {

// What an import would do with each transfer of a file, in file order.
struct PlannedPayment {
  const ZenginAccount* account = nullptr;    // points into the file
  const ZenginTransfer* transfer = nullptr;  // points into the file
  std::string key;                           // TransferKey
  bool already_imported = false;             // key known from an earlier file: skipped
  Match match;                               // unset (default) when already_imported
};

// Plans a whole file: transfers already imported (by key) are skipped; the others are
// matched in file order, an earlier transfer of the same file applied to an invoice counting
// as paid for the later ones (two exact payments of one invoice: the second is an excess).
std::vector<PlannedPayment> PlanPayments(const ZenginFile& file, const InvoiceLookup& lookup,
                                         const std::function<bool(std::string_view key)>& imported);

}  // namespace claimsca::billing
