#pragma once

// The state of one charge (ledger entry) as the institution's 請求明細 shows it
// (docs/billing.md, section "web"), derived — never stored — from what the other parts
// recorded: the bills the entry was put on (run), the deduction results (run) and the
// payments applied to invoices (payments). Pure: no I/O; the statement (statement.h)
// gathers the facts and calls DeriveChargeState.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time_util.h"

namespace claimsca::billing {

enum class ChargeState {
  kScheduled,    // 請求予定: not billed yet, or on a deduction whose result is not known yet
  kDeducted,     // 控除済み: deducted in full from the 診療(調剤)報酬 payment
  kNotDeducted,  // 控除不能・翌月再控除: the deduction was not made; billed again
  kInvoiced,     // 請求書送付済み: on an invoice, not paid, due date not passed
  kPaid,         // 入金済み: the invoice is paid in full
  kUnpaid,       // 未納: the invoice is not paid in full after its due date
  kNotBilled,    // 請求なし: cancelled by a credit note in its billing month (no bill)
};

// "scheduled", "deducted", "not_deducted", "invoiced", "paid", "unpaid", "not_billed".
std::string_view ChargeStateName(ChargeState s);
// 請求予定, 控除済み, 控除不能・翌月再控除, 請求書送付済み, 入金済み, 未納, 請求なし.
std::string_view ChargeStateLabelJa(ChargeState s);

// One bill the entry is on, with what is known of it.
struct Placement {
  std::string bill_number;
  std::string run_month;         // "YYYY-MM"
  std::string method;            // "deduction" | "invoice"
  std::string origin;            // "new" | "carried" | "fallback"
  std::optional<Date> due_date;  // invoices
  std::optional<bool> deducted;  // deduction bills: the imported result, if any
  int64_t bill_amount_yen = 0;   // the bill's whole amount
  int64_t paid_yen = 0;          // invoices: the payments applied to the bill
};

struct EntryFacts {
  std::vector<Placement> placements;  // any order
  bool not_billed = false;            // the run listed it as not billed (credit notes)
};

struct DerivedState {
  ChargeState state = ChargeState::kScheduled;
  // The bill that decides the state (the one of the latest run month); nullopt when the
  // entry is on no bill.
  std::optional<Placement> bill;
  // For kNotDeducted: what happens next, in Japanese ("翌月の支払から再控除します" after a
  // first failure, "払込請求書をお送りします" after the retry failed).
  std::string next_ja;
};

// The rules (written once, here):
//  - on no bill: kNotBilled if the run listed it as not billed, else kScheduled;
//  - else the bill of the latest run month decides (an entry is on one bill per month):
//    - a deduction: result deducted → kDeducted; not deducted → kNotDeducted (origin "new":
//      retried the next month; "carried": an invoice follows); no result yet → kScheduled;
//    - an invoice: paid (applied payments >= amount) → kPaid; else `today` after the due
//      date → kUnpaid; else kInvoiced.
DerivedState DeriveChargeState(const EntryFacts& facts, Date today);

}  // namespace claimsca::billing
