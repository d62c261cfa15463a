#pragma once

// Test helpers of the run's tests (plan_test, run_test): dates and ledger entries.

#include <chrono>
#include <cstdint>
#include <string>

#include "billing/plan.h"

namespace claimsca::billing::testing {

constexpr YearMonth Ym(int y, unsigned m) {
  return YearMonth{std::chrono::year(y), std::chrono::month(m)};
}
constexpr Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// A ledger entry: request "R<id>", terminal 受付PC, a mailing fee when 792 yen.
inline ChargeItem Charge(int64_t id, std::string code, std::string cert, int64_t yen, Date date) {
  return {
      id,   std::move(code),          std::move(cert), yen,
      date, "R" + std::to_string(id), "受付PC",        yen == 792 ? "mailing_fee" : "issuance_fee"};
}

}  // namespace claimsca::billing::testing
