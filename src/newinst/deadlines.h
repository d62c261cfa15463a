#pragma once

// The two deadlines of a new institution's 受付番号 (DOMAIN.md §9, seed 003 記 1 (2) and
// 別紙3 ⑤; docs/newinst.md "受付番号 and its deadlines"). Pure: civil dates in Asia/Tokyo,
// the business-day calendar of domain/calendar.h.

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time_util.h"
#include "domain/billing.h"

namespace claimsca::newinst {

using domain::YearMonth;

struct Deadlines {
  // The bureau's reply (受付番号の回答書発送): the 10th of the month before opening, or the
  // next open day when the 10th is closed.
  Date reply;
  // Presentation of the 受付番号 to us (実施機関への提示): the 15th of the month before
  // opening, or the next open day. Later presentation is accepted with a warning.
  Date presentation;
};

// The deadlines for a clinic opening in `opening_month` (診療開始月).
Deadlines DeadlinesFor(YearMonth opening_month);

// Parses exactly "YYYY-MM" (month 01–12, year 2000–2099); InvalidArgument quoting the text.
Result<YearMonth> ParseOpeningMonth(std::string_view text);
// "2027-04".
std::string FormatOpeningMonth(YearMonth m);

// "2027/03/15(月)": how the portal, the console and the reminder mails show a deadline.
std::string FormatDeadline(Date d);

}  // namespace claimsca::newinst
