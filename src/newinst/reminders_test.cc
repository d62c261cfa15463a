// Which deadline reminder is due on a day: N open days before each deadline, the smallest
// N due, none once presented or past the presentation deadline.

#include "newinst/reminders.h"

#include <gtest/gtest.h>

namespace claimsca::newinst {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

Institution Row() {
  Institution in;
  in.provisional_code = "1310000013";
  in.opening_month = "2027-04";  // reply 2027-03-10 (水), presentation 2027-03-15 (月)
  return in;
}

TEST(Reminders, FiveAndOneOpenDayBeforeEachDeadline) {
  const std::vector<int> days = {5, 1};
  const Institution in = Row();
  EXPECT_FALSE(DueReminder(in, D(2027, 3, 2), days));  // 6 open days before the 10th
  auto r = DueReminder(in, D(2027, 3, 3), days);       // 5 open days before
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, DeadlineKind::kReply);
  EXPECT_EQ(r->days_before, 5);
  EXPECT_EQ(r->deadline, D(2027, 3, 10));
  EXPECT_EQ(r->dedupe_key, "newinst.remind.1310000013.reply.5");
  r = DueReminder(in, D(2027, 3, 9), days);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->days_before, 1);
  EXPECT_EQ(DueReminder(in, D(2027, 3, 10), days)->days_before, 1);
  // After the reply deadline: the presentation deadline (15th, a Monday); 5 open days
  // before it is the 8th, so on the 11th the 5-day reminder is due, on the 12th (Fri) the
  // 1-day one.
  r = DueReminder(in, D(2027, 3, 11), days);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, DeadlineKind::kPresentation);
  EXPECT_EQ(r->days_before, 5);
  r = DueReminder(in, D(2027, 3, 12), days);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->days_before, 1);
  EXPECT_EQ(r->dedupe_key, "newinst.remind.1310000013.presentation.1");
  EXPECT_FALSE(DueReminder(in, D(2027, 3, 16), days));
  EXPECT_TRUE(PresentationOverdue(in, D(2027, 3, 16)));
  EXPECT_FALSE(PresentationOverdue(in, D(2027, 3, 15)));
}

TEST(Reminders, ParseDays) {
  auto d = ParseReminderDays("5, 1");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (std::vector<int>{5, 1}));
  for (const char* bad : {"", "5,", "a", "5;1", "100", "-1"}) {
    EXPECT_FALSE(ParseReminderDays(bad).ok()) << bad;
  }
}

TEST(Reminders, NoneOncePresented) {
  Institution in = Row();
  in.state = State::kPresented;
  EXPECT_FALSE(DueReminder(in, D(2027, 3, 9), {5, 1}));
  EXPECT_FALSE(PresentationOverdue(in, D(2027, 3, 16)));
}

}  // namespace
}  // namespace claimsca::newinst
