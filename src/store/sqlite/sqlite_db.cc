#include "store/sqlite/sqlite_db.h"

#include <string>
#include <utility>

namespace claimsca::store::sqlite {
namespace {

constexpr char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
constexpr char kPragmaJournalWal[] = "PRAGMA journal_mode = WAL";

// A non-null pointer for empty values: sqlite binds NULL for a null pointer.
const char* NonNull(std::string_view v) { return v.data() != nullptr ? v.data() : ""; }

}  // namespace

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string msg = std::string(context) + ": " + sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    msg += " (";
    msg += sqlite3_errmsg(db);
    msg += ")";
  }
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Conflict(std::move(msg));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return Unavailable(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path, Mode mode,
                                                     std::chrono::milliseconds busy_timeout) {
  if (sqlite3_threadsafe() == 0) return Internal("libsqlite3 was built without thread safety");
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kWriter) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  // From here on the handle belongs to conn, which closes it even when open failed.
  std::unique_ptr<SqliteConn> conn(new SqliteConn(db));
  const std::string context = "sqlite open " + path;
  if (rc != SQLITE_OK) return SqliteError(db, rc, context);
  rc = sqlite3_extended_result_codes(db, 1);
  if (rc != SQLITE_OK) return SqliteError(db, rc, context + ": extended result codes");
  rc = sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  if (rc != SQLITE_OK) return SqliteError(db, rc, context + ": busy_timeout");
  RETURN_IF_ERROR(conn->ExecScript("PRAGMA foreign_keys = ON", context));
  // Every connection maps the file (up to 1 GiB) for reading: a page outside SQLite's own
  // cache costs no pread syscall (the writer reads random index pages at every issuance:
  // serials and Common Names are random). An I/O error on the mapped file then raises
  // SIGBUS instead of an error code. Writes keep ordinary I/O (Debian's SQLite is built
  // without SQLITE_MMAP_READWRITE): into the WAL, and into the file at checkpoints.
  RETURN_IF_ERROR(conn->ExecScript("PRAGMA mmap_size = 1073741824", context));
  if (mode == Mode::kReader) {
    RETURN_IF_ERROR(conn->ExecScript("PRAGMA query_only = ON", context));
    return conn;
  }
  {
    ASSIGN_OR_RETURN(Stmt wal, Stmt::Use(*conn, kPragmaJournalWal, "sqlite journal_mode"));
    ASSIGN_OR_RETURN(bool row, wal.Step());
    if (!row || wal.ColText(0) != "wal") {
      return Unavailable(context + ": cannot switch to WAL journal mode (got \"" +
                         std::string(row ? wal.ColText(0) : "") + "\")");
    }
  }
  // Debian builds SQLite with secure_delete on: every page freed is overwritten with zeros,
  // so replacing a CRL of 100,000 entries (3.6 MB of overflow pages) wrote its 900 old
  // pages again as zeros, into the WAL and at the checkpoint. FAST still zeroes deleted
  // content inside b-tree pages (no extra I/O) but not pages moved to the freelist. Nothing
  // we delete is secret in clear: pooled keys are stored encrypted, passwords and tokens
  // as hashes, CRLs are public.
  RETURN_IF_ERROR(conn->ExecScript("PRAGMA secure_delete = FAST", context));
  // Durable commit: the WAL is fsynced at every commit.
  RETURN_IF_ERROR(conn->SetSynchronousFull(true).WithContext(context));
  return conn;
}

Status SqliteConn::SetSynchronousFull(bool full) {
  if (synchronous_full_ == static_cast<int>(full)) return Status::Ok();
  static constexpr char kFull[] = "PRAGMA synchronous = FULL";
  static constexpr char kNormal[] = "PRAGMA synchronous = NORMAL";
  const char* sql = full ? kFull : kNormal;
  ASSIGN_OR_RETURN(Stmt stmt, Stmt::Use(*this, sql, sql));
  synchronous_full_ = -1;  // unknown if the statement fails
  RETURN_IF_ERROR(stmt.Run());
  synchronous_full_ = full;
  return Status::Ok();
}

SqliteConn::~SqliteConn() {
  // sqlite3_finalize returns the error of the statement's last step, already reported.
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  // With every statement finalized, close_v2 releases the handle (it cannot fail then).
  sqlite3_close_v2(db_);
}

Result<sqlite3_stmt*> SqliteConn::Prepared(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, std::string("sqlite prepare: ") + sql);
  if (stmt == nullptr) return Internal(std::string("sqlite prepare: empty statement: ") + sql);
  cache_.emplace(sql, stmt);
  return stmt;
}

Status SqliteConn::ExecScript(std::string_view sql, std::string_view context) {
  std::string text(sql);  // sqlite3_exec needs a NUL-terminated string
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  Status st = SqliteError(db_, rc, context);
  if (err != nullptr) {
    st = st.WithContext(err);
    sqlite3_free(err);
  }
  return st;
}

Result<Stmt> Stmt::Use(SqliteConn& conn, const char* sql, std::string_view context) {
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn.Prepared(sql));
  return Stmt(&conn, stmt, context);
}

Stmt::Stmt(Stmt&& other) noexcept
    : conn_(other.conn_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      context_(other.context_),
      bind_status_(std::move(other.bind_status_)) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  // sqlite3_reset repeats the error of the last step (already reported to the caller);
  // sqlite3_clear_bindings always succeeds.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Stmt::Check(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ =
        SqliteError(conn_->db(), rc, std::string(context_) + ": bind ?" + std::to_string(index));
  }
}

Stmt& Stmt::Text(int index, std::string_view v) {
  Check(sqlite3_bind_text64(stmt_, index, NonNull(v), v.size(), SQLITE_STATIC, SQLITE_UTF8), index);
  return *this;
}

Stmt& Stmt::Blob(int index, std::string_view v) {
  Check(sqlite3_bind_blob64(stmt_, index, NonNull(v), v.size(), SQLITE_STATIC), index);
  return *this;
}

Stmt& Stmt::Int(int index, int64_t v) {
  Check(sqlite3_bind_int64(stmt_, index, v), index);
  return *this;
}

Stmt& Stmt::OptInt(int index, std::optional<int64_t> v) {
  Check(v ? sqlite3_bind_int64(stmt_, index, *v) : sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Result<bool> Stmt::Step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(conn_->db(), rc, context_);
}

Status Stmt::Run() {
  ASSIGN_OR_RETURN(bool row, Step());
  if (row) return Internal(std::string(context_) + ": statement unexpectedly returned rows");
  return Status::Ok();
}

std::optional<int64_t> Stmt::ColOptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return ColInt(col);
}

std::string_view Stmt::ColText(int col) const {
  // Order matters: column_text before column_bytes (see the sqlite3_column_* docs).
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(n)};
}

std::string_view Stmt::ColBlob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p), static_cast<size_t>(n)};
}

Status InTransaction(SqliteConn& conn, std::string_view context,
                     const std::function<Status()>& body) {
  // Each control statement is used and reset in its own scope.
  auto run = [&conn](const char* sql, std::string_view what) -> Status {
    ASSIGN_OR_RETURN(Stmt stmt, Stmt::Use(conn, sql, what));
    return stmt.Run();
  };
  // Durable at COMMIT, whatever the connection's last group-commit batch set.
  RETURN_IF_ERROR(conn.SetSynchronousFull(true).WithContext(context));
  RETURN_IF_ERROR(run(kBeginImmediate, "sqlite BEGIN IMMEDIATE").WithContext(context));
  Status st = body();
  if (st.ok()) {
    st = run(kCommit, "sqlite COMMIT").WithContext(context);
    if (st.ok()) return st;
  }
  if (sqlite3_get_autocommit(conn.db()) == 0) {  // still inside the transaction
    Status rst = run(kRollback, "sqlite ROLLBACK");
    if (!rst.ok()) st = st.WithContext("(rollback failed: " + rst.ToString() + ")");
  }
  return st;
}

}  // namespace claimsca::store::sqlite
