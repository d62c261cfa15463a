#include "subsidy/calc.h"

#include <gtest/gtest.h>

namespace claimsca::subsidy {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

Instant At(const char* text) { return *ParseInstant(text); }

std::vector<Receipt> One(int64_t yen, Date bought = D(2024, 9, 1)) {
  return {Receipt{DeviceKind::kSmartphone, bought, yen, "家電量販店"}};
}

TEST(SubsidyAmountTest, FloorOfThreeQuartersAndTheCap) {
  struct Row {
    int64_t eligible, want;
  } rows[] = {{0, 0},
              {1, 0},
              {2, 1},
              {3, 2},
              {4, 3},
              {5, 3},
              {19'999, 14'999},
              {41'333, 30'999},
              {41'334, 31'000},
              {41'335, 31'000},
              {41'336, 31'000},
              {100'000, 31'000},
              {200'000'000, 31'000}};
  for (const Row& r : rows) {
    EXPECT_EQ(SubsidyAmount(r.eligible, Rate{3, 4}, 31'000), r.want) << r.eligible;
  }
  EXPECT_EQ(SubsidyAmount(10, Rate{1, 3}, 31'000), 3);
  EXPECT_EQ(SubsidyAmount(10, Rate{1, 1}, 5), 5);
}

TEST(CalculateTest, BelowAtAndAboveTheCapFromSeveralReceipts) {
  const Schedule s = Schedule::Default();
  const Instant t = At("2024-12-01T10:00:00+09:00");
  std::vector<Receipt> rs = {{DeviceKind::kSmartphone, D(2024, 7, 1), 30'000, "A"},
                             {DeviceKind::kCardReader, D(2024, 7, 2), 3'000, "B"}};
  Result<Calculation> c = Calculate(s, t, rs);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->eligible_yen, 33'000);
  EXPECT_EQ(c->subsidy_yen, 24'750);
  EXPECT_FALSE(c->capped);
  EXPECT_EQ(c->entry, SeedScheduleEntry());

  c = Calculate(s, t, One(41'333));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->subsidy_yen, 30'999);
  EXPECT_FALSE(c->capped);
  c = Calculate(s, t, One(41'334));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->subsidy_yen, 31'000);
  EXPECT_FALSE(c->capped);  // 41,334 × 3/4 = 31,000.5 → 31,000: the floor, not the cap
  c = Calculate(s, t, One(41'336));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->subsidy_yen, 31'000);
  EXPECT_TRUE(c->capped);
  rs.push_back({DeviceKind::kTablet, D(2024, 8, 1), 67'000, "C"});
  c = Calculate(s, t, rs);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->eligible_yen, 100'000);
  EXPECT_EQ(c->subsidy_yen, 31'000);
}

TEST(CalculateTest, TheDeadlineDayIsAcceptedUntilMidnightJst) {
  const Schedule s = Schedule::Default();
  EXPECT_TRUE(Calculate(s, At("2025-01-15T00:00:00+09:00"), One(10'000)).ok());
  EXPECT_TRUE(Calculate(s, At("2025-01-15T23:59:59+09:00"), One(10'000)).ok());
  // 2025-01-15T23:59:59+09:00 is 14:59:59Z: still the 15th in Tokyo.
  EXPECT_TRUE(Calculate(s, At("2025-01-15T14:59:59Z"), One(10'000)).ok());
  Result<Calculation> late = Calculate(s, At("2025-01-16T00:00:00+09:00"), One(10'000));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(late.status().message(),
            "補助金の申請期限（2025/01/15）を過ぎているため申請できません。");
  EXPECT_FALSE(Calculate(s, At("2026-12-06T12:00:00+09:00"), One(10'000)).ok());
}

TEST(CalculateTest, BeforeTheScheduleStarts) {
  Result<Calculation> c =
      Calculate(Schedule::Default(), At("2024-06-12T23:59:59+09:00"), One(1'000, D(2024, 6, 12)));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("2024/06/13"), std::string::npos) << c.status().ToString();
}

TEST(CalculateTest, IneligibleReceiptsAreRefusedWithTheField) {
  const Schedule s = Schedule::Default();
  const Instant t = At("2024-12-01T10:00:00+09:00");
  struct Row {
    Receipt r;
    const char* field;
  } rows[] = {
      {{DeviceKind::kTablet, D(2024, 6, 12), 1'000, "A"}, "購入日"},    // before from
      {{DeviceKind::kTablet, D(2024, 12, 2), 1'000, "A"}, "購入日"},    // after the application
      {{DeviceKind::kTablet, D(2024, 9, 1), 0, "A"}, "金額"},           // nothing
      {{DeviceKind::kTablet, D(2024, 9, 1), -5, "A"}, "金額"},          // negative
      {{DeviceKind::kTablet, D(2024, 9, 1), 10'000'001, "A"}, "金額"},  // beyond the bound
      {{DeviceKind::kTablet, D(2024, 9, 1), 1'000, ""}, "購入先"},
      {{DeviceKind::kTablet, D(2024, 9, 1), 1'000, std::string(301, 'x')}, "購入先"},
  };
  for (const Row& row : rows) {
    std::vector<Receipt> rs = {{DeviceKind::kSmartphone, D(2024, 9, 1), 5'000, "ok"}, row.r};
    Result<Calculation> c = Calculate(s, t, rs);
    ASSERT_FALSE(c.ok()) << row.field;
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
    EXPECT_NE(c.status().message().find(std::string("領収書2の") + row.field), std::string::npos)
        << c.status().ToString();
  }
  EXPECT_FALSE(Calculate(s, t, {}).ok());
  EXPECT_FALSE(Calculate(s, t, std::vector<Receipt>(21, One(1'000)[0])).ok());
  EXPECT_TRUE(Calculate(s, t, std::vector<Receipt>(20, One(1'000)[0])).ok());
}

TEST(DeviceKindTest, TheLeafletsThreeKindsOnly) {
  for (const char* k : {"smartphone", "tablet", "card_reader"}) {
    Result<DeviceKind> d = ParseDeviceKind(k);
    ASSERT_TRUE(d.ok()) << k;
    EXPECT_EQ(DeviceKindName(*d), k);
  }
  for (const char* k : {"", "pc", "face_reader", "Smartphone"}) {
    EXPECT_FALSE(ParseDeviceKind(k).ok()) << k;
  }
}

TEST(ScheduleTest, TheEntryInForceIsChosenByTheApplicationDate) {
  Result<Schedule> s =
      Schedule::Create({{D(2025, 4, 1), D(2026, 3, 31), 20'000, Rate{1, 2}}, SeedScheduleEntry()});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->InForce(D(2025, 3, 31))->cap_yen, 31'000);
  EXPECT_EQ(s->InForce(D(2025, 4, 1))->cap_yen, 20'000);
  // Between the seed's deadline and the next entry: the seed's entry, hence refused late.
  Result<Calculation> gap = Calculate(*s, At("2025-02-01T09:00:00+09:00"), One(1'000));
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.status().message().find("2025/01/15"), std::string::npos);
  Result<Calculation> c =
      Calculate(*s, At("2025-05-01T09:00:00+09:00"), One(50'001, D(2025, 4, 1)));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->subsidy_yen, 20'000);
  c = Calculate(*s, At("2025-05-01T09:00:00+09:00"), One(39'999, D(2025, 4, 1)));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->subsidy_yen, 19'999);
  // A purchase before the entry in force is not covered by it.
  EXPECT_FALSE(Calculate(*s, At("2025-05-01T09:00:00+09:00"), One(1'000, D(2025, 3, 1))).ok());
}

TEST(ScheduleTest, BadSchedulesAreRefused) {
  EXPECT_FALSE(Schedule::Create({}).ok());
  EXPECT_FALSE(Schedule::Create({{D(2025, 1, 2), D(2025, 1, 1), 1, Rate{3, 4}}}).ok());
  EXPECT_FALSE(Schedule::Create({{D(2025, 1, 1), D(2025, 1, 1), 0, Rate{3, 4}}}).ok());
  EXPECT_FALSE(Schedule::Create({{D(2025, 1, 1), D(2025, 1, 1), 1, Rate{5, 4}}}).ok());
  EXPECT_FALSE(Schedule::Create({SeedScheduleEntry(), SeedScheduleEntry()}).ok());
  EXPECT_TRUE(Schedule::Create({{D(2025, 1, 1), D(2025, 1, 1), 1, Rate{3, 4}}}).ok());
}

TEST(ParseReceiptTest, FieldsFromText) {
  Result<Receipt> r = ParseReceipt("card_reader", "2024-09-01", "41,333", "家電店");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (Receipt{DeviceKind::kCardReader, D(2024, 9, 1), 41'333, "家電店"}));
  EXPECT_NE(ParseReceipt("pc", "2024-09-01", "1", "x").status().message().find("機器"),
            std::string::npos);
  for (const char* day : {"", "2024-9-1", "2024-02-30", "2024-09-01T10:00"}) {
    EXPECT_NE(ParseReceipt("tablet", day, "1", "x").status().message().find("購入日"),
              std::string::npos)
        << day;
  }
  for (const char* yen : {"", "1.5", "-1", "１０００", "1e3", "9999999999999"}) {
    EXPECT_NE(ParseReceipt("tablet", "2024-09-01", yen, "x").status().message().find("金額"),
              std::string::npos)
        << yen;
  }
}

TEST(RateTest, Parse) {
  EXPECT_EQ(*ParseRate("3/4"), (Rate{3, 4}));
  EXPECT_EQ(FormatRate(*ParseRate("1/2")), "1/2");
  for (const char* bad : {"", "3", "3/", "/4", "0/4", "5/4", "3/400", "-3/4", "3/4x", "0.75"}) {
    EXPECT_FALSE(ParseRate(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace claimsca::subsidy
