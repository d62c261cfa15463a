#pragma once

// SQL access for modules that own their own tables (src/billing/ and others): one
// backend-neutral transaction, SqlTx, with the statements written once and run unchanged on
// SQLite and PostgreSQL. The tables themselves come from the module's migrations
// (src/<module>/migrations/{sqlite,postgres}/NNN_name.sql), embedded into the store's one
// numbered migration list (src/store/embed_migrations.cmake; docs/architecture.md).
//
//   constexpr char kInsert[] = "INSERT INTO ledger_entries (institution_code, amount_yen) "
//                              "VALUES ($1, $2)";
//   Status st = store::RunInTransaction(store, [&](store::SqlTx& tx) -> Status {
//     ASSIGN_OR_RETURN(int64_t n, tx.Exec(kInsert, {code, int64_t{1500}}));
//     return tx.AppendAudit(event);  // same transaction: both or neither
//   });
//
// Rules of the SQL text:
// - Parameters are $1..$n, each used at least once, n = params.size() (valid in both
//   dialects: SQLite reads "$1" as a named parameter, bound here by its number). A NULL
//   parameter has no type of its own: use it where PostgreSQL can infer one (a column
//   compared or assigned), or cast it.
// - The text must be a string constant with static storage (a `constexpr char k[]`):
//   statements are prepared once per connection and cached under the ADDRESS of the text
//   (SQLite's cache, sqlite::SqliteConn::Prepared), or the address and parameter types
//   (PostgreSQL). A text built at run time would be prepared afresh, and a buffer reused
//   for another text would run the wrong statement.
// - Portable SQL only: INTEGER/BIGINT and TEXT columns, ON CONFLICT ... DO NOTHING/UPDATE,
//   RETURNING, no dialect functions (SqlTx::Backend() for the rare unavoidable difference).
//
// Values read back: integer columns (and PostgreSQL's bigint sums, which arrive as
// numeric, and booleans as 0/1) read as int64; text (and blobs, and non-integer numbers)
// as text; NULL as null. The accessors return InvalidArgument on a type mismatch.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace claimsca::store {

struct AuditEvent;
class Store;

// A statement parameter or a column value: NULL, an int64 or a text.
class SqlValue {
 public:
  SqlValue() = default;  // NULL
  SqlValue(std::nullptr_t) {}
  SqlValue(int64_t v) : v_(v) {}
  SqlValue(int v) : v_(int64_t{v}) {}
  SqlValue(std::string v) : v_(std::move(v)) {}
  SqlValue(std::string_view v) : v_(std::string(v)) {}
  SqlValue(const char* v) : v_(std::string(v)) {}
  // Optional values: nullopt is NULL.
  SqlValue(std::optional<int64_t> v) {
    if (v) v_ = *v;
  }
  SqlValue(const std::optional<std::string>& v) {
    if (v) v_ = *v;
  }

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_text() const { return std::holds_alternative<std::string>(v_); }
  // Preconditions: is_int() / is_text().
  int64_t int_value() const { return std::get<int64_t>(v_); }
  const std::string& text_value() const { return std::get<std::string>(v_); }

  bool operator==(const SqlValue&) const = default;

 private:
  std::variant<std::monostate, int64_t, std::string> v_;
};

using SqlParams = std::vector<SqlValue>;

// One result row. Columns are numbered from 0, in the order of the SELECT list.
class SqlRow {
 public:
  SqlRow() = default;
  explicit SqlRow(std::vector<SqlValue> values) : values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  // InvalidArgument when `col` is out of range.
  Result<const SqlValue*> At(int col) const;
  bool IsNull(int col) const;
  // InvalidArgument when the value is NULL or of the other type (the message names the
  // column and what it holds).
  Result<int64_t> Int(int col) const;
  Result<std::string> Text(int col) const;
  // NULL reads as nullopt; InvalidArgument when of the other type.
  Result<std::optional<int64_t>> OptInt(int col) const;
  Result<std::optional<std::string>> OptText(int col) const;

  const std::vector<SqlValue>& values() const { return values_; }

 private:
  std::vector<SqlValue> values_;
};

// One transaction of a module. Any error returned by a statement leaves the transaction
// unusable on PostgreSQL (it is aborted there): return it, and RunInTransaction rolls the
// whole transaction back. Prefer INSERT ... ON CONFLICT DO NOTHING (then check Exec's
// count) over catching Conflict. Used by one thread, only inside the callback it was
// given to.
class SqlTx {
 public:
  virtual ~SqlTx() = default;

  // Runs a statement; returns the number of rows it inserted, updated or deleted.
  // FailedPrecondition in a read transaction. Conflict on a unique (or primary key)
  // violation, as the rest of the store.
  virtual Result<int64_t> Exec(const char* sql, const SqlParams& params = {}) = 0;
  // Runs a query and returns all its rows (small results).
  virtual Result<std::vector<SqlRow>> Query(const char* sql, const SqlParams& params = {}) = 0;
  // Runs a query and calls `fn` for every row in order, without holding all rows in memory
  // (SQLite steps the statement; PostgreSQL fetches from a cursor in batches). An error
  // from `fn` stops the query and is returned. `fn` may run other statements of this
  // transaction, but not this same `sql` constant (its cached statement is in use).
  virtual Status QueryEach(const char* sql, const SqlParams& params,
                           const std::function<Status(const SqlRow&)>& fn) = 0;
  // The first row of a query, or nullopt when it has none.
  Result<std::optional<SqlRow>> QueryFirst(const char* sql, const SqlParams& params = {});

  // Appends `e` to the audit chain (and its outbox mails) in this transaction. Call it
  // last, after the transaction's other writes: PostgreSQL takes the audit chain's lock
  // here, and taking it last keeps lock cycles out. FailedPrecondition in a read
  // transaction; InvalidArgument without actor or action.
  virtual Status AppendAudit(const AuditEvent& e) = 0;
  // Serialises the transactions that lock the same `name` (across processes too) until
  // the end of this one: PostgreSQL takes a transaction advisory lock; SQLite has one
  // writer at a time, so there is nothing to do. For read-modify-write rules that no
  // constraint expresses. No-op in a read transaction.
  virtual Status Lock(std::string_view name) = 0;

  virtual bool ReadOnly() const = 0;
  // "sqlite" or "postgres".
  virtual std::string_view Backend() const = 0;
};

using SqlTxFn = std::function<Status(SqlTx&)>;

// Implemented by every Store back end (a base of store::Store). Modules call the free
// functions below instead.
class ModuleSqlRunner {
 public:
  virtual ~ModuleSqlRunner() = default;
  virtual Status RunSqlTransaction(const SqlTxFn& fn) = 0;
  virtual Status RunSqlRead(const SqlTxFn& fn) = 0;
};

// Runs `fn` as ONE write transaction, committed durably when `fn` returns Ok and rolled
// back entirely (nothing half written) when it returns an error, which is returned.
// SQLite: an operation of the writer's group commit (its own savepoint; full durability);
// PostgreSQL: BEGIN ... COMMIT (READ COMMITTED) on a pooled connection. Do not call the
// store (or RunInTransaction) from inside `fn`: on SQLite the writer is busy with `fn`.
Status RunInTransaction(Store& store, const SqlTxFn& fn);
// Runs `fn` as one read-only transaction on a read connection, on one consistent
// snapshot (SQLite: a read transaction of a pooled reader; PostgreSQL: REPEATABLE READ
// READ ONLY). Exec and AppendAudit refuse with FailedPrecondition.
Status RunRead(Store& store, const SqlTxFn& fn);

}  // namespace claimsca::store
