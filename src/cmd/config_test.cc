#include "cmd/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cmd/app.h"
#include "domain/tariff.h"

namespace claimsca::cmd {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("claimsca-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    ::unsetenv("CLAIMSCA_SERVER_LISTEN");
  }
  void Write(const std::string& text) { std::ofstream(dir_ / "claimsca.toml") << text; }
  std::filesystem::path dir_;
};

TEST_F(ConfigTest, RoundTripsThroughRender) {
  Config c;
  c.data_dir = dir_;
  c.listen = "127.0.0.1:9999";
  c.programs = {ca::CommonProgramDefaults(), ca::KokuhorenProgramDefaults()};
  Write(RenderConfig(c));
  auto loaded = LoadConfig(dir_, {});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->listen, "127.0.0.1:9999");
  ASSERT_EQ(loaded->programs.size(), 2u);
  EXPECT_EQ(loaded->programs[1].id, "kokuhoren");
  EXPECT_EQ(loaded->programs[1].validity_months, 36);
  EXPECT_EQ(loaded->programs[0].validity_months, 39);
}

TEST_F(ConfigTest, EnvThenFlagsOverride) {
  Write("[server]\nlisten = \"127.0.0.1:1\"\nthreads = 3\n");
  ::setenv("CLAIMSCA_SERVER_LISTEN", "127.0.0.1:2", 1);
  auto env = LoadConfig(dir_, {});
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->listen, "127.0.0.1:2");
  EXPECT_EQ(env->threads, 3);
  auto flag = LoadConfig(dir_, {"server.listen=127.0.0.1:3", "server.threads=4"});
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->listen, "127.0.0.1:3");
  EXPECT_EQ(flag->threads, 4);
}

TEST_F(ConfigTest, MistakesAreNamed) {
  Write("[server]\nlisen = \"x\"\n");
  auto typo = LoadConfig(dir_, {});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("server.lisen"), std::string::npos);

  Write("[server]\nthreads = \"two\"\n");
  EXPECT_FALSE(LoadConfig(dir_, {}).ok());
  Write("");
  EXPECT_FALSE(LoadConfig(dir_, {"server.threads=many"}).ok());
  EXPECT_FALSE(LoadConfig(dir_, {"nonsense"}).ok());
  Write("[programs.common]\nvalidity_months = 0\n");
  auto bad_program = LoadConfig(dir_, {});
  ASSERT_FALSE(bad_program.ok());
  EXPECT_NE(bad_program.status().message().find("validity_months"), std::string::npos);
}

// Caught by fuzz/config_fuzz.cc's invariant (every integer keeps its value): integers wider
// than an int wrapped around (4294967332 became 36, a valid validity), and the file took
// values the environment and --set refuse.
TEST(ParseConfig, IntegersOutOfRangeAreRefusedNotWrapped) {
  for (const char* text : {"[server]\nthreads = 4294967298\n", "[server]\nthreads = -1\n",
                           "[ocsp]\ncache_entries = 100000001\n",
                           "[programs.common]\nvalidity_months = 4294967332\n"
                           "allowed_key_algorithms = [\"rsa2048\"]\n"
                           "default_key_algorithm = \"rsa2048\"\n"}) {
    auto c = ParseConfig(text, "/data");
    EXPECT_FALSE(c.ok()) << text;
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << text;
    }
  }
  auto ok = ParseConfig("[server]\nthreads = 100000000\n", "/data");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->threads, 100000000);
}

// Several dated tariff entries (the 2024-10 and 2026-04 revisions; docs/calendar-and-fees.md
// §3): a charge dated before a revision is quoted from the older entry. The amounts of the
// older entry here are the test's own, not the guide's: the operator supplies them.
TEST(ParseConfig, SeveralDatedTariffEntriesQuoteByTheChargeDate) {
  auto c = ParseConfig(
      "[[tariff]]\nprogram = \"common\"\neffective_from = 2026-04-01\n"
      "issuance_fee_yen = 1500\nrenewal_fee_yen = 1500\nmailing_fee_yen = 792\n"
      "[[tariff]]\nprogram = \"common\"\neffective_from = 2024-10-01\n"
      "issuance_fee_yen = 1500\nrenewal_fee_yen = 1500\nmailing_fee_yen = 700\n",
      "/data");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->tariff.size(), 2u);
  auto tariff = domain::Tariff::Create(c->tariff);
  ASSERT_TRUE(tariff.ok());
  using std::chrono::day;
  using std::chrono::month;
  using std::chrono::year;
  auto quote = [&](int y, unsigned m, unsigned d, domain::FeeKind kind) {
    auto q = domain::QuoteFee(*tariff, "common", Date{year(y), month(m), day(d)}, kind);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? q->total_yen : -1;
  };
  EXPECT_EQ(quote(2026, 3, 31, domain::FeeKind::kNewApplication), 2200);
  EXPECT_EQ(quote(2026, 4, 1, domain::FeeKind::kNewApplication), 2292);
  EXPECT_EQ(quote(2024, 10, 1, domain::FeeKind::kReapplication), 2200);
  EXPECT_EQ(quote(2026, 3, 31, domain::FeeKind::kRenewal), 1500);
  EXPECT_FALSE(domain::QuoteFee(*tariff, "common", Date{year(2024), month(9), day(30)},
                                domain::FeeKind::kNewApplication)
                   .ok());
  // Two entries of one program on one date are refused.
  EXPECT_FALSE(ParseConfig("[[tariff]]\nprogram = \"common\"\neffective_from = 2026-04-01\n"
                           "[[tariff]]\nprogram = \"common\"\neffective_from = 2026-04-01\n",
                           "/data")
                   .ok());
}

// Found by fuzz/config_fuzz.cc: toml++ 3.3 reaches __builtin_unreachable (UBSan: "execution
// reached an unreachable program point") on U+031C where it expects whitespace.
TEST(ParseConfig, NonAsciiOutsideStringsIsRefusedBeforeToml) {
  const std::string crash =
      "[server]\nthreads = \xcc\x9c"
      "anoticeram\n";
  auto c = ParseConfig(crash, "/data");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find("line 2"), std::string::npos) << c.status().ToString();
  EXPECT_FALSE(
      ParseConfig("[notice]\nsender_agent = \"\"\"a\\\n  \xe3\x81\x82\"\"\"\n", "/d").ok());
  // The CI's fuzzing found two more: a backslash right before a non-ASCII character, and a
  // backslash, spaces, then one (U+00A1 and U+00A7).
  for (const char* crash2 : {"[notice]\nsender_agent = \"\"\"\\\xc2\xa1\"\"\"\n",
                             "[notice]\nsender_agent = \"\"\"\\  \xc2\xa7\n\"\"\"\n"}) {
    auto refused = ParseConfig(crash2, "/d");
    ASSERT_FALSE(refused.ok()) << crash2;
    EXPECT_NE(refused.status().message().find("after a backslash"), std::string::npos)
        << refused.status().ToString();
  }
  // Non-ASCII text where TOML allows it is read as before.
  for (const char* ok :
       {"\xEF\xBB\xBF# \xe8\xa8\xad\xe5\xae\x9a\n[notice]\nca_name = "
        "\"\xe8\xaa\x8d\xe8\xa8\xbc\xe5\xb1\x80 # \\\" \"\n",
        "[notice]\nsender_agent = \"\"\"\xe3\x81\x82\\\n  b\"\"\"\"\nca_name = '\xe3\x81\x82'\n",
        "[notice]\nsender_address = \'\'\'\xe3\x81\x82\n\xe3\x81\x84\'\'\'\n"}) {
    auto parsed = ParseConfig(ok, "/data");
    EXPECT_TRUE(parsed.ok()) << ok << ": " << parsed.status().ToString();
  }
}

TEST_F(ConfigTest, MissingFileSaysToInit) {
  auto missing = LoadConfig((dir_ / "nope").string(), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("claimsca init"), std::string::npos);
}

TEST(RevocationReason, NamesAndCodes) {
  EXPECT_EQ(ParseRevocationReason("keyCompromise").value(), 1);
  EXPECT_EQ(ParseRevocationReason("key_compromise").value(), 1);
  EXPECT_EQ(ParseRevocationReason("cessationOfOperation").value(), 5);
  EXPECT_EQ(ParseRevocationReason("unspecified").value(), 0);
  EXPECT_FALSE(ParseRevocationReason("removeFromCRL").ok());
  EXPECT_FALSE(ParseRevocationReason("").ok());
}

}  // namespace
}  // namespace claimsca::cmd
