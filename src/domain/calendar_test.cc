#include "domain/calendar.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace claimsca::domain {
namespace {

using std::chrono::sys_days;

constexpr Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// "2026-11-23", for failure messages (GCC 12 has no operator<< for year_month_day).
std::string Iso(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

struct HolidayCase {
  Date date;
  const char* name;
};

// Every holiday of 2020–2027 as published by the Cabinet Office (内閣府「国民の祝日」,
// syukujitsu.csv; 2027 published in February 2026), whose CSV writes "休日" for both
// 振替休日 and 国民の休日. 2020 and 2021 carry the Olympic moves (海の日, スポーツの日, 山の日).
const HolidayCase kPublished[] = {
    {D(2020, 1, 1), "元日"},           {D(2020, 1, 13), "成人の日"},
    {D(2020, 2, 11), "建国記念の日"},  {D(2020, 2, 23), "天皇誕生日"},
    {D(2020, 2, 24), "振替休日"},      {D(2020, 3, 20), "春分の日"},
    {D(2020, 4, 29), "昭和の日"},      {D(2020, 5, 3), "憲法記念日"},
    {D(2020, 5, 4), "みどりの日"},     {D(2020, 5, 5), "こどもの日"},
    {D(2020, 5, 6), "振替休日"},       {D(2020, 7, 23), "海の日"},
    {D(2020, 7, 24), "スポーツの日"},  {D(2020, 8, 10), "山の日"},
    {D(2020, 9, 21), "敬老の日"},      {D(2020, 9, 22), "秋分の日"},
    {D(2020, 11, 3), "文化の日"},      {D(2020, 11, 23), "勤労感謝の日"},
    {D(2021, 1, 1), "元日"},           {D(2021, 1, 11), "成人の日"},
    {D(2021, 2, 11), "建国記念の日"},  {D(2021, 2, 23), "天皇誕生日"},
    {D(2021, 3, 20), "春分の日"},      {D(2021, 4, 29), "昭和の日"},
    {D(2021, 5, 3), "憲法記念日"},     {D(2021, 5, 4), "みどりの日"},
    {D(2021, 5, 5), "こどもの日"},     {D(2021, 7, 22), "海の日"},
    {D(2021, 7, 23), "スポーツの日"},  {D(2021, 8, 8), "山の日"},
    {D(2021, 8, 9), "振替休日"},       {D(2021, 9, 20), "敬老の日"},
    {D(2021, 9, 23), "秋分の日"},      {D(2021, 11, 3), "文化の日"},
    {D(2021, 11, 23), "勤労感謝の日"}, {D(2022, 1, 1), "元日"},
    {D(2022, 1, 10), "成人の日"},      {D(2022, 2, 11), "建国記念の日"},
    {D(2022, 2, 23), "天皇誕生日"},    {D(2022, 3, 21), "春分の日"},
    {D(2022, 4, 29), "昭和の日"},      {D(2022, 5, 3), "憲法記念日"},
    {D(2022, 5, 4), "みどりの日"},     {D(2022, 5, 5), "こどもの日"},
    {D(2022, 7, 18), "海の日"},        {D(2022, 8, 11), "山の日"},
    {D(2022, 9, 19), "敬老の日"},      {D(2022, 9, 23), "秋分の日"},
    {D(2022, 10, 10), "スポーツの日"}, {D(2022, 11, 3), "文化の日"},
    {D(2022, 11, 23), "勤労感謝の日"}, {D(2023, 1, 1), "元日"},
    {D(2023, 1, 2), "振替休日"},       {D(2023, 1, 9), "成人の日"},
    {D(2023, 2, 11), "建国記念の日"},  {D(2023, 2, 23), "天皇誕生日"},
    {D(2023, 3, 21), "春分の日"},      {D(2023, 4, 29), "昭和の日"},
    {D(2023, 5, 3), "憲法記念日"},     {D(2023, 5, 4), "みどりの日"},
    {D(2023, 5, 5), "こどもの日"},     {D(2023, 7, 17), "海の日"},
    {D(2023, 8, 11), "山の日"},        {D(2023, 9, 18), "敬老の日"},
    {D(2023, 9, 23), "秋分の日"},      {D(2023, 10, 9), "スポーツの日"},
    {D(2023, 11, 3), "文化の日"},      {D(2023, 11, 23), "勤労感謝の日"},
    {D(2024, 1, 1), "元日"},           {D(2024, 1, 8), "成人の日"},
    {D(2024, 2, 11), "建国記念の日"},  {D(2024, 2, 12), "振替休日"},
    {D(2024, 2, 23), "天皇誕生日"},    {D(2024, 3, 20), "春分の日"},
    {D(2024, 4, 29), "昭和の日"},      {D(2024, 5, 3), "憲法記念日"},
    {D(2024, 5, 4), "みどりの日"},     {D(2024, 5, 5), "こどもの日"},
    {D(2024, 5, 6), "振替休日"},       {D(2024, 7, 15), "海の日"},
    {D(2024, 8, 11), "山の日"},        {D(2024, 8, 12), "振替休日"},
    {D(2024, 9, 16), "敬老の日"},      {D(2024, 9, 22), "秋分の日"},
    {D(2024, 9, 23), "振替休日"},      {D(2024, 10, 14), "スポーツの日"},
    {D(2024, 11, 3), "文化の日"},      {D(2024, 11, 4), "振替休日"},
    {D(2024, 11, 23), "勤労感謝の日"},

    {D(2025, 1, 1), "元日"},           {D(2025, 1, 13), "成人の日"},
    {D(2025, 2, 11), "建国記念の日"},  {D(2025, 2, 23), "天皇誕生日"},
    {D(2025, 2, 24), "振替休日"},      {D(2025, 3, 20), "春分の日"},
    {D(2025, 4, 29), "昭和の日"},      {D(2025, 5, 3), "憲法記念日"},
    {D(2025, 5, 4), "みどりの日"},     {D(2025, 5, 5), "こどもの日"},
    {D(2025, 5, 6), "振替休日"},       {D(2025, 7, 21), "海の日"},
    {D(2025, 8, 11), "山の日"},        {D(2025, 9, 15), "敬老の日"},
    {D(2025, 9, 23), "秋分の日"},      {D(2025, 10, 13), "スポーツの日"},
    {D(2025, 11, 3), "文化の日"},      {D(2025, 11, 23), "勤労感謝の日"},
    {D(2025, 11, 24), "振替休日"},

    {D(2026, 1, 1), "元日"},           {D(2026, 1, 12), "成人の日"},
    {D(2026, 2, 11), "建国記念の日"},  {D(2026, 2, 23), "天皇誕生日"},
    {D(2026, 3, 20), "春分の日"},      {D(2026, 4, 29), "昭和の日"},
    {D(2026, 5, 3), "憲法記念日"},     {D(2026, 5, 4), "みどりの日"},
    {D(2026, 5, 5), "こどもの日"},     {D(2026, 5, 6), "振替休日"},
    {D(2026, 7, 20), "海の日"},        {D(2026, 8, 11), "山の日"},
    {D(2026, 9, 21), "敬老の日"},      {D(2026, 9, 22), "国民の休日"},
    {D(2026, 9, 23), "秋分の日"},      {D(2026, 10, 12), "スポーツの日"},
    {D(2026, 11, 3), "文化の日"},      {D(2026, 11, 23), "勤労感謝の日"},
    {D(2027, 1, 1), "元日"},           {D(2027, 1, 11), "成人の日"},
    {D(2027, 2, 11), "建国記念の日"},  {D(2027, 2, 23), "天皇誕生日"},
    {D(2027, 3, 21), "春分の日"},      {D(2027, 3, 22), "振替休日"},
    {D(2027, 4, 29), "昭和の日"},      {D(2027, 5, 3), "憲法記念日"},
    {D(2027, 5, 4), "みどりの日"},     {D(2027, 5, 5), "こどもの日"},
    {D(2027, 7, 19), "海の日"},        {D(2027, 8, 11), "山の日"},
    {D(2027, 9, 20), "敬老の日"},      {D(2027, 9, 23), "秋分の日"},
    {D(2027, 10, 11), "スポーツの日"}, {D(2027, 11, 3), "文化の日"},
    {D(2027, 11, 23), "勤労感謝の日"},
};

std::vector<Date> HolidaysOf(int year) {
  std::vector<Date> out;
  for (sys_days t = sys_days(D(year, 1, 1)); t <= sys_days(D(year, 12, 31));
       t += std::chrono::days(1)) {
    if (IsNationalHoliday(Date(t))) out.push_back(Date(t));
  }
  return out;
}

TEST(CalendarTest, PublishedHolidays2020To2027) {
  std::vector<Date> want;
  for (const auto& c : kPublished) {
    SCOPED_TRACE(testing::Message() << Iso(c.date));
    auto name = HolidayName(c.date);
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(*name, c.name);
    EXPECT_TRUE(IsNationalHoliday(c.date));
    EXPECT_FALSE(IsBusinessDay(c.date));
    EXPECT_FALSE(IsShippingDay(c.date));
    want.push_back(c.date);
  }
  // And nothing else: the generated list is exactly the published one.
  std::vector<Date> got;
  for (int y = 2020; y <= 2027; ++y) {
    auto h = HolidaysOf(y);
    got.insert(got.end(), h.begin(), h.end());
  }
  EXPECT_EQ(got, want);
}

TEST(CalendarTest, Special2019To2021) {
  const HolidayCase cases[] = {
      {D(2019, 4, 29), "昭和の日"},        {D(2019, 4, 30), "国民の休日"},
      {D(2019, 5, 1), "天皇の即位の日"},   {D(2019, 5, 2), "国民の休日"},
      {D(2019, 5, 3), "憲法記念日"},       {D(2019, 5, 6), "振替休日"},
      {D(2019, 10, 14), "体育の日"},       {D(2019, 10, 22), "即位礼正殿の儀"},
      {D(2020, 2, 23), "天皇誕生日"},      {D(2020, 2, 24), "振替休日"},
      {D(2020, 7, 23), "海の日"},          {D(2020, 7, 24), "スポーツの日"},
      {D(2020, 8, 10), "山の日"},          {D(2021, 7, 22), "海の日"},
      {D(2021, 7, 23), "スポーツの日"},    {D(2021, 8, 8), "山の日"},
      {D(2021, 8, 9), "振替休日"},         {D(2018, 12, 23), "天皇誕生日"},
      {D(2018, 12, 24), "振替休日"},       {D(1989, 2, 24), "昭和天皇の大喪の礼"},
      {D(1990, 11, 12), "即位礼正殿の儀"}, {D(1993, 6, 9), "皇太子徳仁親王の結婚の儀"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << Iso(c.date));
    auto name = HolidayName(c.date);
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(*name, c.name);
  }
  // No 天皇誕生日 in 2019; the usual dates of the moved 2020/2021 holidays are ordinary.
  for (Date d : {D(2019, 12, 23), D(2019, 2, 23), D(2020, 7, 20), D(2020, 8, 11), D(2020, 10, 12),
                 D(2021, 7, 19), D(2021, 8, 11), D(2021, 10, 11)}) {
    EXPECT_FALSE(IsNationalHoliday(d)) << Iso(d);
  }
  EXPECT_TRUE(IsBusinessDay(D(2021, 10, 11)));
}

TEST(CalendarTest, SubstituteHolidays) {
  for (Date d : {D(2023, 1, 2), D(2024, 2, 12), D(2024, 5, 6), D(2024, 8, 12), D(2024, 9, 23),
                 D(2024, 11, 4), D(2025, 2, 24), D(2025, 5, 6), D(2025, 11, 24), D(2026, 5, 6)}) {
    SCOPED_TRACE(testing::Message() << Iso(d));
    auto name = HolidayName(d);
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(*name, "振替休日");
    EXPECT_FALSE(IsBusinessDay(d));
  }
  // A Saturday holiday gives no substitute.
  EXPECT_TRUE(IsBusinessDay(D(2024, 11, 25)));  // 11/23 was a Saturday
}

TEST(CalendarTest, HistoricalRules) {
  EXPECT_EQ(HolidayName(D(1999, 1, 15)), "成人の日");
  EXPECT_EQ(HolidayName(D(2000, 1, 10)), "成人の日");
  EXPECT_EQ(HolidayName(D(1988, 4, 29)), "天皇誕生日");
  EXPECT_EQ(HolidayName(D(2006, 4, 29)), "みどりの日");
  EXPECT_EQ(HolidayName(D(2007, 4, 29)), "昭和の日");
  EXPECT_EQ(HolidayName(D(1995, 7, 20)), std::nullopt);
  EXPECT_EQ(HolidayName(D(1996, 7, 20)), "海の日");
  EXPECT_EQ(HolidayName(D(2003, 7, 21)), "海の日");
  EXPECT_EQ(HolidayName(D(2002, 9, 15)), "敬老の日");
  EXPECT_EQ(HolidayName(D(1999, 10, 10)), "体育の日");
  EXPECT_EQ(HolidayName(D(2015, 8, 11)), std::nullopt);
  EXPECT_EQ(HolidayName(D(2016, 8, 11)), "山の日");
  EXPECT_EQ(HolidayName(D(1988, 5, 4)), "国民の休日");  // Wednesday between 5/3 and 5/5
  EXPECT_EQ(HolidayName(D(2009, 9, 22)), "国民の休日");
  EXPECT_EQ(HolidayName(D(2008, 5, 6)), "振替休日");    // 5/4 Sunday, next non-holiday
  EXPECT_EQ(HolidayName(D(1979, 1, 1)), std::nullopt);  // outside the supported range
  EXPECT_EQ(HolidayName(D(2100, 1, 1)), std::nullopt);
}

// Holidays per year in the holiday_jp dataset (github.com/holiday-jp/holiday_jp,
// holidays.yml, MIT), 1980–2050. The generator was also diffed against that file date for
// date (identical, 1,198 dates); the counts keep the check without shipping the data.
TEST(CalendarTest, CountsMatchHolidayJp) {
  const int kCounts[] = {13, 13, 14, 12, 16, 15, 13, 13, 14, 17, 19, 17, 14, 16, 14, 16, 19, 16,
                         15, 17, 15, 19, 18, 15, 15, 16, 16, 19, 17, 17, 16, 15, 18, 17, 17, 17,
                         17, 17, 20, 22, 18, 17, 16, 17, 21, 19, 18, 17, 16, 19, 19, 19, 17, 17,
                         17, 19, 18, 18, 16, 16, 18, 19, 19, 18, 17, 17, 19, 19, 18, 17, 17};
  static_assert(std::size(kCounts) == 2050 - 1980 + 1);
  for (int y = 1980; y <= 2050; ++y) {
    EXPECT_EQ(HolidaysOf(y).size(), static_cast<size_t>(kCounts[y - 1980])) << y;
  }
  // The formulas stay sane to the end of the range: two equinoxes every year.
  for (int y = kFirstCalendarYear; y <= kLastCalendarYear; ++y) {
    int equinoxes = 0;
    for (Date d : HolidaysOf(y)) {
      auto n = HolidayName(d);
      if (n == "春分の日" || n == "秋分の日") ++equinoxes;
    }
    EXPECT_EQ(equinoxes, 2) << y;
  }
}

TEST(CalendarTest, BusinessAndShippingDays) {
  EXPECT_TRUE(IsBusinessDay(D(2026, 11, 20)));   // Friday
  EXPECT_FALSE(IsBusinessDay(D(2026, 11, 21)));  // Saturday
  EXPECT_TRUE(IsShippingDay(D(2026, 11, 21)));   // the post goes out on Saturdays
  EXPECT_FALSE(IsShippingDay(D(2026, 11, 22)));  // Sunday
  EXPECT_FALSE(IsShippingDay(D(2026, 11, 23)));  // 勤労感謝の日
  for (Date d : {D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 2), D(2026, 1, 3)}) {
    EXPECT_TRUE(IsYearEndClosure(d)) << Iso(d);
    EXPECT_FALSE(IsBusinessDay(d)) << Iso(d);
    EXPECT_FALSE(IsShippingDay(d)) << Iso(d);
    EXPECT_FALSE(IsNationalHoliday(d)) << Iso(d);
  }
  EXPECT_TRUE(IsBusinessDay(D(2025, 12, 26)));
  EXPECT_TRUE(IsShippingDay(D(2025, 12, 27)));  // Saturday before the closure
  EXPECT_EQ(NextShippingDay(D(2025, 12, 27)), D(2026, 1, 5));
  EXPECT_EQ(NextShippingDay(D(2026, 11, 20)), D(2026, 11, 21));
  EXPECT_EQ(NextShippingDay(D(2026, 11, 21)), D(2026, 11, 24));
}

TEST(CalendarTest, RollForwardAndAdd) {
  EXPECT_EQ(RollForwardToBusinessDay(D(2026, 11, 20)), D(2026, 11, 20));
  EXPECT_EQ(RollForwardToBusinessDay(D(2026, 11, 21)), D(2026, 11, 24));
  EXPECT_EQ(RollForwardToBusinessDay(D(2025, 12, 28)), D(2026, 1, 5));
  EXPECT_EQ(NextBusinessDay(D(2026, 11, 20)), D(2026, 11, 24));
  EXPECT_EQ(NextBusinessDay(D(2026, 5, 1)), D(2026, 5, 7));
  EXPECT_EQ(AddBusinessDays(D(2026, 11, 20), 0), D(2026, 11, 20));
  EXPECT_EQ(AddBusinessDays(D(2026, 11, 21), 0), D(2026, 11, 21));
  EXPECT_EQ(AddBusinessDays(D(2026, 11, 20), 1), D(2026, 11, 24));
  EXPECT_EQ(AddBusinessDays(D(2026, 11, 20), 3), D(2026, 11, 26));
  EXPECT_EQ(AddBusinessDays(D(2026, 11, 21), 1), D(2026, 11, 24));
  EXPECT_EQ(AddBusinessDays(D(2026, 11, 24), -1), D(2026, 11, 20));
  EXPECT_EQ(AddBusinessDays(D(2026, 4, 30), 2), D(2026, 5, 7));
  EXPECT_EQ(AddBusinessDays(D(2025, 12, 26), 1), D(2026, 1, 5));
}

// Seed 003 別紙2: the bureau's reply goes out by the 10th of the month before opening, or
// the next open day when the 10th is closed. The seed's table for 令和3–4 (2021–2022).
TEST(CalendarTest, Seed003ReceptionNumberDates) {
  const struct {
    Date tenth;
    Date sent;
  } kRows[] = {
      {D(2021, 2, 10), D(2021, 2, 10)},   {D(2021, 3, 10), D(2021, 3, 10)},
      {D(2021, 4, 10), D(2021, 4, 12)},   {D(2021, 5, 10), D(2021, 5, 10)},
      {D(2021, 6, 10), D(2021, 6, 10)},   {D(2021, 7, 10), D(2021, 7, 12)},
      {D(2021, 8, 10), D(2021, 8, 10)},   {D(2021, 9, 10), D(2021, 9, 10)},
      {D(2021, 10, 10), D(2021, 10, 11)}, {D(2021, 11, 10), D(2021, 11, 10)},
      {D(2021, 12, 10), D(2021, 12, 10)}, {D(2022, 1, 10), D(2022, 1, 11)},
      {D(2022, 2, 10), D(2022, 2, 10)},   {D(2022, 3, 10), D(2022, 3, 10)},
  };
  for (const auto& r : kRows) {
    EXPECT_EQ(RollForwardToBusinessDay(r.tenth), r.sent) << Iso(r.tenth);
  }
}

}  // namespace
}  // namespace claimsca::domain
