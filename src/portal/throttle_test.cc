#include "portal/throttle.h"

#include <gtest/gtest.h>

namespace claimsca::portal {
namespace {

TEST(ThrottleTest, AllowsPerMinuteTriesPerClientThenRefillsWithTime) {
  FixedClock clock(Instant(std::chrono::seconds(1'700'000'000)));
  Throttle t(3, clock);
  EXPECT_TRUE(t.Allow("10.0.0.1"));
  EXPECT_TRUE(t.Allow("10.0.0.1"));
  EXPECT_TRUE(t.Allow("10.0.0.1"));
  EXPECT_FALSE(t.Allow("10.0.0.1"));
  EXPECT_TRUE(t.Allow("10.0.0.2")) << "another client has its own bucket";
  clock.Advance(std::chrono::seconds(19));
  EXPECT_FALSE(t.Allow("10.0.0.1")) << "3 per minute: one try back after 20 s";
  clock.Advance(std::chrono::seconds(1));
  EXPECT_TRUE(t.Allow("10.0.0.1"));
  EXPECT_FALSE(t.Allow("10.0.0.1"));
  clock.Advance(std::chrono::hours(1));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(t.Allow("10.0.0.1")) << "never more than 3 saved";
  EXPECT_FALSE(t.Allow("10.0.0.1"));
}

TEST(ThrottleTest, ZeroTurnsTheLimitOff) {
  FixedClock clock(Instant(std::chrono::seconds(0)));
  Throttle t(0, clock);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(t.Allow("x"));
}

}  // namespace
}  // namespace claimsca::portal
