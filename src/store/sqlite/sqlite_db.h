#pragma once

// Thin RAII layer over libsqlite3 for the SQLite store: a connection with a cache of
// prepared statements, a scoped statement use that checks every return code, and a
// BEGIN IMMEDIATE transaction helper. Internal to the store library.
//
// Thread-safety: a SqliteConn (and every Stmt made from it) must be used by one thread at
// a time; SqliteStore guarantees this with its writer mutex and reader pool.

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace claimsca::store::sqlite {

// Maps a sqlite3 result code to a Status: unique/primary-key violations -> Conflict,
// BUSY/LOCKED/FULL/IO errors -> Unavailable, anything else -> Internal.
Status SqliteError(sqlite3* db, int rc, std::string_view context);

class SqliteConn {
 public:
  enum class Mode { kWriter, kReader };
  // Opens (the writer creates) the database file and applies the connection pragmas:
  // busy_timeout, foreign_keys=ON; writer: journal_mode=WAL, synchronous=FULL;
  // reader: query_only=ON.
  static Result<std::unique_ptr<SqliteConn>> Open(const std::string& path, Mode mode,
                                                  std::chrono::milliseconds busy_timeout);
  ~SqliteConn();
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  sqlite3* db() const { return db_; }
  // The cached prepared statement for `sql`, keyed by the address of the constant: pass
  // only string constants with static storage.
  Result<sqlite3_stmt*> Prepared(const char* sql);
  // Runs one or more parameterless statements (migrations, pragmas).
  Status ExecScript(std::string_view sql, std::string_view context);
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  // PRAGMA synchronous = FULL (true) or NORMAL, run only when the connection's setting
  // differs (the writer switches per transaction: docs/issuance-cycle.md).
  Status SetSynchronousFull(bool full);

 private:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  int synchronous_full_ = -1;  // unknown until set through SetSynchronousFull
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// One use of a cached statement: bind, step, read columns; reset on destruction. Bind
// errors are kept and reported by the next Step/Run, so call sites can chain binds.
class Stmt {
 public:
  static Result<Stmt> Use(SqliteConn& conn, const char* sql, std::string_view context);
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  Stmt& Text(int index, std::string_view v);
  Stmt& Blob(int index, std::string_view v);
  Stmt& Int(int index, int64_t v);
  Stmt& OptInt(int index, std::optional<int64_t> v);

  // true: a row is available; false: done.
  Result<bool> Step();
  // Steps a statement that returns no rows.
  Status Run();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t ColInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::optional<int64_t> ColOptInt(int col) const;
  // Valid until the next Step or the end of this Stmt.
  std::string_view ColText(int col) const;
  std::string_view ColBlob(int col) const;

 private:
  Stmt(SqliteConn* conn, sqlite3_stmt* stmt, std::string_view context)
      : conn_(conn), stmt_(stmt), context_(context) {}
  void Check(int rc, int index);

  SqliteConn* conn_;
  sqlite3_stmt* stmt_;
  std::string_view context_;
  Status bind_status_;
};

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK when body fails or COMMIT fails).
Status InTransaction(SqliteConn& conn, std::string_view context,
                     const std::function<Status()>& body);

}  // namespace claimsca::store::sqlite
