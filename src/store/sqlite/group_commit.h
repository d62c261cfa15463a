#pragma once

// Group commit for the SQLite writer connection: concurrent write operations are run in
// one BEGIN IMMEDIATE transaction, each inside its own SAVEPOINT, so one fsync (the COMMIT
// with synchronous=FULL) makes a whole batch durable. An operation that fails is rolled
// back to its savepoint and does not affect the others. Each caller returns only after
// the COMMIT of its batch returned. Internal to the store library.
//
// Thread-safety: Run may be called from any number of threads. The first caller to find
// no batch in progress becomes the leader: it runs every queued operation (its own
// included) on the connection, commits, and hands the results back.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "store/sqlite/sqlite_db.h"

namespace claimsca::store::sqlite {

class GroupCommit {
 public:
  // An operation: plain statements on the connection, no transaction control.
  using Op = std::function<Status(SqliteConn&)>;

  // `conn` is used only while holding `conn_mu`, which other users of conn must hold too.
  GroupCommit(SqliteConn& conn, std::mutex& conn_mu) : conn_(conn), conn_mu_(conn_mu) {}

  // Runs `op` durably in some batch; returns op's status, or the batch's transaction
  // error (then op's effects were not committed).
  Status Run(const Op& op);

 private:
  struct Pending {
    const Op* op;
    Status result;
    bool done = false;
  };
  void RunBatch(std::deque<Pending*>& batch);

  SqliteConn& conn_;
  std::mutex& conn_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool leader_active_ = false;  // guarded by mu_
};

}  // namespace claimsca::store::sqlite
