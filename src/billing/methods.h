#pragma once

// Billing method per institution (docs/billing.md, section "ledger"): deduction from the
// 診療(調剤)報酬 payment or invoice (払込請求書). The usage application's choice is the
// register's billing_method; the operator changes it — one institution at a time, or in
// bulk from a CSV file — and each change applies from the next billing month (the month
// after the change's JST month). Changes are rows of billing_method_changes (append-only),
// each with its audit row in the same transaction. 職域診療所 (s), 特健機関 (6) and 保険者 (7)
// are invoice only (domain::IsBillingMethodAllowed): deduction is refused for them.

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/store.h"

namespace claimsca::billing {

// The CSV file of `claimsca billing methods import`: UTF-8 (a BOM is allowed), LF or CRLF,
// this header, then one row per institution.
inline constexpr std::string_view kMethodsCsvHeader = "institution_code,billing_method";

struct MethodRow {
  int line = 0;  // in the file (the header is line 1)
  std::string institution_code;
  std::string method;  // "deduction" or "invoice"
};

// Checks the file's shape and each row's fields: the header, two fields per row, a code of
// 8 or 10 ASCII digits given once, a method "deduction" or "invoice". Every bad row is
// reported, one per line: "line N, <field>: <rule>"; InvalidArgument then.
Result<std::vector<MethodRow>> ParseMethodsCsv(std::string_view text);

struct MethodsReport {
  std::string effective_month;  // "YYYY-MM": the billing month the changes apply from
  int rows = 0;
  int changed = 0;    // a change recorded
  int unchanged = 0;  // the method in force for effective_month is already this one
};

// Records the rows as ONE transaction, at `at`: every row is checked against the register
// (current version) first — the code must be registered, and its category must allow the
// method (deduction_not_allowed otherwise, in Japanese and English) — and if any row fails,
// nothing is written and every failure is returned (InvalidArgument, "line N, field:
// rule" per line). A row whose method is already in force for the effective month records
// nothing, so importing the same file twice changes nothing the second time. Each change
// is audited ("billing.method.change", subject the institution code).
Result<MethodsReport> ApplyMethods(store::Store& store, const std::vector<MethodRow>& rows,
                                   std::string_view actor, std::string_view source, Instant at);

// One institution: ApplyMethods of one row (line 0: messages name no line).
Result<MethodsReport> SetMethod(store::Store& store, std::string_view institution_code,
                                std::string_view method, std::string_view actor, Instant at);

}  // namespace claimsca::billing
