#include "common/time_util.h"

#include <gtest/gtest.h>

namespace claimsca {
namespace {

using namespace std::chrono;

TEST(ParseInstant, DefaultsToTokyo) {
  auto t = ParseInstant("2021-09-10T09:00:00");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(FormatUtc(*t), "2021-09-10T00:00:00Z");
  EXPECT_EQ(FormatJst(*t), "2021-09-10T09:00:00+09:00");
}

TEST(ParseInstant, AcceptsOffsetsAndBareDates) {
  EXPECT_EQ(FormatUtc(*ParseInstant("2021-09-10T00:00:00Z")), "2021-09-10T00:00:00Z");
  EXPECT_EQ(FormatUtc(*ParseInstant("2021-09-10T00:00-05:00")), "2021-09-10T05:00:00Z");
  EXPECT_EQ(FormatUtc(*ParseInstant("2021-09-10")), "2021-09-09T15:00:00Z");
}

TEST(ParseInstant, RejectsGarbage) {
  for (const char* s : {"", "2021", "2021-13-01", "2021-02-30", "2021-09-10T25:00",
                        "2021-09-10T10:00+9", "yesterday", "2021-09-10T10:00:00Zjunk"}) {
    EXPECT_FALSE(ParseInstant(s).ok()) << s;
  }
}

TEST(AddMonths, GuideExampleThreeYearsThreeMonths) {
  // 000 図表11: issued 2021/09/10, certificate valid until 2024/12/10.
  EXPECT_EQ(AddMonths(Date{2021y / 9 / 10}, 39), (Date{2024y / 12 / 10}));
}

TEST(AddMonths, ClampsToLastDayOfMonth) {
  EXPECT_EQ(AddMonths(Date{2024y / 1 / 31}, 1), (Date{2024y / 2 / 29}));
  EXPECT_EQ(AddMonths(Date{2023y / 1 / 31}, 1), (Date{2023y / 2 / 28}));
  EXPECT_EQ(AddMonths(Date{2021y / 11 / 30}, 39), (Date{2025y / 2 / 28}));
}

TEST(AddMonthsJst, KeepsTokyoTimeOfDayAcrossUtcDateLine) {
  // 2021-09-10 08:00 JST is 2021-09-09 23:00 UTC: the JST date must drive the arithmetic.
  Instant t = *ParseInstant("2021-09-10T08:00:00+09:00");
  EXPECT_EQ(FormatJst(AddMonthsJst(t, 39)), "2024-12-10T08:00:00+09:00");
}

TEST(JstDate, DownloadDeadlineIs180Days) {
  // 000 図表11: issued 2021/09/10, download until 2022/03/09.
  Date issued{2021y / 9 / 10};
  EXPECT_EQ(Date{sys_days(issued) + days(180)}, (Date{2022y / 3 / 9}));
}

}  // namespace
}  // namespace claimsca
