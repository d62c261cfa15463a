// PgStore: SqlTx for modules (store/module_sql.h). A write transaction is BEGIN ... COMMIT
// (READ COMMITTED) on a pooled connection; a read transaction REPEATABLE READ READ ONLY.
// Statements are prepared once per connection (PgConn::ExecCached) and return text-format
// results, converted by column type: integers (and integral numerics, e.g. a bigint sum)
// to int64, booleans to 0/1, everything else to text.

#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "store/module_sql.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_store.h"

namespace claimsca::store {
namespace {

using pg::PgConn;
using pg::PgResult;

constexpr Oid kBoolOid = 16;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kNumericOid = 1700;
// Rows per FETCH of QueryEach's cursor.
constexpr int kFetchRows = 5000;

std::string Context(const char* sql) {
  std::string s = "module sql: ";
  std::string_view text(sql);
  s += text.substr(0, 80);
  if (text.size() > 80) s += "...";
  return s;
}

// Parameters in binary format with their types: int8, text, or unknown for NULL (the
// server infers it from the statement).
void Bind(const SqlParams& params, pg::Params& p, std::vector<Oid>& types) {
  for (const SqlValue& v : params) {
    if (v.is_null()) {
      p.OptInt8(std::nullopt);
      types.push_back(0);
    } else if (v.is_int()) {
      p.Int8(v.int_value());
      types.push_back(pg::kInt8Oid);
    } else {
      p.Text(v.text_value());
      types.push_back(pg::kTextOid);
    }
  }
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Row `row` of a text-format result.
Result<SqlRow> ReadRow(const PgResult& res, int row) {
  const int n = res.Cols();
  std::vector<SqlValue> values;
  values.reserve(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) {
    if (res.IsNull(row, c)) {
      values.emplace_back();
      continue;
    }
    std::string_view text = res.Bytes(row, c);
    const Oid type = res.Type(c);
    if (type == pg::kInt8Oid || type == kInt2Oid || type == kInt4Oid || type == kOidOid) {
      std::optional<int64_t> v = ParseInt(text);
      if (!v) return Internal("postgres: integer column " + std::to_string(c) + " unreadable");
      values.emplace_back(*v);
    } else if (type == kNumericOid && ParseInt(text)) {
      values.emplace_back(*ParseInt(text));
    } else if (type == kBoolOid) {
      values.emplace_back(int64_t{text == "t" ? 1 : 0});
    } else {
      values.emplace_back(std::string(text));
    }
  }
  return SqlRow(std::move(values));
}

class PgModuleTx final : public SqlTx {
 public:
  PgModuleTx(PgConn& c, bool read_only) : c_(c), read_only_(read_only) {}

  Result<int64_t> Exec(const char* sql, const SqlParams& params) override {
    if (read_only_) return FailedPrecondition(Context(sql) + ": Exec in a read transaction");
    ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    return res.Affected();
  }

  Result<std::vector<SqlRow>> Query(const char* sql, const SqlParams& params) override {
    ASSIGN_OR_RETURN(PgResult res, Run(sql, params));
    std::vector<SqlRow> rows;
    rows.reserve(static_cast<size_t>(res.Rows()));
    for (int i = 0; i < res.Rows(); ++i) {
      ASSIGN_OR_RETURN(SqlRow r, ReadRow(res, i));
      rows.push_back(std::move(r));
    }
    return rows;
  }

  Status QueryEach(const char* sql, const SqlParams& params,
                   const std::function<Status(const SqlRow&)>& fn) override {
    const std::string cursor = "claimsca_module_cursor_" + std::to_string(++cursors_);
    const std::string declare = "DECLARE " + cursor + " NO SCROLL CURSOR FOR " + sql;
    const std::string fetch = "FETCH FORWARD " + std::to_string(kFetchRows) + " FROM " + cursor;
    pg::Params p;
    std::vector<Oid> types;
    Bind(params, p, types);
    RETURN_IF_ERROR(c_.ExecParams(declare.c_str(), types, p, Context(sql)).status());
    while (true) {
      ASSIGN_OR_RETURN(PgResult batch, c_.ExecScript(fetch, Context(sql)));
      if (batch.Rows() == 0) break;
      for (int i = 0; i < batch.Rows(); ++i) {
        ASSIGN_OR_RETURN(SqlRow r, ReadRow(batch, i));
        RETURN_IF_ERROR(fn(r));
      }
    }
    return c_.ExecScript("CLOSE " + cursor, Context(sql)).status();
  }

  Status AppendAudit(const AuditEvent& e) override {
    if (read_only_) return FailedPrecondition("module sql: AppendAudit in a read transaction");
    return pg::AppendAuditIn(c_, e);
  }

  Status Lock(std::string_view name) override {
    if (read_only_) return Status::Ok();
    static constexpr char kLock[] =
        "SELECT pg_advisory_xact_lock(hashtext('claimsca.module.' || "
        "coalesce(current_schema(), '') || '.' || $1))";
    return Run(kLock, {SqlValue(name)}).status();
  }

  bool ReadOnly() const override { return read_only_; }
  std::string_view Backend() const override { return "postgres"; }

 private:
  Result<PgResult> Run(const char* sql, const SqlParams& params) {
    pg::Params p;
    std::vector<Oid> types;
    Bind(params, p, types);
    return c_.ExecCached(sql, types, p, /*text_result=*/true, Context(sql));
  }

  PgConn& c_;
  const bool read_only_;
  int cursors_ = 0;
};

Status RunOn(pg::PgPool& pool, bool read_only, const SqlTxFn& fn) {
  ASSIGN_OR_RETURN(auto conn, pool.Acquire());
  return pg::InTransaction(*conn,
                           read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN",
                           "module sql", [&]() -> Status {
                             PgModuleTx tx(*conn, read_only);
                             return fn(tx);
                           });
}

}  // namespace

Status PgStore::RunSqlTransaction(const SqlTxFn& fn) { return RunOn(*pool_, false, fn); }

Status PgStore::RunSqlRead(const SqlTxFn& fn) { return RunOn(*pool_, true, fn); }

}  // namespace claimsca::store
