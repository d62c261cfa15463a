// SqliteStore: the institution register.

#include <string>

#include "store/internal.h"
#include "store/sqlite/sqlite_register_sql.h"
#include "store/sqlite/sqlite_store.h"

namespace claimsca::store {
namespace {

using internal::ToUnix;
using sqlite::Stmt;
namespace sql = sqlite::sql;

Result<RegisterEntry> ReadEntry(Stmt& s, std::string_view code) {
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound("institution " + std::string(code) + " is not in the register");
  RegisterEntry e;
  e.institution_code = s.ColText(0);
  e.name = s.ColText(1);
  e.postal_code = s.ColText(2);
  e.address = s.ColText(3);
  e.category = s.ColText(4);
  e.billing_method = s.ColText(5);
  return e;
}

}  // namespace

Result<RegisterEntry> SqliteStore::FindInRegister(std::string_view institution_code) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectRegisterCurrent, "find in register"));
  s.Text(1, institution_code);
  return ReadEntry(s, institution_code);
}

Result<RegisterEntry> SqliteStore::FindInRegisterVersion(int64_t version,
                                                         std::string_view institution_code) {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectRegisterAt, "find in register"));
  s.Int(1, version).Text(2, institution_code);
  return ReadEntry(s, institution_code);
}

Result<int64_t> SqliteStore::CurrentRegisterVersion() {
  ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*reader, sql::kSelectRegisterVersion, "register version"));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return Internal("register version: max() returned no row");
  return s.ColInt(0);
}

Result<int64_t> SqliteStore::ImportRegister(const std::vector<RegisterEntry>& rows,
                                            std::string_view source, std::string_view imported_by,
                                            Instant now) {
  RETURN_IF_ERROR(internal::ValidateRegisterImport(rows, source, imported_by));
  int64_t version = 0;
  // Its own BEGIN IMMEDIATE transaction, not a group-commit batch: a large import should
  // not hold other writers' savepoints. The writer mutex keeps the batches out meanwhile.
  std::lock_guard lock(write_mu_);
  Status st = sqlite::InTransaction(*writer_, "import register", [&]() -> Status {
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*writer_, sql::kSelectRegisterVersion, "import"));
      ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Internal("import register: max() returned no row");
      version = s.ColInt(0) + 1;
    }
    {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*writer_, sql::kInsertRegisterVersion, "import"));
      s.Int(1, version).Int(2, ToUnix(now)).Text(3, source);
      s.Int(4, static_cast<int64_t>(rows.size())).Text(5, imported_by);
      RETURN_IF_ERROR(s.Run());
    }
    for (const RegisterEntry& e : rows) {
      ASSIGN_OR_RETURN(Stmt s, Stmt::Use(*writer_, sql::kInsertRegisterEntry, "import"));
      s.Int(1, version).Text(2, e.institution_code).Text(3, e.name).Text(4, e.postal_code);
      s.Text(5, e.address).Text(6, e.category).Text(7, e.billing_method);
      Status rs = s.Run();
      if (!rs.ok()) return rs.WithContext("institution " + e.institution_code);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return version;
}

}  // namespace claimsca::store
