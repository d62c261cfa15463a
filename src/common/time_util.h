#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace claimsca {

// Japan has had no daylight saving time since 1951: Asia/Tokyo is UTC+9.
inline constexpr std::chrono::seconds kJstOffset{9 * 3600};

// A civil date in Asia/Tokyo.
using Date = std::chrono::year_month_day;

// Parses an ISO 8601 instant: "2026-11-22", "2026-11-22T10:00", "2026-11-22T10:00:00",
// with an optional "Z" or "+09:00"/"-05:00" offset. Without an offset the time is read in
// Asia/Tokyo; a bare date means 00:00:00 JST.
Result<Instant> ParseInstant(std::string_view text);

// "2026-11-22T10:00:00+09:00".
std::string FormatJst(Instant t);
// "2026-11-22T01:00:00Z".
std::string FormatUtc(Instant t);
// The one date format of every page, document and message people read (docs/portal.md
// "Dates"): the guide's YYYY/MM/DD, zero-padded ("2026/01/05"), without era (和暦).
std::string FormatDateJa(Date d);
// The Asia/Tokyo civil date of an instant, as FormatDateJa.
std::string FormatDateJa(Instant t);
// "2026/11/22 10:00" in Asia/Tokyo: the same date followed by the time of day.
std::string FormatJstMinute(Instant t);
// "2026年11月" (no leading zero): a month alone (請求月, 診療開始月), which is not a date and
// is written as the guide and invoices write months.
std::string FormatMonthJa(std::chrono::year_month m);

// The Asia/Tokyo civil date of an instant, and the instant at 00:00:00 JST of a date.
Date JstDate(Instant t);
Instant JstMidnight(Date d);

// Adds calendar months to a date. A day the target month lacks becomes that month's last
// day (2024-01-31 + 1 month = 2024-02-29), the rule documented in
// docs/certificate-profile.md.
Date AddMonths(Date d, int months);

// The instant `months` calendar months after `t`, keeping the JST time of day, with the
// day clamped as in AddMonths.
Instant AddMonthsJst(Instant t, int months);

}  // namespace claimsca
