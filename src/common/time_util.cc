#include "common/time_util.h"

#include <cstdio>

namespace claimsca {
namespace {

bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<Instant> ParseInstant(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  auto bad = [&] {
    return InvalidArgument("time \"" + std::string(s) +
                           "\" is not ISO 8601 (e.g. 2026-11-22T10:00:00+09:00)");
  };
  if (!ParseDigits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !ParseDigits(s, 5, 2, &mo) ||
      s[7] != '-' || !ParseDigits(s, 8, 2, &d)) {
    return bad();
  }
  size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    if (!ParseDigits(s, pos + 1, 2, &h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ParseDigits(s, pos + 4, 2, &mi)) {
      return bad();
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!ParseDigits(s, pos + 1, 2, &sec)) return bad();
      pos += 3;
    }
  }
  seconds offset = kJstOffset;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      offset = seconds(0);
    } else if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
      int oh, om;
      if (!ParseDigits(s, pos + 1, 2, &oh) || !ParseDigits(s, pos + 4, 2, &om)) return bad();
      offset = hours(oh) + minutes(om);
      if (s[pos] == '-') offset = -offset;
    } else {
      return bad();
    }
  }
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return bad();
  Instant local = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec);
  return Instant(local - offset);
}

static std::string Format(Instant t, std::chrono::seconds offset, const char* suffix) {
  using namespace std::chrono;
  Instant local = t + offset;
  auto day_point = floor<days>(local);
  year_month_day ymd{day_point};
  hh_mm_ss hms{local - day_point};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%s", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()), suffix);
  return buf;
}

std::string FormatJst(Instant t) { return Format(t, kJstOffset, "+09:00"); }
std::string FormatUtc(Instant t) { return Format(t, std::chrono::seconds(0), "Z"); }

std::string FormatDateJa(Date d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d/%02u/%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string FormatDateJa(Instant t) { return FormatDateJa(JstDate(t)); }

std::string FormatJstMinute(Instant t) {
  using namespace std::chrono;
  const Instant local = t + kJstOffset;
  const auto day_point = floor<days>(local);
  const hh_mm_ss hms{local - day_point};
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", int(hms.hours().count()),
                int(hms.minutes().count()));
  return FormatDateJa(year_month_day{day_point}) + buf;
}

std::string FormatMonthJa(std::chrono::year_month m) {
  return std::to_string(static_cast<int>(m.year())) + "年" +
         std::to_string(static_cast<unsigned>(m.month())) + "月";
}

Date JstDate(Instant t) { return Date{std::chrono::floor<std::chrono::days>(t + kJstOffset)}; }

Instant JstMidnight(Date d) { return Instant(std::chrono::sys_days(d)) - kJstOffset; }

Date AddMonths(Date d, int months) {
  using namespace std::chrono;
  year_month ym = year_month(d.year(), d.month()) + std::chrono::months(months);
  auto last = year_month_day_last(ym.year(), month_day_last(ym.month())).day();
  return Date(ym.year(), ym.month(), d.day() > last ? last : d.day());
}

Instant AddMonthsJst(Instant t, int months) {
  Date d = JstDate(t);
  std::chrono::seconds time_of_day = t - JstMidnight(d);
  return JstMidnight(AddMonths(d, months)) + time_of_day;
}

}  // namespace claimsca
