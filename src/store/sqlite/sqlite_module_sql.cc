// SqliteStore: SqlTx for modules (store/module_sql.h). Writes run as one operation of the
// writer's group commit (their own savepoint, durable before RunSqlTransaction returns);
// reads in a read transaction of a pooled read connection.

#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "store/module_sql.h"
#include "store/sqlite/sqlite_audit.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using sqlite::SqliteConn;
using sqlite::SqliteError;

// A non-null pointer for empty texts: sqlite binds NULL for a null pointer.
const char* NonNull(const std::string& v) { return v.data() != nullptr ? v.data() : ""; }

// One use of a cached statement: reset and unbound when it goes out of scope.
class Use {
 public:
  Use(SqliteConn& c, sqlite3_stmt* s) : c_(c), s_(s) {}
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  ~Use() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  sqlite3_stmt* get() const { return s_; }
  SqliteConn& conn() const { return c_; }

 private:
  SqliteConn& c_;
  sqlite3_stmt* s_;
};

std::string Context(const char* sql) {
  std::string s = "module sql: ";
  std::string_view text(sql);
  s += text.substr(0, 80);
  if (text.size() > 80) s += "...";
  return s;
}

// Binds `params` to the statement's $1..$n by their numbers.
Status Bind(const Use& u, const char* sql, const SqlParams& params) {
  sqlite3_stmt* s = u.get();
  const int count = sqlite3_bind_parameter_count(s);
  std::vector<bool> used(params.size(), false);
  for (int i = 1; i <= count; ++i) {
    const char* name = sqlite3_bind_parameter_name(s, i);
    std::string_view n = name != nullptr ? name : "";
    size_t k = 0;
    if (n.size() < 2 || n[0] != '$' ||
        std::from_chars(n.data() + 1, n.data() + n.size(), k).ptr != n.data() + n.size() ||
        k == 0) {
      return InvalidArgument(Context(sql) + ": parameters must be written $1..$n (found \"" +
                             std::string(n) + "\")");
    }
    if (k > params.size()) {
      return InvalidArgument(Context(sql) + ": uses $" + std::to_string(k) + " but " +
                             std::to_string(params.size()) + " parameters were given");
    }
    used[k - 1] = true;
    const SqlValue& v = params[k - 1];
    int rc;
    if (v.is_null()) {
      rc = sqlite3_bind_null(s, i);
    } else if (v.is_int()) {
      rc = sqlite3_bind_int64(s, i, v.int_value());
    } else {
      const std::string& t = v.text_value();
      rc = sqlite3_bind_text64(s, i, NonNull(t), t.size(), SQLITE_STATIC, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) {
      return SqliteError(u.conn().db(), rc, Context(sql) + ": bind $" + std::to_string(k));
    }
  }
  for (size_t k = 0; k < used.size(); ++k) {
    if (!used[k]) {
      return InvalidArgument(Context(sql) + ": parameter $" + std::to_string(k + 1) +
                             " is given but not used");
    }
  }
  return Status::Ok();
}

SqlValue Column(sqlite3_stmt* s, int col) {
  switch (sqlite3_column_type(s, col)) {
    case SQLITE_NULL:
      return SqlValue();
    case SQLITE_INTEGER:
      return SqlValue(static_cast<int64_t>(sqlite3_column_int64(s, col)));
    default: {  // TEXT, BLOB, FLOAT (as its text)
      const unsigned char* p = sqlite3_column_text(s, col);
      int n = sqlite3_column_bytes(s, col);
      if (p == nullptr) return SqlValue(std::string());
      return SqlValue(std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)));
    }
  }
}

class SqliteModuleTx final : public SqlTx {
 public:
  SqliteModuleTx(SqliteConn& c, bool read_only) : c_(c), read_only_(read_only) {}

  Result<int64_t> Exec(const char* sql, const SqlParams& params) override {
    if (read_only_) return FailedPrecondition(Context(sql) + ": Exec in a read transaction");
    ASSIGN_OR_RETURN(sqlite3_stmt * s, c_.Prepared(sql));
    Use u(c_, s);
    RETURN_IF_ERROR(Bind(u, sql, params));
    while (true) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return SqliteError(c_.db(), rc, Context(sql));
    }
    return c_.Changes();
  }

  Result<std::vector<SqlRow>> Query(const char* sql, const SqlParams& params) override {
    std::vector<SqlRow> rows;
    RETURN_IF_ERROR(QueryEach(sql, params, [&rows](const SqlRow& r) {
      rows.push_back(r);
      return Status::Ok();
    }));
    return rows;
  }

  Status QueryEach(const char* sql, const SqlParams& params,
                   const std::function<Status(const SqlRow&)>& fn) override {
    ASSIGN_OR_RETURN(sqlite3_stmt * s, c_.Prepared(sql));
    Use u(c_, s);
    RETURN_IF_ERROR(Bind(u, sql, params));
    std::vector<SqlValue> values;
    while (true) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return SqliteError(c_.db(), rc, Context(sql));
      const int n = sqlite3_column_count(s);
      values.clear();
      values.reserve(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) values.push_back(Column(s, i));
      RETURN_IF_ERROR(fn(SqlRow(std::move(values))));
      values = {};
    }
  }

  Status AppendAudit(const AuditEvent& e) override {
    if (read_only_) return FailedPrecondition("module sql: AppendAudit in a read transaction");
    return sqlite::AppendAuditIn(c_, e);
  }

  // One writer at a time: the transaction already excludes every other writer.
  Status Lock(std::string_view) override { return Status::Ok(); }
  bool ReadOnly() const override { return read_only_; }
  std::string_view Backend() const override { return "sqlite"; }

 private:
  SqliteConn& c_;
  const bool read_only_;
};

constexpr char kBeginRead[] = "BEGIN";
constexpr char kCommitRead[] = "COMMIT";
constexpr char kRollbackRead[] = "ROLLBACK";

}  // namespace

Status SqliteStore::RunSqlTransaction(const SqlTxFn& fn) {
  return group_.Run([&fn](SqliteConn& c) -> Status {
    SqliteModuleTx tx(c, /*read_only=*/false);
    return fn(tx);
  });
}

Status SqliteStore::RunSqlRead(const SqlTxFn& fn) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  SqliteConn& c = *reader;
  RETURN_IF_ERROR(c.ExecScript(kBeginRead, "module sql: begin read"));
  SqliteModuleTx tx(c, /*read_only=*/true);
  Status st = fn(tx);
  Status end = c.ExecScript(st.ok() ? kCommitRead : kRollbackRead, "module sql: end read");
  if (st.ok()) return end;
  return st;
}

}  // namespace claimsca::store
