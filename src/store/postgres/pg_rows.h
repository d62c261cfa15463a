#pragma once

// Reading results of the PostgreSQL store: the row accessor of internal::ReadApplication
// and friends, and ReadAll. Internal to the store library.

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/postgres/pg_conn.h"

namespace claimsca::store::pg {

// Row `row` of `res` (NULL reads as empty).
struct Row {
  const PgResult& res;
  int row;
  std::string_view Text(int c) const { return res.Bytes(row, c); }
  Result<int64_t> Int(int c) const { return res.Int(row, c); }
  Result<std::optional<int64_t>> OptInt(int c) const { return res.OptInt(row, c); }
};

// Every row of `res`, converted with `read`.
template <class T, class F>
Result<std::vector<T>> ReadAll(const PgResult& res, F read) {
  std::vector<T> out;
  out.reserve(res.Rows());
  for (int i = 0; i < res.Rows(); ++i) {
    ASSIGN_OR_RETURN(T v, read(Row{res, i}));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace claimsca::store::pg
