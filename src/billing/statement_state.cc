#include "billing/statement_state.h"

#include <algorithm>

namespace claimsca::billing {

std::string_view ChargeStateName(ChargeState s) {
  switch (s) {
    case ChargeState::kScheduled:
      return "scheduled";
    case ChargeState::kDeducted:
      return "deducted";
    case ChargeState::kNotDeducted:
      return "not_deducted";
    case ChargeState::kInvoiced:
      return "invoiced";
    case ChargeState::kPaid:
      return "paid";
    case ChargeState::kUnpaid:
      return "unpaid";
    case ChargeState::kNotBilled:
      return "not_billed";
  }
  return "scheduled";
}

std::string_view ChargeStateLabelJa(ChargeState s) {
  switch (s) {
    case ChargeState::kScheduled:
      return "請求予定";
    case ChargeState::kDeducted:
      return "控除済み";
    case ChargeState::kNotDeducted:
      return "控除不能・翌月再控除";
    case ChargeState::kInvoiced:
      return "請求書送付済み";
    case ChargeState::kPaid:
      return "入金済み";
    case ChargeState::kUnpaid:
      return "未納";
    case ChargeState::kNotBilled:
      return "請求なし";
  }
  return "請求予定";
}

DerivedState DeriveChargeState(const EntryFacts& facts, Date today) {
  DerivedState out;
  if (facts.placements.empty()) {
    out.state = facts.not_billed ? ChargeState::kNotBilled : ChargeState::kScheduled;
    return out;
  }
  const Placement& last = *std::max_element(
      facts.placements.begin(), facts.placements.end(),
      [](const Placement& a, const Placement& b) { return a.run_month < b.run_month; });
  out.bill = last;
  if (last.method == "deduction") {
    if (!last.deducted) {
      out.state = ChargeState::kScheduled;
    } else if (*last.deducted) {
      out.state = ChargeState::kDeducted;
    } else {
      out.state = ChargeState::kNotDeducted;
      out.next_ja = last.origin == "carried" ? "払込請求書をお送りします"
                                             : "翌月の診療（調剤）報酬の支払から再控除します";
    }
    return out;
  }
  if (last.paid_yen >= last.bill_amount_yen) {
    out.state = ChargeState::kPaid;
  } else if (last.due_date && today > *last.due_date) {
    out.state = ChargeState::kUnpaid;
  } else {
    out.state = ChargeState::kInvoiced;
  }
  return out;
}

}  // namespace claimsca::billing
