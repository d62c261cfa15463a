#include "store/sqlite/group_commit.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace claimsca::store::sqlite {
namespace {

constexpr char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kSavepoint[] = "SAVEPOINT claimsca_op";
constexpr char kRelease[] = "RELEASE claimsca_op";
constexpr char kRollbackTo[] = "ROLLBACK TO claimsca_op";

Status RunControl(SqliteConn& conn, const char* sql) {
  ASSIGN_OR_RETURN(Stmt stmt, Stmt::Use(conn, sql, sql));
  return stmt.Run();
}

bool InsideTransaction(SqliteConn& conn) { return sqlite3_get_autocommit(conn.db()) == 0; }

}  // namespace

void GroupCommit::OneShotEvent::Wait() {
  uint32_t expected = 0;
  if (!state_.compare_exchange_strong(expected, 1, std::memory_order_acquire)) return;  // set
  while (state_.load(std::memory_order_acquire) != 2) {
    // Sleeps only while the word still says a thread sleeps (1); returns at once if Set ran.
    ::syscall(SYS_futex, &state_, FUTEX_WAIT_PRIVATE, 1, nullptr, nullptr, 0);
  }
}

void GroupCommit::OneShotEvent::Set() {
  if (state_.exchange(2, std::memory_order_release) == 1) {
    ::syscall(SYS_futex, &state_, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
}

GroupCommit::GroupCommit(SqliteConn& conn, std::mutex& conn_mu, std::string wal_path)
    : conn_(conn), conn_mu_(conn_mu), wal_path_(std::move(wal_path)) {}

GroupCommit::~GroupCommit() {
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

uint64_t GroupCommit::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

Status GroupCommit::Run(const Op& op, Durability durability) {
  return RunAll(std::span<const Op>(&op, 1), durability).front();
}

std::vector<Status> GroupCommit::RunAll(std::span<const Op> ops, Durability durability) {
  if (ops.empty()) return {};
  // Queued together under mu_, the operations always land in the same batch: a leader
  // takes the whole queue. The first one stands for all of them: it is woken when the
  // batch is done (every one of them is then done too) or when it is to lead.
  std::vector<Pending> pending(ops.begin(), ops.end());
  Pending& self = pending.front();
  // A caller with several operations has made its batch itself: it does not wait for
  // others to join (the yields below are for single writers on a busy core).
  const bool gather = ops.size() == 1;
  std::unique_lock lock(mu_);
  for (Pending& p : pending) queue_.push_back(&p);
  if (leader_active_) {
    lock.unlock();
    self.wake.Wait();  // our batch is done, or it is our turn to lead
    if (!self.done) {
      lock.lock();
      Lead(self, lock, gather);
    }
  } else {
    leader_active_ = true;
    Lead(self, lock, gather);
  }
  std::vector<Status> results;
  results.reserve(pending.size());
  bool any_ok = false;
  for (Pending& p : pending) {
    any_ok |= p.result.ok();
    results.push_back(p.result);
  }
  if (!any_ok || wal_path_.empty() || durability == Durability::kWritten) return results;
  // One sync covers the batch: a failed one fails every operation it was to make durable.
  const Status synced = Sync(self.batch);
  if (!synced.ok()) {
    for (Status& r : results) {
      if (r.ok()) r = synced;
    }
  }
  return results;
}

void GroupCommit::Lead(Pending& self, std::unique_lock<std::mutex>& lock, bool gather) {
  // Let threads that are ready to run join this batch first: yield the processor as long
  // as each yield brings another operation. On a busy core the threads that run meanwhile
  // queue their writes here (as followers: leader_active_ is set), and one transaction and
  // one sync serve them all instead of one each; on an idle core the first yield returns
  // at once and finds nothing new.
  for (int i = 0; gather && i < kMaxYields; ++i) {
    const size_t queued = queue_.size();
    lock.unlock();
    sched_yield();
    lock.lock();
    if (queue_.size() == queued) break;
  }
  // Take every queued operation (ours included) as one batch.
  std::deque<Pending*> batch;
  batch.swap(queue_);
  lock.unlock();
  {
    std::lock_guard conn_lock(conn_mu_);
    RunBatch(batch);
  }
  lock.lock();
  const uint64_t number = ++batches_;
  committed_.store(number, std::memory_order_release);
  for (Pending* p : batch) {
    p->done = true;
    p->batch = number;
  }
  // Callers that queued meanwhile: the first leads the next batch (leader_active_ stays
  // set for it).
  Pending* next = queue_.empty() ? nullptr : queue_.front();
  if (next == nullptr) leader_active_ = false;
  const bool watchers = batch_watchers_ > 0;
  lock.unlock();
  if (next != nullptr) next->wake.Set();
  for (Pending* p : batch) {
    if (p != &self) p->wake.Set();
  }
  if (watchers) batch_cv_.notify_all();
}

Status GroupCommit::SyncCommitted() {
  if (wal_path_.empty()) return Status::Ok();  // every batch committed with FULL
  return Sync(committed_.load(std::memory_order_acquire));
}

Status GroupCommit::Sync(uint64_t batch) {
  SyncWaiter self(batch);
  std::unique_lock lock(sync_mu_);
  if (synced_ >= batch) return Status::Ok();
  if (syncing_) {
    sync_waiters_.push_back(&self);
    lock.unlock();
    self.wake.Wait();  // a sync covered our batch, or it is our turn to run one
    if (self.done) return self.result;
    lock.lock();
  } else {
    syncing_ = true;
  }
  return RunSync(lock);
}

Status GroupCommit::RunSync(std::unique_lock<std::mutex>& lock) {
  // Run the next sync: it covers every batch committed so far (ours included), and the
  // batch being committed now, if one is (a few statements: the sync then serves its
  // callers too instead of leaving them the next one).
  lock.unlock();
  {
    std::unique_lock batch_lock(mu_);
    if (leader_active_) {
      const uint64_t running = batches_ + 1;
      ++batch_watchers_;
      batch_cv_.wait(batch_lock, [&] { return batches_ >= running; });
      --batch_watchers_;
    }
  }
  const uint64_t target = committed_.load(std::memory_order_acquire);
  const Status st = SyncWal();
  lock.lock();
  // A failed fdatasync is reported to every batch it was to cover (a later one succeeding
  // says nothing about the pages this one lost).
  if (st.ok() && target > synced_) synced_ = target;
  std::vector<SyncWaiter*> covered;
  std::erase_if(sync_waiters_, [&](SyncWaiter* w) {
    if (w->batch > target) return false;
    w->done = true;
    w->result = st;
    covered.push_back(w);
    return true;
  });
  SyncWaiter* next = nullptr;
  if (sync_waiters_.empty()) {
    syncing_ = false;
  } else {
    next = sync_waiters_.front();
    sync_waiters_.pop_front();
  }
  lock.unlock();
  if (next != nullptr) next->wake.Set();  // runs the next sync (syncing_ stays set)
  for (SyncWaiter* w : covered) w->wake.Set();
  return st;
}

Status GroupCommit::SyncWal() {
  if (wal_fd_ < 0) {
    // SQLite keeps the file while a connection is open (ours is): the descriptor stays
    // valid for the life of the store.
    wal_fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) {
      return Unavailable("group commit: open " + wal_path_ + ": " + std::strerror(errno));
    }
  }
  syncs_.fetch_add(1, std::memory_order_relaxed);
  if (::fdatasync(wal_fd_) != 0) {
    return Unavailable("group commit: fdatasync " + wal_path_ + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

void GroupCommit::RunBatch(std::deque<Pending*>& batch) {
  if (wal_path_.empty()) return RunTransaction(batch);
  // The durable callers sync the WAL themselves (Sync), outside the write lock. Other
  // users of the connection (InTransaction: migrations, register imports) set FULL.
  Status normal = conn_.SetSynchronousFull(false);
  if (!normal.ok()) {
    for (Pending* p : batch) p->result = normal.WithContext("group commit");
    return;
  }
  RunTransaction(batch);
}

void GroupCommit::RunTransaction(std::deque<Pending*>& batch) {
  auto fail_all = [&batch](const Status& st) {
    for (Pending* p : batch) {
      if (p->result.ok()) p->result = st;
    }
  };
  Status begin = RunControl(conn_, kBeginImmediate);
  if (!begin.ok()) return fail_all(begin.WithContext("group commit"));

  if (batch.size() == 1) {
    // Alone in its batch: no savepoint; a failed operation rolls the transaction back.
    Pending* p = batch.front();
    p->result = (*p->op)(conn_);
    Status end = p->result.ok() ? RunControl(conn_, kCommit) : Status::Ok();
    if (end.ok() && p->result.ok()) return;
    if (InsideTransaction(conn_)) {
      Status rst = RunControl(conn_, kRollback);
      if (!rst.ok()) end = end.WithContext("rollback failed: " + rst.ToString());
    }
    if (p->result.ok()) p->result = end.WithContext("group commit");
    return;
  }

  for (Pending* p : batch) {
    Status sp = RunControl(conn_, kSavepoint);
    if (sp.ok()) {
      p->result = (*p->op)(conn_);
      if (!InsideTransaction(conn_)) {
        // SQLite rolled back the whole transaction itself (e.g. after an I/O error):
        // nothing of this batch is committed.
        Status gone = Unavailable("group commit: transaction rolled back by sqlite");
        if (!p->result.ok()) gone = gone.WithContext(p->result.ToString());
        for (Pending* q : batch) q->result = gone;
        return;
      }
      if (!p->result.ok()) sp = RunControl(conn_, kRollbackTo);
      if (sp.ok()) sp = RunControl(conn_, kRelease);
    }
    if (!sp.ok()) {  // savepoint control failed: abandon the whole batch
      Status rst = InsideTransaction(conn_) ? RunControl(conn_, kRollback) : Status::Ok();
      Status st = sp.WithContext("group commit savepoint");
      if (!rst.ok()) st = st.WithContext("rollback failed: " + rst.ToString());
      for (Pending* q : batch) q->result = st;
      return;
    }
  }

  Status commit = RunControl(conn_, kCommit);
  if (commit.ok()) return;
  if (InsideTransaction(conn_)) {
    Status rst = RunControl(conn_, kRollback);
    if (!rst.ok()) commit = commit.WithContext("rollback failed: " + rst.ToString());
  }
  fail_all(commit.WithContext("group commit"));
}

}  // namespace claimsca::store::sqlite
