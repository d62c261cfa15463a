#pragma once

// Reading result rows of the SQLite store: the row accessor of internal::ReadApplication
// and friends, and ReadAll. Internal to the store library.

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/sqlite/sqlite_db.h"

namespace claimsca::store::sqlite {

// The current row of `s` (NULL reads as empty).
struct Row {
  const Stmt& s;
  std::string_view Text(int c) const { return s.ColBlob(c); }
  Result<int64_t> Int(int c) const { return s.ColInt(c); }
  Result<std::optional<int64_t>> OptInt(int c) const { return s.ColOptInt(c); }
};

// Steps through every row of `s`, converting each with `read`.
template <class T, class F>
Result<std::vector<T>> ReadAll(Stmt& s, F read) {
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(T v, read(Row{s}));
    out.push_back(std::move(v));
  }
}

}  // namespace claimsca::store::sqlite
