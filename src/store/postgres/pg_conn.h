#pragma once

// Thin RAII layer over libpq for the PostgreSQL store: named prepared queries with typed,
// always-bound binary parameters, binary results, a small thread-safe connection pool,
// and SQLSTATE-to-Code mapping. Internal to the store library.
//
// Thread-safety: PgPool is thread-safe; a PgConn (held through a PgPool::Lease) is used
// by one thread at a time.

#include <libpq-fe.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/shared_library.h"
#include "common/status.h"

namespace claimsca::store::pg {

// libpq, opened on the first connection rather than linked (common/shared_library.h): a
// process on SQLite never loads it.
// clang-format off
#define CLAIMSCA_LIBPQ_FUNCTIONS(X) \
  X(PQclear) X(PQcmdTuples) X(PQconnectdb) X(PQerrorMessage) X(PQexec) X(PQexecParams) \
  X(PQexecPrepared) X(PQfinish) X(PQfname) X(PQftype) X(PQgetisnull) X(PQgetlength) X(PQgetResult) \
  X(PQgetvalue) X(PQnfields) X(PQntuples) X(PQprepare) X(PQputCopyData) X(PQputCopyEnd) \
  X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) \
  X(PQsetNoticeProcessor) X(PQsocket) X(PQstatus) X(PQtransactionStatus)
// clang-format on
struct LibPq {
  CLAIMSCA_LIBPQ_FUNCTIONS(CLAIMSCA_DECLARE_FUNCTION)
};
// The table, loaded once per process; FailedPrecondition when libpq.so.5 is missing.
const Result<LibPq>& LoadLibPq();
// Precondition: LoadLibPq() succeeded (PgConn::Connect checks it, and nothing reaches
// libpq without a connection).
inline const LibPq& Pq() { return *LoadLibPq(); }

// Type OIDs of the parameters we send (from pg_type.dat; stable across versions).
inline constexpr Oid kInt8Oid = 20;
inline constexpr Oid kTextOid = 25;
inline constexpr Oid kByteaOid = 17;

// A statement prepared once per connection under `name`, with fixed parameter types.
struct Query {
  const char* name;
  const char* sql;
  std::span<const Oid> param_types;
};

// Binary-format parameters, in order; must match the Query's param_types.
class Params {
 public:
  Params& Text(std::string_view v) { return Add(v.data(), v.size()); }
  Params& Bytes(std::string_view v) { return Add(v.data(), v.size()); }
  Params& Int8(int64_t v);
  Params& OptInt8(std::optional<int64_t> v);

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  Params& Add(const char* data, size_t size);
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::deque<std::array<char, 8>> ints_;  // stable storage for big-endian integers
};

// An owned PGresult with binary-format accessors.
class PgResult {
 public:
  explicit PgResult(PGresult* res) : res_(res, Pq().PQclear) {}
  int Rows() const { return Pq().PQntuples(res_.get()); }
  int Cols() const { return Pq().PQnfields(res_.get()); }
  Oid Type(int col) const { return Pq().PQftype(res_.get(), col); }
  const PGresult* get() const { return res_.get(); }
  // Rows affected by INSERT/UPDATE/DELETE (0 for other commands).
  int64_t Affected() const;
  bool IsNull(int row, int col) const { return Pq().PQgetisnull(res_.get(), row, col) != 0; }
  // Raw bytes of a TEXT or BYTEA value; valid while this result lives.
  std::string_view Bytes(int row, int col) const;
  // A SMALLINT/INTEGER/BIGINT value; Internal if the column has another size.
  Result<int64_t> Int(int row, int col) const;
  Result<std::optional<int64_t>> OptInt(int row, int col) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_;
};

// Maps a failed command to a Status: 23505 unique_violation -> Conflict; connection,
// shutdown, resource and serialization errors -> Unavailable; otherwise Internal.
Status PgError(PGconn* conn, const PGresult* res, std::string_view context);

class PgConn {
 public:
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& conninfo);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs a prepared query (preparing it on first use on this connection).
  Result<PgResult> Exec(const Query& q, const Params& p, std::string_view context);
  // Runs parameterless SQL, possibly several statements (transaction control, DDL).
  Result<PgResult> ExecScript(std::string_view sql, std::string_view context);
  // Runs a one-off parameterised statement that cannot be prepared (e.g. DECLARE).
  Result<PgResult> ExecParams(const char* sql, std::span<const Oid> types, const Params& p,
                              std::string_view context);
  // Runs `sql` (a string constant: see store/module_sql.h) with parameters of `types`,
  // prepared on first use per (address of sql, types) and cached on this connection.
  // Results in text format (text_result) or binary.
  Result<PgResult> ExecCached(const char* sql, std::span<const Oid> types, const Params& p,
                              bool text_result, std::string_view context);
  // Runs `copy_sql` (COPY ... FROM STDIN) and sends `data`, in COPY's text format, in
  // chunks; returns the number of rows copied. Use inside a transaction to make it atomic.
  Result<int64_t> CopyIn(const char* copy_sql, std::string_view data, std::string_view context);
  // True if the connection is usable and not inside a transaction.
  bool Reusable() const;
  // Whether the server has left an idle connection alone (no round trip: one non-blocking
  // peek at the socket). False when it closed it — a server restarted, a backend
  // terminated, a primary killed and its standby promoted — or sent anything unasked (a
  // FATAL before closing), so that the pool does not hand it out.
  bool StillOpen();

 private:
  explicit PgConn(PGconn* conn) : conn_(conn) {}
  Result<PgResult> Check(PGresult* res, std::string_view context);
  PGconn* conn_;
  std::unordered_set<const Query*> prepared_;
  // ExecCached: statement name by (sql address, parameter types).
  std::map<std::pair<const char*, std::vector<Oid>>, std::string> cached_;
};

// Runs `body` between BEGIN and COMMIT (ROLLBACK when body or COMMIT fails).
Status InTransaction(PgConn& conn, std::string_view begin_sql, std::string_view context,
                     const std::function<Status()>& body);

class PgPool {
 public:
  // Connects once to check the server is reachable (Unavailable otherwise).
  static Result<std::unique_ptr<PgPool>> Create(std::string conninfo, size_t max_conns,
                                                std::chrono::milliseconds acquire_timeout);

  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    PgConn& operator*() { return *conn_; }
    PgConn* operator->() { return conn_.get(); }
    // Closes the connection instead of returning it (e.g. it holds a session lock).
    void Discard() { discard_ = true; }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConn> conn_;
    bool discard_ = false;
  };

  // An idle connection, a new one if fewer than max_conns are open, or waits; Unavailable
  // after acquire_timeout or if connecting fails. An idle connection the server has closed
  // meanwhile (PgConn::StillOpen) is dropped, not handed out: after a failover each node's
  // idle connections to the dead primary would otherwise fail one request each.
  Result<Lease> Acquire();

 private:
  PgPool(std::string conninfo, size_t max_conns, std::chrono::milliseconds acquire_timeout)
      : conninfo_(std::move(conninfo)), max_conns_(max_conns), timeout_(acquire_timeout) {}
  void Release(std::unique_ptr<PgConn> conn, bool reusable);

  const std::string conninfo_;
  const size_t max_conns_;
  const std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;  // guarded by mu_
  size_t open_ = 0;                            // guarded by mu_
};

}  // namespace claimsca::store::pg
