// The audit trail (AuditWriter / AuditReader) on both back ends, including tampering with
// raw SQL behind the store's back.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <string>
#include <thread>
#include <vector>

#include "store/audit_chain.h"
#include "store/internal.h"
#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::store {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

class AuditTest : public StoreTest {
 protected:
  AuditEvent Event(int i) {
    AuditEvent e;
    e.at = kT0 + seconds(i);
    e.actor = "operator:" + std::to_string(i % 3);
    e.action = "certificate.revoke";
    e.subject = "serial-" + std::to_string(i);
    e.details = R"({"reason":1,"note":"テスト\n#%&"})";
    return e;
  }

  void AppendN(int n) {
    for (int i = 0; i < n; ++i) ASSERT_OK(store_->AppendAudit(Event(i)));
  }

  // Runs `sql` directly on the database, as someone with database access could; returns
  // an error message, empty on success.
  std::string Raw(const std::string& sql) {
    std::string err;
    if (GetParam() == "sqlite") {
      sqlite3* db = nullptr;
      const std::string path = url_.substr(std::string("sqlite:").size());
      if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        err = "open failed";
      } else {
        sqlite3_busy_timeout(db, 10'000);
        char* msg = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
          err = msg != nullptr ? msg : "exec failed";
        }
        sqlite3_free(msg);
      }
      sqlite3_close(db);
      return err;
    }
    PGconn* c = PQconnectdb(admin_url_.c_str());
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    PGresult* r = PQexec(c, ("SET search_path TO " + schema_ + ";" + sql).c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      err = PQresultErrorMessage(r);
      if (err.empty()) err = "exec failed";
    }
    PQclear(r);
    PQfinish(c);
    return err;
  }

  void DropTriggers() {
    const std::string err =
        GetParam() == "sqlite"
            ? Raw("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            : Raw("DROP TRIGGER audit_log_no_change ON audit_log;");
    ASSERT_EQ(err, "");
  }

  // Expects verification to fail at `seq` after `valid` good rows.
  void ExpectBrokenAt(int64_t seq, int64_t valid) {
    int64_t checked = -1;
    Status st = store_->VerifyAuditChain(&checked);
    EXPECT_EQ(st.code(), Code::kInternal) << st.ToString();
    EXPECT_NE(st.message().find("audit chain broken at seq " + std::to_string(seq) + ":"),
              std::string::npos)
        << st.ToString();
    EXPECT_EQ(checked, valid);
  }
};

TEST_P(AuditTest, EmptyChainVerifies) {
  int64_t checked = -1;
  ASSERT_OK(store_->VerifyAuditChain(&checked));
  EXPECT_EQ(checked, 0);
  ASSERT_OK(store_->VerifyAuditChain(nullptr));
}

TEST_P(AuditTest, AuditBySubjectReadsOneSubjectOldestFirstAndTheNewestWhenLimited) {
  for (int i = 0; i < 6; ++i) {
    AuditEvent e = Event(i);
    e.subject = i % 2 == 0 ? "20250901000001" : "20250901000002";
    e.action = "step" + std::to_string(i);
    ASSERT_OK(store_->AppendAudit(e));
  }
  auto all = store_->AuditBySubject("20250901000001", 100);
  ASSERT_OK(all.status());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].action, "step0");
  EXPECT_EQ((*all)[1].action, "step2");
  EXPECT_EQ((*all)[2].action, "step4");
  EXPECT_EQ((*all)[2].at, kT0 + seconds(4));
  EXPECT_EQ((*all)[2].actor, "operator:1");
  EXPECT_EQ((*all)[2].details, R"({"reason":1,"note":"テスト\n#%&"})");
  EXPECT_LT((*all)[0].seq, (*all)[1].seq);
  auto newest = store_->AuditBySubject("20250901000001", 2);
  ASSERT_OK(newest.status());
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[0].action, "step2");
  EXPECT_EQ((*newest)[1].action, "step4");
  auto none = store_->AuditBySubject("nobody", 10);
  ASSERT_OK(none.status());
  EXPECT_TRUE(none->empty());
  EXPECT_CODE(store_->AuditBySubject("20250901000001", 0).status(), kInvalidArgument);
}

TEST_P(AuditTest, RefusesEventsWithoutActorOrAction) {
  AuditEvent e = Event(1);
  e.actor.clear();
  EXPECT_CODE(store_->AppendAudit(e), kInvalidArgument);
  e = Event(1);
  e.action.clear();
  EXPECT_CODE(store_->AppendAudit(e), kInvalidArgument);
}

TEST_P(AuditTest, ConcurrentAppendsKeepTheChainLinear) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  // Half the threads append through a second store on the same database: another
  // process, in effect (its own SQLite writer connection, its own PostgreSQL pool).
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    Store* s = t % 2 == 0 ? store_.get() : other->get();
    threads.emplace_back([this, s, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status st = s->AppendAudit(Event(t * 1000 + i));
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  int64_t checked = 0;
  ASSERT_OK(store_->VerifyAuditChain(&checked));
  EXPECT_EQ(checked, kThreads * kPerThread);
  ASSERT_OK((*other)->VerifyAuditChain(&checked));
  EXPECT_EQ(checked, kThreads * kPerThread);
}

TEST_P(AuditTest, TriggersRefuseUpdateAndDelete) {
  AppendN(3);
  EXPECT_NE(Raw("UPDATE audit_log SET details = '{}' WHERE seq = 2"), "");
  EXPECT_NE(Raw("DELETE FROM audit_log WHERE seq = 3"), "");
  int64_t checked = 0;
  ASSERT_OK(store_->VerifyAuditChain(&checked));
  EXPECT_EQ(checked, 3);
}

TEST_P(AuditTest, AlteredRowIsDetected) {
  AppendN(10);
  DropTriggers();
  ASSERT_EQ(Raw(R"(UPDATE audit_log SET details = '{"reason":0}' WHERE seq = 5)"), "");
  ExpectBrokenAt(5, 4);
}

TEST_P(AuditTest, RecomputedHashIsDetectedAtTheNextRow) {
  AppendN(10);
  DropTriggers();
  // A forger who also recomputes the altered row's hash breaks the link to the next row.
  std::string prev(internal::kAuditGenesisHash);
  for (int i = 0; i < 4; ++i) {
    const AuditEvent e = Event(i);
    prev = internal::AuditHash(prev, i + 1, internal::ToUnix(e.at), e.actor, e.action, e.subject,
                               e.details);
  }
  const AuditEvent e = Event(4);
  const std::string forged =
      internal::AuditHash(prev, 5, internal::ToUnix(e.at), "x", e.action, e.subject, e.details);
  ASSERT_EQ(Raw("UPDATE audit_log SET actor = 'x', hash = '" + forged + "' WHERE seq = 5"), "");
  ExpectBrokenAt(6, 5);
}

TEST_P(AuditTest, RemovedMiddleRowIsDetected) {
  AppendN(10);
  DropTriggers();
  ASSERT_EQ(Raw("DELETE FROM audit_log WHERE seq = 5"), "");
  ExpectBrokenAt(6, 4);
}

TEST_P(AuditTest, RemovedFirstRowIsDetected) {
  AppendN(3);
  DropTriggers();
  ASSERT_EQ(Raw("DELETE FROM audit_log WHERE seq = 1"), "");
  ExpectBrokenAt(2, 0);
}

TEST_P(AuditTest, ReorderedRowsAreDetected) {
  AppendN(10);
  DropTriggers();
  ASSERT_EQ(Raw("UPDATE audit_log SET seq = -1 WHERE seq = 3;"
                "UPDATE audit_log SET seq = 3 WHERE seq = 4;"
                "UPDATE audit_log SET seq = 4 WHERE seq = -1;"),
            "");
  ExpectBrokenAt(3, 2);
}

// The documented limit: removing the last rows leaves a shorter chain that still verifies.
// Detecting it needs the latest hash anchored outside the database.
TEST_P(AuditTest, TruncatedTailIsNotDetectableByTheChainAlone) {
  AppendN(10);
  DropTriggers();
  ASSERT_EQ(Raw("DELETE FROM audit_log WHERE seq >= 9"), "");
  int64_t checked = 0;
  ASSERT_OK(store_->VerifyAuditChain(&checked));
  EXPECT_EQ(checked, 8);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditTest, ::testing::Values("sqlite", "postgres"), BackendName);

}  // namespace
}  // namespace claimsca::store
