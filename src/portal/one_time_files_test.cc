#include "portal/one_time_files.h"

#include <gtest/gtest.h>

namespace claimsca::portal {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

OneTimeFile P12(std::string bytes) {
  return {"12345678901234.p12", "application/x-pkcs12", std::move(bytes)};
}

TEST(OneTimeFiles, OnlyItsOwnerGetsIt) {
  FixedClock clock(Instant(seconds(1'800'000'000)));
  OneTimeFiles files(clock, minutes(10));
  const std::string token = files.Put("cookie-a", P12("der"));
  ASSERT_EQ(token.size(), 32u);
  EXPECT_FALSE(files.Get(token, "cookie-b").has_value()) << "another browser";
  EXPECT_FALSE(files.Get(token, "").has_value()) << "no cookie";
  EXPECT_FALSE(files.Get((token[0] == '0' ? "1" : "0") + token.substr(1), "cookie-a").has_value())
      << "another token";
  auto f = files.Get(token, "cookie-a");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->bytes, "der");
  EXPECT_EQ(f->filename, "12345678901234.p12");
  EXPECT_TRUE(files.Get(token, "cookie-a").has_value()) << "a second click within the time";
  EXPECT_FALSE(files.Get("", "").has_value());
}

TEST(OneTimeFiles, ExpiresAfterItsTime) {
  FixedClock clock(Instant(seconds(1'800'000'000)));
  OneTimeFiles files(clock, minutes(10));
  const std::string early = files.Put("c", P12("a"));
  const std::string late = files.Put("c", P12("b"));
  clock.Advance(minutes(10) - seconds(1));
  EXPECT_TRUE(files.Get(early, "c").has_value());
  clock.Advance(seconds(1));
  EXPECT_FALSE(files.Get(late, "c").has_value()) << "at ttl it is gone";
}

TEST(OneTimeFiles, OwnerRequiredAndCapacityDropsOldest) {
  FixedClock clock(Instant(seconds(1'800'000'000)));
  OneTimeFiles files(clock, minutes(10), 2);
  EXPECT_EQ(files.Put("", P12("x")), "");
  const std::string first = files.Put("c", P12("1"));
  clock.Advance(seconds(1));
  const std::string second = files.Put("c", P12("2"));
  clock.Advance(seconds(1));
  const std::string third = files.Put("c", P12("3"));
  EXPECT_FALSE(files.Get(first, "c").has_value());
  EXPECT_EQ(files.Get(second, "c")->bytes, "2");
  EXPECT_EQ(files.Get(third, "c")->bytes, "3");
}

}  // namespace
}  // namespace claimsca::portal
