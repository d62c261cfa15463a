#include "store/module_sql.h"

#include <string>

#include "store/store.h"

namespace claimsca::store {
namespace {

std::string Describe(const SqlValue& v) {
  if (v.is_null()) return "NULL";
  if (v.is_int()) return "the integer " + std::to_string(v.int_value());
  return "a text";
}

Status Mismatch(int col, std::string_view wanted, const SqlValue& v) {
  return InvalidArgument("sql column " + std::to_string(col) + ": expected " + std::string(wanted) +
                         ", got " + Describe(v));
}

}  // namespace

Result<const SqlValue*> SqlRow::At(int col) const {
  if (col < 0 || static_cast<size_t>(col) >= values_.size()) {
    return InvalidArgument("sql column " + std::to_string(col) + " out of range (row has " +
                           std::to_string(values_.size()) + ")");
  }
  return &values_[static_cast<size_t>(col)];
}

bool SqlRow::IsNull(int col) const {
  auto v = At(col);
  return !v.ok() || (*v)->is_null();
}

Result<int64_t> SqlRow::Int(int col) const {
  ASSIGN_OR_RETURN(const SqlValue* v, At(col));
  if (!v->is_int()) return Mismatch(col, "an integer", *v);
  return v->int_value();
}

Result<std::string> SqlRow::Text(int col) const {
  ASSIGN_OR_RETURN(const SqlValue* v, At(col));
  if (!v->is_text()) return Mismatch(col, "a text", *v);
  return v->text_value();
}

Result<std::optional<int64_t>> SqlRow::OptInt(int col) const {
  ASSIGN_OR_RETURN(const SqlValue* v, At(col));
  if (v->is_null()) return std::optional<int64_t>();
  if (!v->is_int()) return Mismatch(col, "an integer or NULL", *v);
  return std::optional<int64_t>(v->int_value());
}

Result<std::optional<std::string>> SqlRow::OptText(int col) const {
  ASSIGN_OR_RETURN(const SqlValue* v, At(col));
  if (v->is_null()) return std::optional<std::string>();
  if (!v->is_text()) return Mismatch(col, "a text or NULL", *v);
  return std::optional<std::string>(v->text_value());
}

Result<std::optional<SqlRow>> SqlTx::QueryFirst(const char* sql, const SqlParams& params) {
  ASSIGN_OR_RETURN(std::vector<SqlRow> rows, Query(sql, params));
  if (rows.empty()) return std::optional<SqlRow>();
  return std::optional<SqlRow>(std::move(rows.front()));
}

Status RunInTransaction(Store& store, const SqlTxFn& fn) {
  return static_cast<ModuleSqlRunner&>(store).RunSqlTransaction(fn);
}

Status RunRead(Store& store, const SqlTxFn& fn) {
  return static_cast<ModuleSqlRunner&>(store).RunSqlRead(fn);
}

}  // namespace claimsca::store
