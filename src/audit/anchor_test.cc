// The audit chain against its signed checkpoints on both back ends, tampered with raw SQL
// as someone holding the database alone could (issue 23 item 6, docs/audit.md).

#include "audit/anchor.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/keys.h"
#include "crypto/memory_signer.h"
#include "store/audit_chain.h"
#include "store/audit_test_fixture.h"
#include "store/internal.h"

namespace claimsca::audit {
namespace {

using store::test::AuditTest;

class AnchorTest : public AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    file_ = std::filesystem::path(::testing::TempDir()) /
            ("claimsca_anchor_" + store::test::RandomHex(8)) / "checkpoints.log";
    log_ = std::make_unique<CheckpointLog>(file_.string());
  }
  void TearDown() override {
    if (!file_.empty()) std::filesystem::remove_all(file_.parent_path());
    AuditTest::TearDown();
  }

  Result<Checkpoint> Anchor() {
    return WriteCheckpoint(*store_, *log_, signer_, signer_.key(), wall_);
  }
  Result<AnchoredReport> Verify() { return VerifyAnchored(*store_, *log_, signer_.key()); }

  // Rewrites row `from` (its actor) and recomputes the hash of it and of every later row up
  // to `last`, as a forger with the database alone can: the chain verifies on its own.
  // The triggers must have been dropped (DropTriggers).
  void RewriteFrom(int64_t from, int64_t last) {
    std::string prev(store::internal::kAuditGenesisHash);
    for (int64_t seq = 1; seq <= last; ++seq) {
      const store::AuditEvent e = Event(static_cast<int>(seq - 1));
      const std::string actor = seq == from ? "operator:forger" : e.actor;
      const std::string hash = store::internal::AuditHash(prev, seq, store::internal::ToUnix(e.at),
                                                          actor, e.action, e.subject, e.details);
      if (seq >= from) {
        ASSERT_EQ(Raw("UPDATE audit_log SET actor = '" + actor + "', prev_hash = '" + prev +
                      "', hash = '" + hash + "' WHERE seq = " + std::to_string(seq)),
                  "");
      }
      prev = hash;
    }
    ASSERT_TRUE(store_->VerifyAuditChain(nullptr).ok()) << "the chain alone cannot tell";
  }

  void ExpectFails(const std::string& what) {
    auto r = Verify();
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), Code::kInternal);
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().ToString();
  }

  std::filesystem::path file_;
  std::unique_ptr<CheckpointLog> log_;
  crypto::MemorySigner signer_{crypto::GenerateKey(crypto::KeyAlgorithm::kEcP256).value()};
  FixedClock wall_{store::test::kT0 + std::chrono::hours(1)};
};

TEST_P(AnchorTest, WithoutCheckpointsOnlyTheChainIsChecked) {
  AppendN(4);
  auto r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 4);
  EXPECT_EQ(r->checkpoints, 0);
  EXPECT_EQ(r->unanchored, 4);
}

TEST_P(AnchorTest, AnUntouchedChainVerifiesAgainstItsCheckpoints) {
  ASSERT_TRUE(Anchor().ok()) << "an empty chain can be anchored";
  AppendN(5);
  ASSERT_TRUE(Anchor().ok());
  AppendN(3);
  auto r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 8);
  EXPECT_EQ(r->checkpoints, 2);
  ASSERT_TRUE(r->newest.has_value());
  EXPECT_EQ(r->newest->seq, 5);
  EXPECT_EQ(r->newest->at, wall_.Now());
  EXPECT_EQ(r->unanchored, 3);
}

TEST_P(AnchorTest, ARewrittenChainWithEveryLaterHashRecomputedIsDetected) {
  AppendN(10);
  ASSERT_TRUE(Anchor().ok());
  for (int i = 10; i < 12; ++i) ASSERT_OK(store_->AppendAudit(Event(i)));
  DropTriggers();
  RewriteFrom(5, 12);
  ExpectFails("audit row seq 10 differs from the checkpoint signed");
}

TEST_P(AnchorTest, RowsRemovedAfterACheckpointAreDetected) {
  AppendN(10);
  ASSERT_TRUE(Anchor().ok());
  DropTriggers();
  ASSERT_EQ(Raw("DELETE FROM audit_log WHERE seq >= 9"), "");
  ExpectFails("audit trail truncated");
  ExpectFails("rows 9..10 removed");
}

// The documented limit: rows written since the newest checkpoint are protected by the
// chain alone, so a consistent rewrite of them alone passes until the next checkpoint.
TEST_P(AnchorTest, RowsAfterTheNewestCheckpointAreNotAnchoredYet) {
  AppendN(5);
  ASSERT_TRUE(Anchor().ok());
  for (int i = 5; i < 8; ++i) ASSERT_OK(store_->AppendAudit(Event(i)));
  DropTriggers();
  RewriteFrom(7, 8);
  auto r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->unanchored, 3);
}

TEST_P(AnchorTest, ABrokenOrRewrittenChainIsNeverAnchored) {
  AppendN(6);
  ASSERT_TRUE(Anchor().ok());
  DropTriggers();
  RewriteFrom(2, 6);
  EXPECT_FALSE(Anchor().ok());
  ASSERT_EQ(Raw("UPDATE audit_log SET details = '{}' WHERE seq = 3"), "");
  EXPECT_FALSE(Anchor().ok());
  EXPECT_EQ(log_->ReadVerified(signer_.key())->checkpoints.size(), 1u) << "nothing appended";
}

TEST_P(AnchorTest, ACheckpointIsDueAfterItsIntervalWhenTheChainGrew) {
  const std::chrono::seconds hour(3600);
  EXPECT_TRUE(*CheckpointDue(*store_, *log_, wall_, hour)) << "none yet";
  AppendN(2);
  ASSERT_TRUE(Anchor().ok());
  EXPECT_FALSE(*CheckpointDue(*store_, *log_, wall_, hour));
  AppendN(1);
  EXPECT_FALSE(*CheckpointDue(*store_, *log_, wall_, hour)) << "within the interval";
  wall_.Advance(hour);
  EXPECT_TRUE(*CheckpointDue(*store_, *log_, wall_, hour));
  ASSERT_TRUE(Anchor().ok());
  wall_.Advance(2 * hour);
  EXPECT_FALSE(*CheckpointDue(*store_, *log_, wall_, hour)) << "nothing new to anchor";
  // A checkpoint dated in the future does not hold the next one back.
  AppendN(1);
  FixedClock ahead(wall_.Now() + std::chrono::days(200));
  ASSERT_TRUE(WriteCheckpoint(*store_, *log_, signer_, signer_.key(), ahead).ok());
  AppendN(1);
  EXPECT_TRUE(*CheckpointDue(*store_, *log_, wall_, hour));
}

INSTANTIATE_TEST_SUITE_P(Backends, AnchorTest, ::testing::Values("sqlite", "postgres"),
                         store::test::BackendName);

}  // namespace
}  // namespace claimsca::audit
