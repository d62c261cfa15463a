#pragma once

// "YYYY-MM-DD" of a civil date (header-only).

#include <cstdio>
#include <string>

#include "common/time_util.h"

namespace claimsca {

inline std::string IsoDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

}  // namespace claimsca
