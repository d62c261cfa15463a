#include "newinst/deadlines.h"

#include <array>
#include <cstdio>

#include "domain/calendar.h"

namespace claimsca::newinst {

namespace {

Date DayOfMonthBefore(YearMonth opening, unsigned day) {
  const YearMonth before = opening - std::chrono::months{1};
  return domain::RollForwardToBusinessDay(
      Date{before.year(), before.month(), std::chrono::day{day}});
}

}  // namespace

Deadlines DeadlinesFor(YearMonth opening_month) {
  return Deadlines{DayOfMonthBefore(opening_month, 10), DayOfMonthBefore(opening_month, 15)};
}

Result<YearMonth> ParseOpeningMonth(std::string_view text) {
  const auto bad = [&] {
    return InvalidArgument("opening month: expected YYYY-MM, got \"" + std::string(text) + "\"");
  };
  if (text.size() != 7 || text[4] != '-') return bad();
  int y = 0;
  unsigned m = 0;
  for (size_t i = 0; i < 7; ++i) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9') return bad();
    if (i < 4) {
      y = y * 10 + (text[i] - '0');
    } else {
      m = m * 10 + static_cast<unsigned>(text[i] - '0');
    }
  }
  if (y < 2000 || y > 2099 || m < 1 || m > 12) return bad();
  return YearMonth{std::chrono::year{y}, std::chrono::month{m}};
}

std::string FormatOpeningMonth(YearMonth m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(m.year()),
                static_cast<unsigned>(m.month()));
  return buf;
}

std::string FormatDeadline(Date d) {
  static constexpr std::array<const char*, 7> kWeekdays = {"日", "月", "火", "水",
                                                           "木", "金", "土"};
  const unsigned wd = std::chrono::weekday{std::chrono::sys_days{d}}.c_encoding();
  return FormatDateJa(d) + "(" + kWeekdays[wd] + ")";
}

}  // namespace claimsca::newinst
