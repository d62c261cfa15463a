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

Date DispatchDateInBatch(Instant completed_at, Instant printed_at) {
  const Date own = DispatchDate(completed_at);
  const Date earliest = domain::NextShippingDay(JstDate(printed_at));
  return std::chrono::sys_days(own) < std::chrono::sys_days(earliest) ? earliest : own;
}

}  // namespace claimsca::notice
