#pragma once

// The payments part's tables (migration 040; docs/billing.md "payments"), through
// store::SqlTx on either back end. Reads the run's bills and bill_items, never writes them:
// a bill's paid amount is the sum of its payment_applications.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/payment_match.h"
#include "common/clock.h"
#include "common/status.h"
#include "common/time_util.h"

namespace claimsca::store {
class Store;
}

namespace claimsca::billing {

struct PaymentImport {
  bool repeated_file = false;  // this file (same SHA-256) was imported before: nothing done
  std::string sha256;
  int64_t transfers = 0;           // in the file
  int64_t applied = 0;             // applied to an invoice
  int64_t queued = 0;              // sent to the operator queue
  int64_t skipped = 0;             // imported before (same key): not applied again
  std::vector<std::string> lines;  // one per transfer: "record 2 000001 3000 applied 2612000123"
};

// Imports a 全銀協 振込入金通知 file whole, in one transaction audited
// "billing.payments.import" by `actor`: parsed and checked first (a bad file is
// InvalidArgument naming record, field and rule, and nothing is written), then each new
// transfer recorded, matched to the open invoices (billing::PlanPayments) and applied or
// queued. `today` bounds the file's dates.
Result<PaymentImport> ImportPayments(store::Store& store, std::string_view bytes,
                                     std::string_view file_name, Date today, Instant now,
                                     std::string_view actor);

// A payment waiting for the operator.
struct QueuedPayment {
  int64_t id = 0;
  std::string booking_date;
  std::string inquiry_number;
  int64_t amount_yen = 0;
  std::string payer_name;
  std::string payer_code;
  std::string outcome;         // why it is queued (MatchOutcomeName)
  std::string invoice_number;  // the invoice found, if any (partial / excess)
  std::string candidates;
};
Result<std::vector<QueuedPayment>> PaymentQueue(store::Store& store);

// The operator's decision on queued payment `id`: apply it whole to invoice
// `invoice_number` (non-empty), or (empty number) ignore / mark for refund with `reason`.
// NotFound for an unknown payment or invoice; FailedPrecondition when the payment is not
// in the queue, or is a cancellation to be applied. Audited "billing.payment.resolve".
enum class Resolution { kApply, kIgnore, kRefund };
struct ResolveResult {
  int64_t open_before = 0;  // of the invoice, when applied
  int64_t open_after = 0;   // negative: overpaid (to refund outside)
};
Result<ResolveResult> ResolvePayment(store::Store& store, int64_t id, Resolution resolution,
                                     std::string_view invoice_number, std::string_view reason,
                                     Instant now, std::string_view actor);

// An invoice past its due date plus the grace, not fully paid.
struct UnpaidInvoice {
  std::string number;
  std::string institution_code;
  std::string name;
  int64_t amount_yen = 0;
  int64_t paid_yen = 0;
  Date due_date;
  int64_t confirmations = 0;  // earlier non-payment confirmations (revocations done)
};
// Invoices whose due date + grace_days is before `today` and whose applications do not
// reach their amount, by due date then number.
Result<std::vector<UnpaidInvoice>> UnpaidInvoices(store::Store& store, Date today, int grace_days);

// One invoice's non-payment state and what it covers: for revocation.
struct NonPaymentCase {
  UnpaidInvoice invoice;
  std::vector<std::string> request_ids;  // the applications on it (bill_items.request_id)
};
// FailedPrecondition unless `number` is an invoice unpaid past due date + grace at `today`;
// NotFound for an unknown number.
Result<NonPaymentCase> NonPaymentOf(store::Store& store, std::string_view number, Date today,
                                    int grace_days);

// Records the operator's confirmation (audited "billing.nonpayment.confirm"); returns its id.
Result<int64_t> ConfirmNonPayment(store::Store& store, const NonPaymentCase& c, int grace_days,
                                  Instant now, std::string_view actor);

struct RevocationOutcome {
  std::string request_id;
  std::string outcome;  // "revoked", "already_revoked", "failed"
  std::string detail;
};
// Records what happened to each application (audited "billing.nonpayment.revoked").
Status RecordNonPaymentRevocations(store::Store& store, int64_t confirmation_id,
                                   std::string_view bill_number,
                                   const std::vector<RevocationOutcome>& outcomes, Instant now,
                                   std::string_view actor);

}  // namespace claimsca::billing
