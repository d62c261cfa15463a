#pragma once

// Group commit for the SQLite writer connection: concurrent write operations are run in
// one BEGIN IMMEDIATE transaction, each inside its own SAVEPOINT. An operation that fails
// is rolled back to its savepoint and does not affect the others. Internal to the store
// library.
//
// Durability. The batch commits with synchronous=NORMAL (written to the WAL, no fsync
// under the write lock); a caller that asked for a durable write then waits for an
// fdatasync of the WAL file that started after its batch committed (Sync). One such sync
// covers every batch committed before it, and the next batch runs while it is in flight.
// The WAL is appended in order, so a sync also makes every earlier batch durable. A
// caller that asked only for kWritten (the issuance intent, docs/issuance-cycle.md)
// returns once its batch is in the WAL: it survives a crash of the process; a power loss
// can lose it only together with everything written after it that no sync has covered.
// Without a WAL path (tests that give none) every batch commits with synchronous=FULL.
//
// Thread-safety: Run may be called from any number of threads. The first caller to find
// no batch in progress becomes the leader: it runs every queued operation (its own
// included) on the connection, commits, and hands the results back. The first durable
// caller to find no sync in progress runs the next one.
//
// Batching on a busy core. A thread runs until it blocks, so on a loaded core the writers
// that are ready to run would reach Run one after another, each alone in its batch. A new
// leader therefore yields the processor first, and again as long as each yield brought
// another operation (at most kMaxYields times): the writers that run meanwhile queue into
// its batch. On an idle machine the first yield returns at once and finds nothing new.
//
// Wake-ups. Every waiting caller sleeps on its own event and is woken once: when its
// batch (or sync) is done, or when it is its turn to lead the next batch (or run the next
// sync) — never all waiters on each batch (on one core each needless wake-up is two
// context switches and a fight for the mutex).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_db.h"

namespace claimsca::store::sqlite {

class GroupCommit {
 public:
  // An operation: plain statements on the connection, no transaction control.
  using Op = std::function<Status(SqliteConn&)>;

  // `conn` is used only while holding `conn_mu`, which other users of conn must hold too.
  // `wal_path`: the connection's write-ahead log ("<db>-wal"); empty = fsync in COMMIT.
  GroupCommit(SqliteConn& conn, std::mutex& conn_mu, std::string wal_path = {});
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  enum class Durability {
    kDurable,  // on stable storage before Run returns
    kWritten,  // in the WAL (survives a crash of the process); made durable by the next sync
  };

  // Runs `op` in some batch; returns op's status, or the batch's transaction error (then
  // op's effects were not committed), or the sync's error (then they were committed but
  // may not be durable).
  Status Run(const Op& op, Durability durability = Durability::kDurable);
  // Runs every operation of `ops` in the same batch, each in its own savepoint, and
  // returns their statuses in order (each as Run would). One caller, one wait and at most
  // one sync for all of them: the batch issuer's intents and certificates.
  std::vector<Status> RunAll(std::span<const Op> ops, Durability durability = Durability::kDurable);

  // Returns once every batch committed so far is on stable storage (one sync at most,
  // shared with the durable callers).
  Status SyncCommitted();

  // fdatasync calls of the WAL made so far (Sync): fewer than durable Runs when batches
  // and syncs are shared.
  uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }
  // Batches (transactions) committed so far.
  uint64_t batches() const;

 private:
  // A one-shot event for one waiting thread (a Linux futex): Set at most once, Wait
  // returns once it is set. The waiter may destroy the event as soon as Wait returns: the
  // only thing Set does after the store the waiter can see is the wake-up system call, for
  // which the futex word's address is just a key. Not std::atomic::wait: libstdc++ 12
  // spins and calls sched_yield several times before it sleeps, which on one core hands
  // the CPU back and forth for nothing.
  class OneShotEvent {
   public:
    void Wait();
    void Set();

   private:
    std::atomic<uint32_t> state_{0};  // 0 unset, 1 a thread sleeps on it, 2 set
  };
  // A caller waiting for its batch (Pending) or for a sync of it (SyncWaiter). `done` is
  // set before `wake`; woken with done unset, the caller is to lead the next batch (or run
  // the next sync) itself.
  struct Waiter {
    bool done = false;
    Status result = Status::Ok();  // of its operation, or of the sync that covered it
    OneShotEvent wake;
  };
  struct Pending : Waiter {
    explicit Pending(const Op& o) : op(&o) {}
    const Op* op;
    uint64_t batch = 0;  // the number of the batch that committed it
  };
  struct SyncWaiter : Waiter {
    explicit SyncWaiter(uint64_t b) : batch(b) {}
    uint64_t batch;  // the caller's batch
  };
  // Yields to threads ready to run (so that they can join the batch) at most this often.
  static constexpr int kMaxYields = 8;
  // Runs every queued operation (`self` among them) as one batch, then wakes its callers
  // and the next leader. `gather`: yield first so that writers ready to run can join.
  void Lead(Pending& self, std::unique_lock<std::mutex>& lock, bool gather);
  void RunBatch(std::deque<Pending*>& batch);
  void RunTransaction(std::deque<Pending*>& batch);
  // Returns once batch number `batch` is on stable storage.
  Status Sync(uint64_t batch);
  // Runs one sync (syncing_ set, `lock` on sync_mu_ held), then wakes the waiters it
  // covered and hands the next sync to the first waiter it did not.
  Status RunSync(std::unique_lock<std::mutex>& lock);
  Status SyncWal();  // fdatasync of the WAL file (opened on first use)

  SqliteConn& conn_;
  std::mutex& conn_mu_;
  mutable std::mutex mu_;
  std::deque<Pending*> queue_;          // guarded by mu_
  bool leader_active_ = false;          // guarded by mu_ (also while handed to a waiter)
  uint64_t batches_ = 0;                // batches committed; guarded by mu_
  int batch_watchers_ = 0;              // syncs waiting for the batch in progress; mu_
  std::condition_variable batch_cv_;    // a batch committed (only with watchers)
  std::atomic<uint64_t> committed_{0};  // the last batch committed
  std::atomic<uint64_t> syncs_{0};

  const std::string wal_path_;
  std::mutex sync_mu_;
  std::deque<SyncWaiter*> sync_waiters_;  // guarded by sync_mu_
  bool syncing_ = false;                  // guarded by sync_mu_ (also while handed to a waiter)
  uint64_t synced_ = 0;  // every batch up to this one is durable; guarded by sync_mu_
  int wal_fd_ = -1;      // used by the syncing thread only
};

}  // namespace claimsca::store::sqlite
