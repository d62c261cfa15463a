// [[subsidy.schedule]] in claimsca.toml: the default, a dated schedule read and written back,
// and the keys refused.

#include "cmd/subsidy_config.h"

#include <gtest/gtest.h>

namespace claimsca::cmd {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

TEST(SubsidyConfigTest, TheSeedsEntryByDefault) {
  Result<Config> c = ParseConfig("", "/tmp/x");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->subsidy_schedule.size(), 1u);
  EXPECT_EQ(c->subsidy_schedule[0], subsidy::SeedScheduleEntry());
}

TEST(SubsidyConfigTest, ADatedScheduleReadAndRenderedBack) {
  Result<Config> c = ParseConfig(
      "[[subsidy.schedule]]\nfrom = \"2024-06-13\"\ndeadline = \"2025-01-15\"\ncap_yen = 31000\n"
      "rate = \"3/4\"\n[[subsidy.schedule]]\nfrom = 2025-04-01\ndeadline = 2026-03-31\n"
      "cap_yen = 20000\nrate = \"1/2\"\n",
      "/tmp/x");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->subsidy_schedule.size(), 2u);
  EXPECT_EQ(c->subsidy_schedule[1].from, D(2025, 4, 1));
  EXPECT_EQ(c->subsidy_schedule[1].cap_yen, 20000);
  EXPECT_EQ(c->subsidy_schedule[1].rate, (subsidy::Rate{1, 2}));
  Result<Config> back = ParseConfig(RenderConfig(*c), "/tmp/x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->subsidy_schedule, c->subsidy_schedule);
}

TEST(SubsidyConfigTest, BadEntriesAreRefusedWithTheKey) {
  const char* bad[] = {
      "[subsidy]\ncap = 1\n",
      "[[subsidy.schedule]]\nfrom = \"2024-06-13\"\ndeadline = \"2025-01-15\"\n",
      "[[subsidy.schedule]]\nfrom = \"2024-06-13\"\ndeadline = \"2025-01-15\"\ncap_yen = 1\n"
      "rate = \"0.75\"\n",
      "[[subsidy.schedule]]\nfrom = \"2025-06-13\"\ndeadline = \"2025-01-15\"\ncap_yen = 1\n",
      "[[subsidy.schedule]]\nfrom = \"13/06/2024\"\ndeadline = \"2025-01-15\"\ncap_yen = 1\n",
      "[[subsidy.schedule]]\nfrom = \"2024-06-13\"\ndeadline = \"2025-01-15\"\ncap_yen = 1\n"
      "extra = 1\n",
  };
  for (const char* text : bad) {
    Result<Config> c = ParseConfig(text, "/tmp/x");
    EXPECT_FALSE(c.ok()) << text;
    if (!c.ok()) {
      EXPECT_NE(c.status().message().find("subsidy"), std::string::npos) << c.status().ToString();
    }
  }
}

}  // namespace
}  // namespace claimsca::cmd
