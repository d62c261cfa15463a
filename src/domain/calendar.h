#pragma once

// The business-day calendar of Japan (DOMAIN.md §12, docs/calendar-and-fees.md):
// national holidays under the 国民の祝日に関する法律 (祝日法) for 1980–2099, with 振替休日
// and 国民の休日, plus the administrative closure 12/29–1/3 (行政機関の休日).
// Pure functions over civil dates in Asia/Tokyo; no I/O, no tables loaded at run time.

#include <optional>
#include <string_view>

#include "common/time_util.h"

namespace claimsca::domain {

// The years the holiday rules are implemented for. Outside them IsNationalHoliday is
// false and HolidayName nullopt (the equinox formulas are only valid in this range).
inline constexpr int kFirstCalendarYear = 1980;
inline constexpr int kLastCalendarYear = 2099;

// True iff `d` is a 休日 under the 祝日法: a 国民の祝日, a one-off holiday by special law
// (e.g. 2019-05-01 天皇の即位の日), a 振替休日 or a 国民の休日.
bool IsNationalHoliday(Date d);

// The Japanese name of the holiday on `d`, as the Cabinet Office / holiday_jp spell it
// ("元日", "春分の日", "振替休日", "国民の休日", …), or nullopt on other days. Static
// storage.
std::optional<std::string_view> HolidayName(Date d);

// True iff `d` falls in the administrative closure 12/29–1/3 (行政機関の休日).
bool IsYearEndClosure(Date d);

// An open day (開庁日): not Saturday or Sunday, not a national holiday, not 12/29–1/3.
bool IsBusinessDay(Date d);

// A day the post goes out (DOMAIN.md §3): Monday–Saturday, not a national holiday, not
// 12/29–1/3.
bool IsShippingDay(Date d);

// `d` itself if it is a business day, otherwise the first business day after it. This is
// the rule for a deadline that falls on a closed day (seed 003 別紙2: "閉庁日の場合は
// 翌開庁日").
Date RollForwardToBusinessDay(Date d);

// The first business day strictly after `d`.
Date NextBusinessDay(Date d);

// The first shipping day strictly after `d` (an application completed by 15:00 on `d`
// goes out then).
Date NextShippingDay(Date d);

// Moves `n` business days from `d`: n > 0 counts forward, n < 0 backward, each step
// landing on a business day ("2 business days after"); n == 0 returns `d` unchanged even
// if it is closed.
Date AddBusinessDays(Date d, int n);

}  // namespace claimsca::domain
