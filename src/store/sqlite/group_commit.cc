#include "store/sqlite/group_commit.h"

#include <string>

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

Status GroupCommit::Run(const Op& op) {
  Pending self{&op, Status::Ok(), false};
  std::unique_lock lock(mu_);
  queue_.push_back(&self);
  cv_.wait(lock, [&] { return self.done || !leader_active_; });
  if (self.done) return self.result;
  // Lead: take every queued operation (ours included) as one batch.
  leader_active_ = true;
  std::deque<Pending*> batch;
  batch.swap(queue_);
  lock.unlock();
  {
    std::lock_guard conn_lock(conn_mu_);
    RunBatch(batch);
  }
  lock.lock();
  for (Pending* p : batch) p->done = true;
  leader_active_ = false;
  lock.unlock();
  // Wakes the finished callers, and lets one waiting caller lead the next batch.
  cv_.notify_all();
  return self.result;
}

void GroupCommit::RunBatch(std::deque<Pending*>& batch) {
  auto fail_all = [&batch](const Status& st) {
    for (Pending* p : batch) {
      if (p->result.ok()) p->result = st;
    }
  };
  Status begin = RunControl(conn_, kBeginImmediate);
  if (!begin.ok()) return fail_all(begin.WithContext("group commit"));

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
