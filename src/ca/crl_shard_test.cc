#include "ca/crl_shard.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/random.h"

namespace claimsca::ca {
namespace {

TEST(CrlShardOf, LowBitsOfTheSerialModuloTheCount) {
  struct Case {
    const char* serial;
    int shards;
    std::optional<int> want;
  } cases[] = {
      {"00", 64, 0},
      {"3f", 64, 63},
      {"40", 64, 0},
      {"41", 64, 1},
      {"7A3F", 64, 0x3f},                       // upper case as well
      {"7a3f", 100, 0x7a3f % 100},              // not a power of two
      {"1234567890abcdef01", 64, 0x01 % 64},    // only the low 32 bits count
      {"ffffffff", 7, int(0xffffffffu % 7u)},   // unsigned arithmetic
      {"1ffffffff", 7, int(0xffffffffu % 7u)},  // bit 32 dropped
      {"42", 1, 0},
      {"42", 0, std::nullopt},                  // no shards
      {"42", kMaxCrlShards + 1, std::nullopt},  // too many
      {"", 64, std::nullopt},
      {"4g", 64, std::nullopt},
      {"-1", 64, std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CrlShardOf(c.serial, c.shards), c.want) << c.serial << " / " << c.shards;
  }
}

TEST(CrlShardOf, RandomSerialsFillEveryShardEvenly) {
  constexpr int kShards = 64, kSerials = 64 * 400;
  std::vector<int> count(kShards);
  for (int i = 0; i < kSerials; ++i) {
    auto serial = crypto::RandomSerial();
    ASSERT_TRUE(serial.ok());
    auto shard = CrlShardOf(*serial, kShards);
    ASSERT_TRUE(shard.has_value()) << *serial;
    ++count[*shard];
  }
  // 400 expected per shard; a binomial standard deviation of ~20: 250..550 is > 7 sigma.
  for (int s = 0; s < kShards; ++s) {
    EXPECT_GT(count[s], 250) << "shard " << s;
    EXPECT_LT(count[s], 550) << "shard " << s;
  }
}

TEST(CrlShardUrl, NamesTheShardBesideTheFullCrl) {
  EXPECT_EQ(CrlShardUrl("http://ca.example/crl/issuing-1.crl", 17),
            "http://ca.example/crl/issuing-1/17.crl");
  EXPECT_EQ(CrlShardUrl("http://ca.example/crl/issuing-kj-1.crl", 0),
            "http://ca.example/crl/issuing-kj-1/0.crl");
  EXPECT_EQ(CrlShardUrl("http://ca.example/crl/latest", 3), "http://ca.example/crl/latest/3.crl");
}

TEST(ParseCrlShardFile, AcceptsOnlyAShardOfTheCount) {
  EXPECT_EQ(ParseCrlShardFile("0.crl", 64), 0);
  EXPECT_EQ(ParseCrlShardFile("63.crl", 64), 63);
  EXPECT_EQ(ParseCrlShardFile("64.crl", 64), std::nullopt);
  EXPECT_EQ(ParseCrlShardFile("07.crl", 64), std::nullopt);
  EXPECT_EQ(ParseCrlShardFile("-1.crl", 64), std::nullopt);
  EXPECT_EQ(ParseCrlShardFile("1.der", 64), std::nullopt);
  EXPECT_EQ(ParseCrlShardFile(".crl", 64), std::nullopt);
  EXPECT_EQ(ParseCrlShardFile("99999.crl", 100000), std::nullopt);
  EXPECT_EQ(ParseCrlShardFile("1.crl", 0), std::nullopt);
}

}  // namespace
}  // namespace claimsca::ca
