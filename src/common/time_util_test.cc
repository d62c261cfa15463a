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

// The guide's status list (000 図表11): 発行日 2021/09/10, 証明書有効期限 2024/12/10.
TEST(FormatDateJa, IsTheGuidesZeroPaddedYearMonthDay) {
  EXPECT_EQ(FormatDateJa(Date{2021y / 9 / 10}), "2021/09/10");
  EXPECT_EQ(FormatDateJa(Date{2026y / 1 / 5}), "2026/01/05");
  EXPECT_EQ(FormatDateJa(Date{2030y / 12 / 31}), "2030/12/31");
}

TEST(FormatDateJa, TakesTheTokyoDateOfAnInstant) {
  EXPECT_EQ(FormatDateJa(*ParseInstant("2026-12-06T14:59:59Z")), "2026/12/06");
  EXPECT_EQ(FormatDateJa(*ParseInstant("2026-12-06T15:00:00Z")), "2026/12/07");
  // The last second of a certificate (23:59:59 JST) is still its printed end date.
  EXPECT_EQ(FormatDateJa(*ParseInstant("2029-12-10T23:59:59+09:00")), "2029/12/10");
}

TEST(FormatJstMinute, IsTheSameDateWithTheTokyoTimeOfDay) {
  EXPECT_EQ(FormatJstMinute(*ParseInstant("2026-11-24T01:05:59Z")), "2026/11/24 10:05");
  EXPECT_EQ(FormatJstMinute(*ParseInstant("2026-12-31T15:00:00Z")), "2027/01/01 00:00");
}

TEST(FormatMonthJa, WritesAMonthWithoutLeadingZero) {
  EXPECT_EQ(FormatMonthJa(2027y / 1), "2027年1月");
  EXPECT_EQ(FormatMonthJa(2026y / 11), "2026年11月");
}

}  // namespace
}  // namespace claimsca
