// The audit trail (AuditWriter / AuditReader) on both back ends, including tampering with
// raw SQL behind the store's back.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <string>
#include <thread>
#include <vector>

#include "store/audit_chain.h"
#include "store/audit_test_fixture.h"
#include "store/internal.h"
#include "store/store.h"
#include "store/store_test_fixture.h"

namespace claimsca::store {
namespace {

using namespace test;  // NOLINT: the shared fixture and helpers

TEST_P(AuditTest, EmptyChainVerifies) {
  int64_t checked = -1;
  ASSERT_OK(store_->VerifyAuditChain(&checked));
  EXPECT_EQ(checked, 0);
  ASSERT_OK(store_->VerifyAuditChain(nullptr));
}

TEST_P(AuditTest, HeadAndWalkReadTheChainForItsCheckpoints) {
  auto empty = store_->AuditChainHead();
  ASSERT_OK(empty.status());
  EXPECT_EQ(empty->seq, 0);
  EXPECT_EQ(empty->hash, internal::kAuditGenesisHash);
  AppendN(5);
  auto head = store_->AuditChainHead();
  ASSERT_OK(head.status());
  EXPECT_EQ(head->seq, 5);
  std::vector<std::pair<int64_t, std::string>> seen;
  int64_t checked = 0;
  ASSERT_OK(store_->WalkAuditChain(
      [&](int64_t seq, std::string_view hash) { seen.emplace_back(seq, hash); }, &checked));
  EXPECT_EQ(checked, 5);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.front().first, 1);
  EXPECT_EQ(seen.back(), std::make_pair(int64_t{5}, head->hash));
  // Only intact rows are reported: a broken row stops the walk before it.
  DropTriggers();
  ASSERT_EQ(Raw("UPDATE audit_log SET actor = 'x' WHERE seq = 4"), "");
  seen.clear();
  EXPECT_CODE(
      store_->WalkAuditChain(
          [&](int64_t seq, std::string_view hash) { seen.emplace_back(seq, hash); }, &checked),
      kInternal);
  EXPECT_EQ(checked, 3);
  EXPECT_EQ(seen.size(), 3u);
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
