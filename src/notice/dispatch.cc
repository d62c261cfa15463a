#include "notice/dispatch.h"

#include "domain/calendar.h"

namespace claimsca::notice {

Date DispatchDate(Instant completed_at) {
  const Date day = JstDate(completed_at);
  const Instant cutoff = JstMidnight(day) + std::chrono::hours(15);
  const Date counted =
      completed_at <= cutoff ? day : Date(std::chrono::sys_days(day) + std::chrono::days(1));
  return domain::NextShippingDay(counted);
}

}  // namespace claimsca::notice
