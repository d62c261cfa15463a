#include "billing/month.h"

namespace claimsca::billing {
namespace {

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int ToInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

std::string FormatMonth(YearMonth m) { return domain::FormatYearMonth(m); }

Result<YearMonth> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-' || !Digits(text.substr(0, 4)) ||
      !Digits(text.substr(5, 2))) {
    return InvalidArgument("month \"" + std::string(text) + "\" is not YYYY-MM");
  }
  const int month = ToInt(text.substr(5, 2));
  if (month < 1 || month > 12) {
    return InvalidArgument("month \"" + std::string(text) + "\": month must be 01..12");
  }
  return YearMonth(std::chrono::year(ToInt(text.substr(0, 4))),
                   std::chrono::month(static_cast<unsigned>(month)));
}

Result<std::string> BillingMonthOfDate(std::string_view charge_date) {
  if (charge_date.size() != 10 || charge_date[7] != '-' || !Digits(charge_date.substr(8, 2))) {
    return InvalidArgument("date \"" + std::string(charge_date) + "\" is not YYYY-MM-DD");
  }
  ASSIGN_OR_RETURN(YearMonth m, ParseMonth(charge_date.substr(0, 7)));
  const Date d = m / std::chrono::day(static_cast<unsigned>(ToInt(charge_date.substr(8, 2))));
  if (!d.ok()) return InvalidArgument("date \"" + std::string(charge_date) + "\" does not exist");
  return FormatMonth(domain::BillingMonth(d));
}

}  // namespace claimsca::billing
