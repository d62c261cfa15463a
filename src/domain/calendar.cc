#include "domain/calendar.h"

#include <chrono>
#include <cstdint>

namespace claimsca::domain {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::weekday;

constexpr std::string_view kSubstitute = "振替休日";
constexpr std::string_view kCitizens = "国民の休日";

Date Shift(Date d, int n) { return Date(sys_days(d) + days(n)); }
weekday WeekdayOf(Date d) { return weekday(sys_days(d)); }
bool IsSunday(Date d) { return WeekdayOf(d) == std::chrono::Sunday; }
bool IsSaturday(Date d) { return WeekdayOf(d) == std::chrono::Saturday; }

// The day of the month of the n-th Monday (Happy Monday rules).
unsigned NthMonday(int y, unsigned m, unsigned n) {
  const std::chrono::year_month_weekday ymw{std::chrono::year(y), std::chrono::month(m),
                                            std::chrono::Monday[n]};
  return static_cast<unsigned>(Date(sys_days(ymw)).day());
}

// 春分日 and 秋分日 by the usual approximation, valid 1980–2099:
// day = floor(base + 0.242194 * (y - 1980) - floor((y - 1980) / 4)), in millionths.
unsigned EquinoxDay(int y, int64_t base_millionths) {
  const int64_t t = y - 1980;
  return static_cast<unsigned>((base_millionths + 242194 * t) / 1000000 - t / 4);
}
unsigned VernalEquinoxDay(int y) { return EquinoxDay(y, 20843100); }
unsigned AutumnalEquinoxDay(int y) { return EquinoxDay(y, 23248800); }

// A 国民の祝日 proper or a one-off holiday by special law; not 振替休日 / 国民の休日.
std::optional<std::string_view> ProperHoliday(Date date) {
  if (!date.ok()) return std::nullopt;
  const int y = static_cast<int>(date.year());
  if (y < kFirstCalendarYear || y > kLastCalendarYear) return std::nullopt;
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  switch (m) {
    case 1:
      if (d == 1) return "元日";
      if (d == (y < 2000 ? 15u : NthMonday(y, 1, 2))) return "成人の日";
      break;
    case 2:
      if (d == 11) return "建国記念の日";
      if (d == 23 && y >= 2020) return "天皇誕生日";
      if (y == 1989 && d == 24) return "昭和天皇の大喪の礼";
      break;
    case 3:
      if (d == VernalEquinoxDay(y)) return "春分の日";
      break;
    case 4:
      if (d == 29) return y <= 1988 ? "天皇誕生日" : y <= 2006 ? "みどりの日" : "昭和の日";
      break;
    case 5:
      if (y == 2019 && d == 1) return "天皇の即位の日";
      if (d == 3) return "憲法記念日";
      if (d == 4 && y >= 2007) return "みどりの日";
      if (d == 5) return "こどもの日";
      break;
    case 6:
      if (y == 1993 && d == 9) return "皇太子徳仁親王の結婚の儀";
      break;
    case 7:
      if (y == 2020)
        return d == 23 ? "海の日" : d == 24 ? "スポーツの日" : std::optional<std::string_view>();
      if (y == 2021)
        return d == 22 ? "海の日" : d == 23 ? "スポーツの日" : std::optional<std::string_view>();
      if (y >= 1996 && d == (y <= 2002 ? 20u : NthMonday(y, 7, 3))) return "海の日";
      break;
    case 8:
      if (y >= 2016 && d == (y == 2020 ? 10u : y == 2021 ? 8u : 11u)) return "山の日";
      break;
    case 9:
      if (d == (y <= 2002 ? 15u : NthMonday(y, 9, 3))) return "敬老の日";
      if (d == AutumnalEquinoxDay(y)) return "秋分の日";
      break;
    case 10:
      if (y == 2019 && d == 22) return "即位礼正殿の儀";
      if (y == 2020 || y == 2021) break;  // moved to July for the Olympics
      if (d == (y <= 1999 ? 10u : NthMonday(y, 10, 2))) {
        return y <= 2019 ? "体育の日" : "スポーツの日";
      }
      break;
    case 11:
      if (d == 3) return "文化の日";
      if (d == 23) return "勤労感謝の日";
      if (y == 1990 && d == 12) return "即位礼正殿の儀";
      break;
    case 12:
      if (d == 23 && y >= 1989 && y <= 2018) return "天皇誕生日";
      break;
    default:
      break;
  }
  return std::nullopt;
}

// 振替休日 (祝日法 §3-2): until 2006 the Monday after a Sunday 祝日; from 2007 the first
// day after a Sunday 祝日 that is not itself a 祝日.
bool IsSubstituteHoliday(Date d) {
  if (ProperHoliday(d)) return false;
  Date prev = Shift(d, -1);
  if (static_cast<int>(d.year()) < 2007) return ProperHoliday(prev) && IsSunday(prev);
  while (ProperHoliday(prev)) {
    if (IsSunday(prev)) return true;
    prev = Shift(prev, -1);
  }
  return false;
}

// 国民の休日 (祝日法 §3-3, from 1985-12-27): a day whose previous and next days are both
// 祝日 and which is not a 祝日 itself. Until 2006 a Sunday or a 振替休日 did not qualify.
bool IsCitizensHoliday(Date d) {
  const int y = static_cast<int>(d.year());
  if (y < 1986 || ProperHoliday(d)) return false;
  if (!ProperHoliday(Shift(d, -1)) || !ProperHoliday(Shift(d, 1))) return false;
  if (y < 2007 && (IsSunday(d) || IsSubstituteHoliday(d))) return false;
  return true;
}

}  // namespace

std::optional<std::string_view> HolidayName(Date d) {
  if (auto name = ProperHoliday(d)) return name;
  if (!d.ok()) return std::nullopt;
  const int y = static_cast<int>(d.year());
  if (y < kFirstCalendarYear || y > kLastCalendarYear) return std::nullopt;
  if (IsSubstituteHoliday(d)) return kSubstitute;
  if (IsCitizensHoliday(d)) return kCitizens;
  return std::nullopt;
}

bool IsNationalHoliday(Date d) { return HolidayName(d).has_value(); }

bool IsYearEndClosure(Date d) {
  const unsigned m = static_cast<unsigned>(d.month());
  const unsigned day = static_cast<unsigned>(d.day());
  return (m == 12 && day >= 29) || (m == 1 && day <= 3);
}

bool IsBusinessDay(Date d) {
  return !IsSaturday(d) && !IsSunday(d) && !IsNationalHoliday(d) && !IsYearEndClosure(d);
}

bool IsShippingDay(Date d) { return !IsSunday(d) && !IsNationalHoliday(d) && !IsYearEndClosure(d); }

Date RollForwardToBusinessDay(Date d) {
  while (!IsBusinessDay(d)) d = Shift(d, 1);
  return d;
}

Date NextBusinessDay(Date d) { return RollForwardToBusinessDay(Shift(d, 1)); }

Date NextShippingDay(Date d) {
  d = Shift(d, 1);
  while (!IsShippingDay(d)) d = Shift(d, 1);
  return d;
}

Date AddBusinessDays(Date d, int n) {
  const int step = n >= 0 ? 1 : -1;
  for (int left = n >= 0 ? n : -n; left > 0; --left) {
    do {
      d = Shift(d, step);
    } while (!IsBusinessDay(d));
  }
  return d;
}

}  // namespace claimsca::domain
