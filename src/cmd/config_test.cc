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

// Zero days of failures would mail on the first failed report: refused when read, naming
// the key, not later by the job.
TEST(ParseConfig, RenewalFailingDaysIsAtLeastOne) {
  auto zero = ParseConfig("[jobs]\nrenewal_failing_days = 0\n", "/data");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("jobs.renewal_failing_days"), std::string::npos);
  auto one = ParseConfig("[jobs]\nrenewal_failing_days = 1\n", "/data");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->jobs_renewal_failing_days, 1);
}

// The OCSP status cache (docs/revocation.md): off on a read-write node, 100 ms on a
// read-only one, unless set.
TEST(ParseConfig, OcspStatusCacheOffReadWriteOnReadOnly) {
  auto defaults = ParseConfig("", "/data");
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->ocsp_status_cache_ms, 0);
  EXPECT_EQ(defaults->ocsp_read_only_status_cache_ms, 100);
  auto set = ParseConfig("[ocsp]\nstatus_cache_ms = 50\nread_only_status_cache_ms = 0\n", "/data");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->ocsp_status_cache_ms, 50);
  EXPECT_EQ(set->ocsp_read_only_status_cache_ms, 0);
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
  // The two common entries, and the built-in kokuhoren entry the file does not name.
  ASSERT_EQ(c->tariff.size(), 3u);
  EXPECT_EQ(c->tariff[2], domain::DefaultKokuhorenTariff()[0]);
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

// Found by fuzz/config_fuzz.cc (locally and in CI): toml++ 3.3 reaches
// __builtin_unreachable (UBSan: "execution reached an unreachable program point") when it
// tests some non-ASCII characters for whitespace. cmd/toml_text.h keeps them from it.
TEST(ParseConfig, CharactersThatCrashTomlPlusPlusAreReadOrRefusedCleanly) {
  const std::string after_value =
      "[server]\nthreads = \xcc\x9c"
      "anoticeram\n";
  auto c = ParseConfig(after_value, "/data");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find("line 2"), std::string::npos) << c.status().ToString();
  // A quote inside a bare value is not a string, then U+00A6 after the value.
  EXPECT_FALSE(ParseConfig("a = 0+ltp2++l\x19\x1c\x19'access_\xc2\xa6"
                           "2\"\"\n",
                           "/d")
                   .ok());
  // A backslash right before one (U+00A1), and a backslash, spaces, then one (U+00A7).
  for (const char* refused : {"[notice]\nsender_agent = \"\"\"\\\xc2\xa1\"\"\"\n",
                              "[notice]\nsender_agent = \"\"\"\\  \xc2\xa7\n\"\"\"\n"}) {
    auto r = ParseConfig(refused, "/d");
    ASSERT_FALSE(r.ok()) << refused;
    EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().ToString();
  }
  // The error text shows the character of the file, not its stand-in.
  auto shown = ParseConfig("[notice]\nca_name = \"x\"\xe3\x80\x8c\n", "/d");
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.status().message().find("\xf3"), std::string::npos) << shown.status().ToString();
  // Text of the private use plane the stand-ins come from is refused by name.
  auto private_use = ParseConfig("[notice]\nca_name = \"\xf3\xb0\x80\x80\"\n", "/d");
  ASSERT_FALSE(private_use.ok());
  EXPECT_NE(private_use.status().message().find("private use"), std::string::npos);
  // Non-ASCII text where TOML allows it is read as written, those characters included
  // (「」、あ are among them), also after a line-ending backslash.
  struct Case {
    const char* toml;
    const char* name;
  };
  for (const Case& ok :
       {Case{"\xEF\xBB\xBF# \xe8\xa8\xad\xe5\xae\x9a\n[notice]\nca_name = "
             "\"\xe8\xaa\x8d\xe8\xa8\xbc\xe5\xb1\x80 # \\\" \"\n",
             "\xe8\xaa\x8d\xe8\xa8\xbc\xe5\xb1\x80 # \" "},
        Case{
            "[notice]\nca_name = \"\"\"a\\\n  \xe3\x81\x82\xe3\x80\x8c\xc2\xa7\xe3\x80\x8d\"\"\"\n",
            "a\xe3\x81\x82\xe3\x80\x8c\xc2\xa7\xe3\x80\x8d"},
        Case{"[notice]\nca_name = \'\'\'\xe3\x81\x82\n\xe3\x81\x84\'\'\'\n",
             "\xe3\x81\x82\n\xe3\x81\x84"}}) {
    auto parsed = ParseConfig(ok.toml, "/data");
    ASSERT_TRUE(parsed.ok()) << ok.toml << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->notice_ca_name, ok.name);
  }
}

TEST_F(ConfigTest, MissingFileSaysToInit) {
  auto missing = LoadConfig((dir_ / "nope").string(), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("claimsca init"), std::string::npos);
}

// docs/operations.md "public_url": "" follows the listener (the --listen of serve
// included), written back as "" so that a later --listen moves every link; a set value
// stays as written.
TEST_F(ConfigTest, PublicUrlFollowsTheListenerWhenNotSet) {
  Config c;
  c.data_dir = dir_;
  c.public_url_from_listen = true;
  c.programs = {ca::CommonProgramDefaults()};
  Write(RenderConfig(c));
  auto loaded = LoadConfig(dir_, {"server.listen=127.0.0.1:18081"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->public_url, "http://127.0.0.1:18081");
  EXPECT_EQ(loaded->OcspUrl(), "http://127.0.0.1:18081/ocsp");
  EXPECT_NE(RenderConfig(*loaded).find("public_url = \"\""), std::string::npos);
  loaded = LoadConfig(dir_, {"server.listen=0.0.0.0:9000"});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->public_url, "http://127.0.0.1:9000");
  loaded = LoadConfig(dir_, {"server.listen=127.0.0.1:0"});  // the system's choice: unknown
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->public_url, "http://127.0.0.1:8080");
  loaded = LoadConfig(dir_,
                      {"server.listen=127.0.0.1:18081", "server.public_url=https://ca.example.jp"});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->public_url, "https://ca.example.jp");
  EXPECT_NE(RenderConfig(*loaded).find("public_url = \"https://ca.example.jp\""),
            std::string::npos);
}

// docs/operations.md "Demo": the demo mailbox never coexists with an SMTP server (a demo
// given one sends its mail there, as the integration tests' demos do).
TEST_F(ConfigTest, DemoMailboxOnlyWithoutAnSmtpServer) {
  Config c;
  c.data_dir = dir_;
  c.demo_enabled = true;
  c.programs = {ca::CommonProgramDefaults()};
  Write(RenderConfig(c));
  auto kept = LoadConfig(dir_, {});
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->DemoMailbox());
  auto sent = LoadConfig(dir_, {"mail.smtp_url=smtp://127.0.0.1:25"});
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_TRUE(sent->demo_enabled);
  EXPECT_FALSE(sent->DemoMailbox());
  auto guide = LoadConfig(dir_, {"guide.cps_url=https://ca.example.jp/cps.pdf",
                                 "contact.phone=03-0000-0000", "demo.enabled=false"});
  ASSERT_TRUE(guide.ok()) << guide.status().ToString();
  EXPECT_EQ(guide->guide_cps_url, "https://ca.example.jp/cps.pdf");
  EXPECT_EQ(guide->contact_phone, "03-0000-0000");
  EXPECT_FALSE(guide->demo_enabled);
}

TEST(RevocationReason, NamesAndCodes) {
  EXPECT_EQ(ParseRevocationReason("keyCompromise").value(), 1);
  EXPECT_EQ(ParseRevocationReason("key_compromise").value(), 1);
  EXPECT_EQ(ParseRevocationReason("cessationOfOperation").value(), 5);
  EXPECT_EQ(ParseRevocationReason("unspecified").value(), 0);
  EXPECT_FALSE(ParseRevocationReason("removeFromCRL").ok());
  EXPECT_FALSE(ParseRevocationReason("").ok());
}

// Found by fuzz/config_fuzz.cc: toml++ 3.3's default formatter wrote a string holding three
// single quotes, tabs and a line end as a literal string that it could not read back.
TEST(RenderConfig, StringsWithQuotesTabsAndLineEndsReadBackAsWritten) {
  auto c = ParseConfig("[notice]\nca_name = \"12S\\\\'''\\t\\t\\\\nn\\n\\t'\"\n", "/data");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string rendered = RenderConfig(*c);
  auto again = ParseConfig(rendered, "/data");
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << rendered;
  EXPECT_EQ(again->notice_ca_name, "12S\\'''\t\t\\nn\n\t'");
  EXPECT_EQ(RenderConfig(*again), rendered);
}

}  // namespace
}  // namespace claimsca::cmd
