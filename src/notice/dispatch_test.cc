// The dispatch date: 15:00 JST cut-off, then the next shipping day (Mon–Sat, not a
// national holiday, not 12/29–1/3), across weekends, holidays and the year end.

#include "notice/dispatch.h"

#include <gtest/gtest.h>

#include <string>

#include "common/iso_date.h"

namespace claimsca::notice {
namespace {

TEST(DispatchDate, Table) {
  struct Case {
    const char* completed;  // JST unless an offset is given
    const char* dispatch;
  };
  const Case cases[] = {
      // An ordinary week (2026-11: 3 文化の日 and 23 勤労感謝の日 are holidays).
      {"2026-11-24T10:00", "2026-11-25"},     // Tue morning → Wed
      {"2026-11-24T15:00", "2026-11-25"},     // 15:00:00 is still "by 15:00"
      {"2026-11-24T15:00:01", "2026-11-26"},  // after 15:00 → counted Wed → Thu
      {"2026-11-27T14:59", "2026-11-28"},     // Fri → Sat (a shipping day)
      {"2026-11-27T16:00", "2026-11-30"},     // Fri late → counted Sat → Mon
      {"2026-11-28T09:00", "2026-11-30"},     // Sat → Mon (Sunday never)
      {"2026-11-29T09:00", "2026-11-30"},     // Sun → Mon
      {"2026-11-22T10:00", "2026-11-24"},     // Sun → Mon 11/23 is 勤労感謝の日 → Tue
      {"2026-11-02T10:00", "2026-11-04"},     // Mon → Tue 11/3 文化の日 → Wed
      // Year end: 12/29–1/3 closed, then 1/4.
      {"2026-12-28T10:00", "2027-01-04"},  // Mon → 12/29…1/3 closed → Mon 1/4
      {"2026-12-26T10:00", "2026-12-28"},  // Sat → Mon 12/28
      {"2026-12-30T10:00", "2027-01-04"},
      {"2025-12-27T10:00", "2026-01-05"},  // Sat → 12/29…1/3 closed, 1/4 Sun → Mon 1/5
      {"2027-01-08T16:00", "2027-01-12"},  // Fri late → Sat counted → Mon 1/11 成人の日 → Tue
      // Golden Week 2026: 4/29, 5/3 (Sun), 5/4, 5/5, 5/6 振替休日.
      {"2026-05-01T10:00", "2026-05-02"},  // Fri → Sat
      {"2026-05-02T10:00", "2026-05-07"},  // Sat → Sun, 5/4, 5/5, 5/6 closed → Thu
      // 国民の休日 2026-09-22 between 敬老の日 (9/21) and 秋分の日 (9/23).
      {"2026-09-19T10:00", "2026-09-24"},
      // The instant's JST date counts, not its UTC date.
      {"2026-11-24T05:59:59Z", "2026-11-25"},  // 14:59:59 JST
      {"2026-11-24T06:00:01Z", "2026-11-26"},  // 15:00:01 JST
      {"2026-11-23T15:30:00Z", "2026-11-25"},  // 00:30 JST on 11/24 → Wed
  };
  for (const Case& c : cases) {
    auto at = ParseInstant(c.completed);
    ASSERT_TRUE(at.ok()) << c.completed;
    EXPECT_EQ(IsoDate(DispatchDate(*at)), c.dispatch) << c.completed;
  }
}

TEST(DispatchDateInBatch, TheApprovalCountsThePrintOnlyBoundsItFromBelow) {
  struct Case {
    const char* approved;
    const char* printed;
    const char* dispatch;
  };
  const Case cases[] = {
      // Approved 14:30 on a shipping day, printed after 15:00: still the next shipping day.
      {"2026-11-24T14:30", "2026-11-24T16:00", "2026-11-25"},
      {"2026-11-24T14:30", "2026-11-24T23:59", "2026-11-25"},
      // Approved after 15:00: a shipping day later, whenever it is printed that day.
      {"2026-11-24T15:30", "2026-11-24T16:00", "2026-11-26"},
      {"2026-11-24T15:30", "2026-11-25T09:00", "2026-11-26"},
      // Printed late: never before the first shipping day after the print day.
      {"2026-11-24T10:00", "2026-11-26T10:00", "2026-11-27"},
      // Friday 16:00 approval printed Saturday morning → counted Saturday → Monday.
      {"2026-11-27T16:00", "2026-11-28T09:00", "2026-11-30"},
      // Friday 14:00 approval printed Friday 18:00 → Saturday (a shipping day).
      {"2026-11-27T14:00", "2026-11-27T18:00", "2026-11-28"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsoDate(DispatchDateInBatch(*ParseInstant(c.approved), *ParseInstant(c.printed))),
              c.dispatch)
        << c.approved << " printed " << c.printed;
  }
}

}  // namespace
}  // namespace claimsca::notice
