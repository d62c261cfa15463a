#include "crypto/random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

#include "crypto/ossl.h"

namespace claimsca::crypto {
namespace {

TEST(RandomTest, BytesHaveRequestedLength) {
  for (size_t n : {0, 1, 16, 1000}) {
    auto r = RandomBytes(n);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->size(), n);
  }
  auto a = RandomBytes(32), b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST(RandomTest, SerialIsPositiveSixteenOctetsAndCanonical) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto s = RandomSerial();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_EQ(s->size(), 32u) << *s;
    int first = std::stoi(s->substr(0, 2), nullptr, 16);
    EXPECT_GE(first, 0x01);
    EXPECT_LE(first, 0x7f);
    auto canonical = CanonicalSerialHex(*s);
    ASSERT_TRUE(canonical.ok());
    EXPECT_EQ(*canonical, *s);
    seen.insert(*s);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(RandomTest, DigitsAreDecimalWithNonZeroLead) {
  std::array<int, 10> counts{};
  for (int i = 0; i < 500; ++i) {
    auto d = RandomDigits(12);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->size(), 12u);
    EXPECT_NE((*d)[0], '0');
    for (char c : *d) {
      ASSERT_TRUE(c >= '0' && c <= '9');
      counts[c - '0']++;
    }
  }
  // 5500 non-leading digits: every digit appears, roughly uniformly (expected ~550 each).
  for (int c : counts) {
    EXPECT_GT(c, 350);
    EXPECT_LT(c, 850);
  }
  auto one = RandomDigits(1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  EXPECT_FALSE(RandomDigits(0).ok());
  EXPECT_FALSE(RandomDigits(-3).ok());
  EXPECT_FALSE(RandomDigits(257).ok());
}

TEST(RandomTest, PasswordUsesUnambiguousAlphabet) {
  std::string all;
  for (int i = 0; i < 200; ++i) {
    auto p = RandomPassword(16);
    ASSERT_TRUE(p.ok());
    ASSERT_EQ(p->size(), 16u);
    all += *p;
  }
  EXPECT_EQ(all.find_first_of("0O1lIo"), std::string::npos);
  EXPECT_EQ(all.find_first_not_of(kPasswordAlphabet), std::string::npos);
  // 3200 draws over 56 symbols: every symbol shows up.
  for (const char* c = kPasswordAlphabet; *c; ++c) EXPECT_NE(all.find(*c), std::string::npos) << *c;
  EXPECT_FALSE(RandomPassword(7).ok());
  EXPECT_FALSE(RandomPassword(257).ok());
}

}  // namespace
}  // namespace claimsca::crypto
