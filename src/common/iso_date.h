#pragma once

// "YYYY-MM-DD" of a civil date (header-only).

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "common/time_util.h"

namespace claimsca {

inline std::string IsoDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

// "YYYY-MM-DD" back to the date; nullopt for anything else (or a day that does not exist).
inline std::optional<Date> ParseIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int v[3] = {0, 0, 0};
  const size_t at[3] = {0, 5, 8};
  const size_t len[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t k = at[i]; k < at[i] + len[i]; ++k) {
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
      v[i] = v[i] * 10 + (s[k] - '0');
    }
  }
  const Date d{std::chrono::year(v[0]), std::chrono::month(static_cast<unsigned>(v[1])),
               std::chrono::day(static_cast<unsigned>(v[2]))};
  if (!d.ok()) return std::nullopt;
  return d;
}

}  // namespace claimsca
