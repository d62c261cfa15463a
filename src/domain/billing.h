#pragma once

// When a certificate's fee is billed (DOMAIN.md §7, seed 000 §7;
// docs/calendar-and-fees.md). All dates are JST civil dates; pure functions, no I/O.
//
//   issuance month M (the approval date, when the fee arises)
//   deduction: deducted from the 診療(調剤)報酬 payment of M+2 (翌々月); if that payment is
//              smaller than the amount, retried on the payment of M+3; if that fails too,
//              an invoice (払込請求書) around the 10th of M+3 (電子証明書発行月の3か月後の10日頃).
//   invoice:   an invoice (払込請求書) sent around the 10th of M+2.
//
// "Around the 10th" is taken as the 10th rolled forward to a business day
// (RollForwardToBusinessDay): the same rule as seed 003's deadlines.

#include <chrono>
#include <optional>
#include <string>

#include "common/time_util.h"
#include "domain/category.h"

namespace claimsca::domain {

using YearMonth = std::chrono::year_month;

// "YYYY-MM".
std::string FormatYearMonth(YearMonth m);

// The month the fee is billed in: the month after next (翌々月) of the issuance month.
YearMonth BillingMonth(Date issuance_date);

// The 10th of `month` rolled forward to a business day ("10日頃").
Date AroundTheTenth(YearMonth month);

// Deduction method: the payment months deducted from, first try and retry.
YearMonth FirstDeductionMonth(Date issuance_date);  // M+2
YearMonth DeductionRetryMonth(Date issuance_date);  // M+3

// Deduction method, both deductions failed: the day the fallback invoice is sent, around
// the 10th of the 3rd month after the issuance month (M+3).
Date FallbackInvoiceDate(Date issuance_date);

// Invoice method: the day the invoice is sent, around the 10th of M+2.
Date InvoiceDate(Date issuance_date);

// The whole schedule for one certificate and billing method.
struct BillingPlan {
  BillingMethod method = BillingMethod::kInvoice;
  YearMonth billing_month;  // M+2 for both methods
  // Deduction only: the payment months to deduct from (M+2, then M+3).
  std::optional<YearMonth> first_deduction_month;
  std::optional<YearMonth> deduction_retry_month;
  // Invoice: the day the invoice is sent. Deduction: the day the fallback invoice is sent
  // if both deductions fail.
  Date invoice_date;

  bool operator==(const BillingPlan&) const = default;
};

BillingPlan PlanBilling(BillingMethod method, Date issuance_date);

}  // namespace claimsca::domain
