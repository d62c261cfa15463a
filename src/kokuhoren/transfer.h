#pragma once

// 振込 (transfer) payment of the 国保連 fees (docs/kokuhoren.md, section "Fees"):
// - the invoice (kj_invoices, migration 071) made with the application's charge, shown as a
//   PDF by 請求書を表示する (RenderTransferInvoicePdf: billing's 払込請求書 drawing, the
//   [billing] payee account, the due date, the application);
// - its payment, confirmed by an operator (ConfirmTransferPayment) or matched in a 全銀協
//   振込入金通知 file (ImportTransferPayments: billing's parser and matching rules). Either
//   writes the ledger's 'payment' entry and then calls the PaymentHook, in the same
//   transaction, so the application leaves awaiting_payment exactly when its fee is paid.
//
// Every function runs inside the caller's store::SqlTx; none commits.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/invoice_pdf.h"
#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"
#include "kokuhoren/fees.h"
#include "store/module_sql.h"

namespace claimsca::kokuhoren {

struct TransferInvoice {
  int64_t invoice_id = 0;
  std::string number;  // 請求番号: "9" + invoice_id on 9 digits
  std::string application_id;
  std::string account_id;  // the applying account (addressee)
  std::string addressee_name;
  std::string office_number;  // the office the certificate is for
  bool renewal = false;
  int64_t amount_yen = 0;
  Date issue_date;
  Date due_date;
  bool paid = false;       // the ledger holds a settlement of the application
  std::string settled_by;  // that settlement's kind ("payment", "cancel") when paid

  bool operator==(const TransferInvoice&) const = default;
};

// "9000000042" for invoice 42; the number's form is checked by ParseInvoiceNumber.
std::string InvoiceNumber(int64_t invoice_id);
// The invoice_id of a 国保連 invoice number, nullopt for anything else (billing's numbers).
std::optional<int64_t> ParseInvoiceNumber(std::string_view number);

// Writes the invoice of a 振込 charge (ChargeApplication calls it). Conflict if the
// application has one already.
Result<TransferInvoice> CreateInvoice(store::SqlTx& tx, const ChargeRequest& request,
                                      int64_t amount_yen, const InvoiceTerms& terms, Instant now);

Result<std::optional<TransferInvoice>> InvoiceByNumber(store::SqlTx& tx, std::string_view number);
Result<std::optional<TransferInvoice>> InvoiceOfApplication(store::SqlTx& tx,
                                                            std::string_view application_id);
// The invoices addressed to an account ("" = all), oldest first.
Result<std::vector<TransferInvoice>> InvoicesOfAccount(store::SqlTx& tx,
                                                       std::string_view account_id);

// Called in the payment's transaction after the ledger's 'payment' entry is written: the
// certificate applications part moves the application from awaiting_payment to pending
// (and on to issuance under its own rules). An error rolls the payment back.
using PaymentHook = std::function<Status(store::SqlTx& tx, const TransferInvoice& invoice,
                                         std::string_view actor, Instant at)>;

// An operator confirms that the invoice was paid in full (a bank statement, a receipt).
// NotFound for an unknown invoice; Conflict when already paid or cancelled.
Result<FeeEntry> ConfirmTransferPayment(store::SqlTx& tx, std::string_view invoice_number,
                                        std::string_view note, std::string_view actor, Instant now,
                                        const PaymentHook& hook);

// One transfer of the file that names a 国保連 invoice.
struct ImportedTransfer {
  std::string key;  // billing::TransferKey
  int record = 0;
  int64_t amount_yen = 0;
  std::string payer_name;
  std::string invoice_number;  // the invoice matched (or the candidates, comma-separated)
  std::string application_id;  // the invoice's application when applied
  std::string outcome;         // billing::MatchOutcomeName
  bool already_imported = false;
};

struct ImportSummary {
  std::string file_sha256;
  std::vector<ImportedTransfer> transfers;  // those naming a 国保連 invoice, file order
  int applied = 0;                          // paid in this import
  int queued = 0;         // kept for an operator (partial, excess, several, cancelled)
  int already = 0;        // seen in an earlier import
  int not_kokuhoren = 0;  // naming no 国保連 invoice: left to `billing import-payments`
};

// Imports a 振込入金通知 file (billing::ParseZengin: refused whole on any bad record).
// A transfer naming exactly one 国保連 invoice with exactly its open amount pays it (as
// ConfirmTransferPayment, actor `actor`, reference the transfer key); other transfers that
// name a 国保連 invoice are kept with their outcome for the operator; a transfer seen in an
// earlier import is skipped. `today` bounds the file's dates.
Result<ImportSummary> ImportTransferPayments(store::SqlTx& tx, std::string_view bytes, Date today,
                                             std::string_view actor, Instant now,
                                             const PaymentHook& hook);

// The 請求書 of 請求書を表示する as PDF: billing's 払込請求書 layout with one line (the
// application, issuance or renewal fee), the [billing] payee account and the 国保連 as
// issuer. Deterministic: the PDF's date is the invoice's issue date. InvalidArgument for
// an empty payee field; FailedPrecondition without the IPAex fonts.
Result<std::string> RenderTransferInvoicePdf(const TransferInvoice& invoice,
                                             const billing::PayeeAccount& payee,
                                             const billing::InvoiceIssuer& issuer);

// The issuer block printed on the invoice: the 国保連 ([kokuhoren] sender_*) and the
// name of the program's certification service. `address` "" prints no address line.
billing::InvoiceIssuer KokuhorenInvoiceIssuer(std::string organisation, std::string postal_code,
                                              std::string address);

}  // namespace claimsca::kokuhoren
