// The PostgreSQL connection pool against the test server (the pg fixture's
// CLAIMSCA_TEST_PG_URL).

#include "store/postgres/pg_conn.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace claimsca::store::pg {
namespace {

using std::chrono::milliseconds;

std::string TestUrl() {
  const char* url = std::getenv("CLAIMSCA_TEST_PG_URL");
  return url == nullptr ? "" : url;
}

std::string BackendPid(PgConn& conn) {
  auto res = conn.ExecScript("SELECT pg_backend_pid()", "pid");
  EXPECT_TRUE(res.ok()) << res.status().ToString();
  return res.ok() ? std::string(res->Bytes(0, 0)) : "";
}

// A server that closed an idle connection (restarted, or a primary killed and its standby
// promoted): the pool drops that connection instead of handing it out, so no request fails
// on it (issue 22: one 503 per idle connection per node after a failover).
TEST(PgPoolTest, AnIdleConnectionTheServerClosedIsNotHandedOut) {
  const std::string url = TestUrl();
  if (url.empty()) {
    if (const char* s = std::getenv("CLAIMSCA_SKIP_PG"); s != nullptr && std::string(s) == "1") {
      GTEST_SKIP() << "CLAIMSCA_SKIP_PG=1";
    }
    FAIL() << "CLAIMSCA_TEST_PG_URL is not set (run through ctest)";
  }
  auto pool = PgPool::Create(url, 1, milliseconds(2000));
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  std::string pid;
  {
    auto lease = (*pool)->Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    pid = BackendPid(**lease);
  }
  ASSERT_FALSE(pid.empty());
  // Another session ends the idle connection's backend, as a server going away does.
  auto admin = PgConn::Connect(url);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE((*admin)->ExecScript("SELECT pg_terminate_backend(" + pid + ")", "kill").ok());
  for (int i = 0; i < 200; ++i) {
    auto left =
        (*admin)->ExecScript("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid, "wait");
    ASSERT_TRUE(left.ok());
    if (left->Bytes(0, 0) == "0") break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  // The one slot of the pool: the next lease works at its first statement.
  auto lease = (*pool)->Acquire();
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  auto one = (*lease)->ExecScript("SELECT 1", "one");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_NE(BackendPid(**lease), pid);
}

}  // namespace
}  // namespace claimsca::store::pg
