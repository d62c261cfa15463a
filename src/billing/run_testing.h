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

// A ledger entry: request "R<id>", terminal 受付PC; a new application (with the 792 yen
// mailing fee) when the amount is 2,292, else a renewal.
inline ChargeItem Charge(int64_t id, std::string code, std::string cert, int64_t yen, Date date) {
  const bool mailed = yen == 2292;
  return {id,
          std::move(code),
          std::move(cert),
          yen,
          date,
          "R" + std::to_string(id),
          "受付PC",
          mailed ? "new_application" : "renewal",
          mailed ? 792 : 0};
}

}  // namespace claimsca::billing::testing
