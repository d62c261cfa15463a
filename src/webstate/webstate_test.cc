// The web state shared by every `serve` process (rate limits, one-time file links), on
// both back ends, with two stores opened on the same database standing for two nodes.

#include <gtest/gtest.h>

#include "crypto/ossl.h"
#include "store/module_sql.h"
#include "store/store_test_fixture.h"
#include "webstate/one_time_files.h"
#include "webstate/rate_limit.h"

namespace claimsca::webstate {
namespace {

using namespace store::test;  // NOLINT: the shared fixture and helpers
using std::chrono::seconds;

// A minute boundary (1'800'000'000 is a multiple of 60).
constexpr Instant kMinute{seconds(1'800'000'000)};

class WebStateTest : public StoreTest {
 protected:
  // A second process on the same database.
  std::unique_ptr<store::Store> OtherNode() {
    auto s = store::OpenStore(url_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  int64_t Count(const char* sql) {
    int64_t n = -1;
    Status st = store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
      ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(sql));
      ASSIGN_OR_RETURN(n, r->Int(0));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return n;
  }
};

bool Allowed(RateLimit& r, std::string_view client) {
  Result<bool> ok = r.Allow(client);
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  return ok.ok() && *ok;
}

TEST_P(WebStateTest, RateLimitCountsTriesOfEveryNode) {
  FixedClock clock(kMinute + seconds(10));
  auto other = OtherNode();
  ASSERT_NE(other, nullptr);
  RateLimit a(*store_, "login", 4, clock);
  RateLimit b(*other, "login", 4, clock);
  EXPECT_TRUE(Allowed(a, "192.0.2.1"));
  EXPECT_TRUE(Allowed(b, "192.0.2.1"));
  EXPECT_TRUE(Allowed(a, "192.0.2.1"));
  EXPECT_TRUE(Allowed(b, "192.0.2.1"));
  EXPECT_FALSE(Allowed(a, "192.0.2.1")) << "the fifth try of the minute, over two nodes";
  EXPECT_FALSE(Allowed(b, "192.0.2.1"));
  EXPECT_TRUE(Allowed(b, "192.0.2.2")) << "another client has its own count";
  RateLimit download(*other, "download", 4, clock);
  EXPECT_TRUE(Allowed(download, "192.0.2.1")) << "another scope has its own count";
}

TEST_P(WebStateTest, RateLimitSlidesOverTheMinuteBefore) {
  FixedClock clock(kMinute + seconds(50));
  RateLimit r(*store_, "login", 3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Allowed(r, "c"));
  // 15 seconds into the next minute, 45 seconds of the previous one (3 tries) still count:
  // 3 × 45/60 = 2.25.
  clock.Set(kMinute + seconds(75));
  EXPECT_FALSE(Allowed(r, "c")) << "2.25 + 1 > 3";
  clock.Set(kMinute + seconds(110));  // 10 s of the previous minute count: 0.5 + 1 + 1
  EXPECT_TRUE(Allowed(r, "c")) << "0.5 + 2 <= 3 (the refused try above counts too)";
  EXPECT_FALSE(Allowed(r, "c")) << "0.5 + 3 > 3";
  clock.Set(kMinute + seconds(125));  // the previous minute had 3 tries (one refused)
  EXPECT_FALSE(Allowed(r, "c")) << "3 × 55/60 + 1 > 3";
  clock.Set(kMinute + seconds(245));  // the minute before this one had no try
  EXPECT_TRUE(Allowed(r, "c")) << "nothing older than the previous minute counts";
}

TEST_P(WebStateTest, RateLimitOffAndPurged) {
  FixedClock clock(kMinute);
  RateLimit off(*store_, "login", 0, clock);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(Allowed(off, "c"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rate_limits"), 0) << "no limit, nothing written";
  RateLimit r(*store_, "login", 5, clock);
  EXPECT_TRUE(Allowed(r, "old"));
  clock.Set(kMinute + seconds(60));
  EXPECT_TRUE(Allowed(r, "recent"));
  auto n = PurgeRateLimits(*store_, kMinute + seconds(119));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0) << "the previous minute still counts";
  n = PurgeRateLimits(*store_, kMinute + seconds(120));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM rate_limits WHERE client = 'recent'"), 1);
}

TEST_P(WebStateTest, OneTimeFileWorksOnEveryNodeForItsBrowserOnly) {
  FixedClock clock(kMinute);
  auto other = OtherNode();
  ASSERT_NE(other, nullptr);
  OneTimeFiles a(*store_, clock, seconds(600));
  OneTimeFiles b(*other, clock, seconds(600));
  const std::string owner = "0123456789abcdef0123456789abcdef";
  const std::string secret_bytes("\x30\x82\x00PKCS12 secret\xff", 17);
  auto token = a.Put(owner, {"12345678901234.p12", "application/x-pkcs12", secret_bytes});
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->size(), 32u);
  for (int click = 0; click < 2; ++click) {  // a second click gets the same file again
    auto f = b.Get(*token, owner);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE(f->has_value()) << "the link reaches another node";
    EXPECT_EQ((*f)->bytes, secret_bytes);
    EXPECT_EQ((*f)->filename, "12345678901234.p12");
    EXPECT_EQ((*f)->content_type, "application/x-pkcs12");
  }
  auto stranger = a.Get(*token, "ffffffffffffffffffffffffffffffff");
  ASSERT_TRUE(stranger.ok());
  EXPECT_FALSE(stranger->has_value()) << "another browser's cookie";
  auto unknown = a.Get("00000000000000000000000000000000", owner);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  // The database holds neither the token, nor the cookie, nor the file in clear.
  std::string row;
  ASSERT_OK(store::RunRead(*store_, [&](store::SqlTx& tx) -> Status {
    static constexpr char kAll[] =
        "SELECT token_hash || owner_hash || filename || content_type || sealed "
        "FROM one_time_files";
    ASSIGN_OR_RETURN(std::optional<store::SqlRow> r, tx.QueryFirst(kAll));
    ASSIGN_OR_RETURN(row, r->Text(0));
    return Status::Ok();
  }));
  EXPECT_EQ(row.find(*token), std::string::npos);
  EXPECT_EQ(row.find(owner), std::string::npos);
  EXPECT_EQ(row.find(crypto::HexEncode("PKCS12 secret")), std::string::npos);
  EXPECT_EQ(row.find("PKCS12 secret"), std::string::npos);
}

TEST_P(WebStateTest, OneTimeFileExpiresAndIsPurged) {
  FixedClock clock(kMinute);
  OneTimeFiles files(*store_, clock, seconds(600));
  const std::string owner = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(files.Put("", {"a.p12", "application/x-pkcs12", "x"}).status().code(),
            Code::kInvalidArgument);
  auto t1 = files.Put(owner, {"a.p12", "application/x-pkcs12", "first"});
  ASSERT_TRUE(t1.ok());
  clock.Set(kMinute + seconds(599));
  auto f = files.Get(*t1, owner);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->has_value()) << "within the ttl";
  clock.Set(kMinute + seconds(600));
  f = files.Get(*t1, owner);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->has_value()) << "expired";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM one_time_files"), 1);
  auto t2 = files.Put(owner, {"b.p12", "application/x-pkcs12", "second"});
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM one_time_files"), 1) << "a new file deletes expired ones";
  auto n = PurgeOneTimeFiles(*store_, kMinute + seconds(1199));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0);
  n = PurgeOneTimeFiles(*store_, kMinute + seconds(1200));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM one_time_files"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebStateTest, ::testing::Values("sqlite", "postgres"),
                         BackendName);

}  // namespace
}  // namespace claimsca::webstate
