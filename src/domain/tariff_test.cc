#include "domain/tariff.h"

#include <gtest/gtest.h>

#include <vector>

namespace claimsca::domain {
namespace {

constexpr Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

TariffEntry Entry(Date from, const char* program, int64_t issuance, int64_t renewal,
                  int64_t mailing) {
  return TariffEntry{from, program, issuance, renewal, mailing};
}

// A made-up history with two postage revisions, listed out of order on purpose.
std::vector<TariffEntry> History() {
  return {
      Entry(D(2026, 4, 1), "common", 1500, 1500, 792),
      Entry(D(2024, 1, 15), "common", 1500, 1500, 700),
      Entry(D(2024, 10, 1), "common", 1500, 1500, 750),
      Entry(D(2025, 1, 1), "kokuho", 2000, 1800, 0),
  };
}

TEST(TariffTest, AtPicksTheEntryInForce) {
  auto t = Tariff::Create(History());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const struct {
    const char* program;
    Date on;
    int64_t mailing;  // -1: NotFound
  } kCases[] = {
      {"common", D(2024, 1, 14), -1},   {"common", D(2024, 1, 15), 700},
      {"common", D(2024, 9, 30), 700},  {"common", D(2024, 10, 1), 750},
      {"common", D(2026, 3, 31), 750},  {"common", D(2026, 4, 1), 792},
      {"common", D(2099, 12, 31), 792}, {"kokuho", D(2024, 12, 31), -1},
      {"kokuho", D(2025, 1, 1), 0},     {"other", D(2026, 4, 1), -1},
      {"", D(2026, 4, 1), -1},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.program);
    auto e = t->At(c.program, c.on);
    if (c.mailing < 0) {
      ASSERT_FALSE(e.ok());
      EXPECT_EQ(e.status().code(), Code::kNotFound);
    } else {
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      EXPECT_EQ(e->program, c.program);
      EXPECT_EQ(e->mailing_fee_yen, c.mailing);
    }
  }
  // Sorted by (program, date).
  ASSERT_EQ(t->entries().size(), 4u);
  EXPECT_EQ(t->entries()[0].effective_from, D(2024, 1, 15));
  EXPECT_EQ(t->entries()[3].program, "kokuho");
}

TEST(TariffTest, CreateValidates) {
  const struct {
    const char* what;
    std::vector<TariffEntry> entries;
    bool ok;
  } kCases[] = {
      {"empty", {}, true},
      {"zero fees", {Entry(D(2026, 4, 1), "common", 0, 0, 0)}, true},
      {"same date, two programs",
       {Entry(D(2026, 4, 1), "a", 1, 1, 1), Entry(D(2026, 4, 1), "b", 1, 1, 1)},
       true},
      {"duplicate (program, date)",
       {Entry(D(2026, 4, 1), "a", 1, 1, 1), Entry(D(2026, 4, 1), "a", 2, 2, 2)},
       false},
      {"negative issuance", {Entry(D(2026, 4, 1), "a", -1, 0, 0)}, false},
      {"negative renewal", {Entry(D(2026, 4, 1), "a", 0, -1, 0)}, false},
      {"negative mailing", {Entry(D(2026, 4, 1), "a", 0, 0, -792)}, false},
      {"too large", {Entry(D(2026, 4, 1), "a", kMaxFeeYen + 1, 0, 0)}, false},
      {"largest", {Entry(D(2026, 4, 1), "a", kMaxFeeYen, kMaxFeeYen, kMaxFeeYen)}, true},
      {"no program", {Entry(D(2026, 4, 1), "", 1, 1, 1)}, false},
      {"invalid date", {Entry(D(2026, 2, 30), "a", 1, 1, 1)}, false},
  };
  for (const auto& c : kCases) {
    auto t = Tariff::Create(c.entries);
    EXPECT_EQ(t.ok(), c.ok) << c.what << ": " << t.status().ToString();
    if (!c.ok) {
      EXPECT_EQ(t.status().code(), Code::kInvalidArgument) << c.what;
    }
  }
}

TEST(TariffTest, QuoteFee) {
  const TariffEntry e = Entry(D(2026, 4, 1), "common", 1500, 1400, 792);
  const struct {
    FeeKind kind;
    const char* name;
    FeeQuote want;
  } kCases[] = {
      {FeeKind::kNewApplication, "new_application", {1500, 792, 2292}},
      {FeeKind::kRenewal, "renewal", {1400, 0, 1400}},
      {FeeKind::kReapplication, "reapplication", {1500, 792, 2292}},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(FeeKindName(c.kind), c.name);
    EXPECT_EQ(QuoteFee(e, c.kind), c.want);
  }
}

TEST(TariffTest, QuoteFeeByDate) {
  auto t = Tariff::Create(History());
  ASSERT_TRUE(t.ok());
  auto q = QuoteFee(*t, "common", D(2025, 6, 1), FeeKind::kNewApplication);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, (FeeQuote{1500, 750, 2250}));
  q = QuoteFee(*t, "common", D(2026, 11, 22), FeeKind::kRenewal);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, (FeeQuote{1500, 0, 1500}));
  q = QuoteFee(*t, "common", D(2023, 1, 1), FeeKind::kNewApplication);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), Code::kNotFound);
}

// Seed 000 §5 and §7: license fee 1,500 yen, renewal 1,500 yen, mailing 792 yen per notice
// (all tax incl.), as of guide version 1.7 (2026-04-01).
TEST(TariffTest, DefaultCommonTariff) {
  auto entries = DefaultCommonTariff();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0], Entry(D(2026, 4, 1), "common", 1500, 1500, 792));
  auto t = Tariff::Create(entries);
  ASSERT_TRUE(t.ok());
  auto q = QuoteFee(*t, kCommonProgram, D(2026, 11, 22), FeeKind::kReapplication);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->total_yen, 2292);
  EXPECT_FALSE(t->At(kCommonProgram, D(2026, 3, 31)).ok());
}

// The 国保連 program (TEAM.md, docs/kokuhoren.md "Fees"): 7,800 yen per issuance and per
// renewal (seed 002's list shows 7,800円 for one pending application), nothing mailed.
TEST(TariffTest, DefaultKokuhorenTariff) {
  auto entries = DefaultCommonTariff();
  for (TariffEntry& e : DefaultKokuhorenTariff()) entries.push_back(e);
  auto t = Tariff::Create(entries);
  ASSERT_TRUE(t.ok());
  auto q = QuoteFee(*t, kKokuhorenProgram, D(2017, 9, 25), FeeKind::kNewApplication);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, (FeeQuote{7800, 0, 7800}));
  q = QuoteFee(*t, kKokuhorenProgram, D(2026, 12, 6), FeeKind::kRenewal);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->total_yen, 7800);
  EXPECT_FALSE(t->At(kKokuhorenProgram, D(2014, 3, 31)).ok());
  // The common program's fees are untouched by the second program.
  EXPECT_EQ(QuoteFee(*t, kCommonProgram, D(2026, 12, 6), FeeKind::kRenewal)->total_yen, 1500);
}

}  // namespace
}  // namespace claimsca::domain
