// GroupCommit: batches commit in the WAL; durable callers wait for an fdatasync of the WAL
// that started after their batch, shared between callers; kWritten callers do not sync.

#include "store/sqlite/group_commit.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace claimsca::store::sqlite {
namespace {

namespace fs = std::filesystem;

constexpr char kInsert[] = "INSERT INTO t (x) VALUES (?1)";
constexpr char kCount[] = "SELECT count(*) FROM t";

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("claimsca_gc_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "gc.db").string();
    auto conn = SqliteConn::Open(path_, SqliteConn::Mode::kWriter, std::chrono::seconds(5));
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
    ASSERT_TRUE(conn_->ExecScript("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)", "t").ok());
  }
  void TearDown() override {
    conn_.reset();
    fs::remove_all(dir_);
  }

  static GroupCommit::Op Insert(int64_t x) {
    return [x](SqliteConn& c) -> Status {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(c, kInsert, "insert"));
      return s.Int(1, x).Run();
    };
  }
  // Rows as another connection sees them.
  int64_t Count() {
    auto reader = SqliteConn::Open(path_, SqliteConn::Mode::kReader, std::chrono::seconds(5));
    EXPECT_TRUE(reader.ok());
    auto s = Stmt::Use(**reader, kCount, "count");
    EXPECT_TRUE(s.ok());
    auto row = s->Step();
    EXPECT_TRUE(row.ok() && *row);
    return s->ColInt(0);
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<SqliteConn> conn_;
  std::mutex mu_;
};

// On one core a thread runs until it blocks, so without help each write would be a batch
// of its own. The leader yields first: the writers that are ready to run reach Run and
// join its batch.
TEST_F(GroupCommitTest, OnOneCoreWritersReadyToRunJoinTheLeadersBatch) {
  cpu_set_t before, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof before, &before), 0);
  int cpu = 0;
  while (!CPU_ISSET(cpu, &before)) ++cpu;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);  // inherited by the threads below

  GroupCommit gc(*conn_, mu_, path_ + "-wal");
  constexpr int kThreads = 8, kEach = 50;
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          // Work between writes (an issuance signs between its two writes).
          volatile uint64_t spin = 0;
          for (int k = 0; k < 20000; ++k) spin = spin + k;
          if (!gc.Run(Insert(t * kEach + i), GroupCommit::Durability::kWritten).ok()) ++failures;
        }
      });
    }
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof before, &before), 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(), kThreads * kEach);
  // ~8 writes per batch here, 1 without the yield; the bound leaves room for other
  // processes on the same core (each yield that lets one of them run ends the gathering).
  const uint64_t batches = gc.batches();
  EXPECT_LE(batches * 4, static_cast<uint64_t>(kThreads * kEach) * 3)
      << batches << " batches for " << kThreads * kEach << " writes";
}

TEST_F(GroupCommitTest, DurableCallersShareSyncsWrittenCallersSkipThem) {
  GroupCommit gc(*conn_, mu_, path_ + "-wal");
  constexpr int kThreads = 8, kEach = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const auto d =
            i % 2 == 0 ? GroupCommit::Durability::kWritten : GroupCommit::Durability::kDurable;
        if (!gc.Run(Insert(t * kEach + i), d).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(), kThreads * kEach);
  const uint64_t syncs = gc.syncs();
  EXPECT_GE(syncs, 1u);
  EXPECT_LE(syncs, static_cast<uint64_t>(kThreads * kEach / 2));  // at most one per durable

  // Only kWritten: committed, visible, and no sync at all.
  ASSERT_TRUE(gc.Run(Insert(100000), GroupCommit::Durability::kWritten).ok());
  EXPECT_EQ(gc.syncs(), syncs);
  EXPECT_EQ(Count(), kThreads * kEach + 1);
  // A failed operation is not synced either, and does not affect the batch.
  EXPECT_EQ(gc.Run(Insert(100000)).code(), Code::kConflict);
  EXPECT_EQ(gc.syncs(), syncs);
}

TEST_F(GroupCommitTest, RunAllIsOneBatchOneSyncAndFailsOneByOne) {
  GroupCommit gc(*conn_, mu_, path_ + "-wal");
  ASSERT_TRUE(gc.Run(Insert(5), GroupCommit::Durability::kWritten).ok());
  const uint64_t batches = gc.batches();
  const std::vector<GroupCommit::Op> ops = {Insert(1), Insert(5) /* taken */, Insert(2),
                                            Insert(2) /* taken within the batch */, Insert(3)};
  std::vector<Status> got = gc.RunAll(ops);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_TRUE(got[0].ok() && got[2].ok() && got[4].ok());
  EXPECT_EQ(got[1].code(), Code::kConflict);
  EXPECT_EQ(got[3].code(), Code::kConflict);
  EXPECT_EQ(gc.batches(), batches + 1);
  EXPECT_EQ(gc.syncs(), 1u);  // covers the kWritten row before it too
  EXPECT_EQ(Count(), 4);
  EXPECT_TRUE(gc.SyncCommitted().ok());  // already covered: no new sync
  EXPECT_EQ(gc.syncs(), 1u);

  got = gc.RunAll(std::vector<GroupCommit::Op>{Insert(6), Insert(7)},
                  GroupCommit::Durability::kWritten);
  EXPECT_TRUE(got[0].ok() && got[1].ok());
  EXPECT_EQ(gc.syncs(), 1u);
  EXPECT_EQ(Count(), 6);  // visible before any sync
  EXPECT_TRUE(gc.SyncCommitted().ok());
  EXPECT_EQ(gc.syncs(), 2u);
  EXPECT_TRUE(gc.RunAll({}).empty());
}

TEST_F(GroupCommitTest, RunAllFromManyThreadsLosesNothing) {
  // Callers of RunAll and Run at once: every operation lands exactly once and each
  // caller gets one status per operation.
  GroupCommit gc(*conn_, mu_, path_ + "-wal");
  constexpr int kThreads = 6, kRounds = 20, kPer = 5;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        std::vector<GroupCommit::Op> ops;
        for (int k = 0; k < kPer; ++k) ops.push_back(Insert((t * kRounds + r) * kPer + k));
        if (t % 2 == 0) {
          for (const Status& st : gc.RunAll(ops)) ok += st.ok();
        } else {
          for (const auto& op : ops) ok += gc.Run(op, GroupCommit::Durability::kWritten).ok();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kRounds * kPer);
  EXPECT_EQ(Count(), kThreads * kRounds * kPer);
}

TEST_F(GroupCommitTest, ADurableCallerSeesTheSyncError) {
  // The durable caller's sync goes through the WAL path given: one that cannot be opened
  // fails the durable Run (committed, but not known durable) and not the kWritten one.
  GroupCommit gc(*conn_, mu_, (dir_ / "missing" / "gc.db-wal").string());
  EXPECT_TRUE(gc.Run(Insert(1), GroupCommit::Durability::kWritten).ok());
  const Status durable = gc.Run(Insert(2));
  EXPECT_EQ(durable.code(), Code::kUnavailable) << durable.ToString();
  EXPECT_NE(durable.message().find("gc.db-wal"), std::string::npos) << durable.ToString();
  EXPECT_EQ(Count(), 2);
}

TEST_F(GroupCommitTest, EveryDurableCallerAFailedSyncCoveredSeesItsError) {
  // Many callers at once, sharing batches and syncs: each is woken once with its result
  // (none hangs), the failed sync reaches every durable caller, and the rows are there.
  GroupCommit gc(*conn_, mu_, (dir_ / "missing" / "gc.db-wal").string());
  constexpr int kThreads = 8, kEach = 50;
  std::atomic<int> durable_failed{0}, written_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (i % 2 == 0) {
          if (gc.Run(Insert(t * kEach + i), GroupCommit::Durability::kWritten).ok()) ++written_ok;
        } else if (gc.Run(Insert(t * kEach + i)).code() == Code::kUnavailable) {
          ++durable_failed;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(written_ok.load(), kThreads * kEach / 2);
  EXPECT_EQ(durable_failed.load(), kThreads * kEach / 2);
  EXPECT_EQ(Count(), kThreads * kEach);  // committed, only not known durable
}

TEST_F(GroupCommitTest, TheWriterConnectionLogsAheadAndDoesNotZeroFreedPages) {
  // The connection GroupCommit writes through (SqliteConn::Open, kWriter): WAL, and
  // secure_delete FAST (2), not Debian's default ON (replacing a 3.6 MB CRL rewrote its
  // old pages as zeros).
  auto value = [&](const char* pragma) {
    auto s = Stmt::Use(*conn_, pragma, pragma);
    EXPECT_TRUE(s.ok());
    auto row = s->Step();
    EXPECT_TRUE(row.ok() && *row);
    return std::string(s->ColText(0));
  };
  EXPECT_EQ(value("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(value("PRAGMA secure_delete"), "2");
}

TEST_F(GroupCommitTest, WithoutAWalPathEveryCommitIsFull) {
  GroupCommit gc(*conn_, mu_);
  ASSERT_TRUE(gc.Run(Insert(1)).ok());
  EXPECT_EQ(gc.syncs(), 0u);  // the COMMIT itself synced
  EXPECT_EQ(Count(), 1);
}

}  // namespace
}  // namespace claimsca::store::sqlite
